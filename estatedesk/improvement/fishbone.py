"""The cause-and-effect (Ishikawa, fishbone) diagram of an action's analysis (SPEC I-1, S-9).

Pure: no ORM, no request, no external tool; the caller passes translated labels.

Layout (the classic drawing):
- a horizontal spine from the tail on the left to the head box on the right, which holds the
  problem;
- six bones slanting into the spine, three above (man, machine, material) and three below
  (method, environment, measurement), each with its label in a box at its outer end;
- each cause is a short horizontal tick ending on its bone, its text above the tick, to the
  left; a long cause is shortened with "…" and kept whole in a <title> (tooltip, screen
  readers, search);
- the bones grow to fit up to eight causes each; the columns are as wide as the longest
  cause (within limits), so texts never run into the neighbouring bone.

Every text is XML-escaped, characters XML 1.0 forbids are dropped, and only presentation
attributes are used (no ``style``), so the picture works as an image and inline under the
Content-Security-Policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from estatedesk.core.svgtext import FONT_FAMILY, text_width, wrap

UPPER = ("man", "machine", "material")
LOWER = ("method", "environment", "measurement")
BONES = UPPER + LOWER

MAX_CAUSES = 8
CAUSE_SIZE = 12
LABEL_SIZE = 13
HEAD_SIZE = 14
CAUSE_GAP = 26  # vertical distance between two causes on a bone
MIN_CAUSE_ROWS = 3  # empty or short bones still have some length
SLANT = 0.45  # horizontal run of a bone per unit of its height
TICK_EXTRA = 14  # the tick reaches this far past its text
MIN_TEXT_W = 84
MAX_TEXT_W = 210
COLUMN_GAP = 18
LABEL_PAD_X = 10
LABEL_H = 26
HEAD_W = 190
HEAD_TEXT_W = HEAD_W - 20
HEAD_MAX_LINES = 6
MARGIN = 16
TAIL = 26

INK = "#212529"
MUTED = "#6c757d"
SPINE = "#343a40"
BONE = "#3d6cb9"
LABEL_FILL = "#eef4ff"
HEAD_FILL = "#fff3cd"
HEAD_STROKE = "#997404"

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates
# and U+FFFE/U+FFFF; anything else in a typed cause would make the whole picture unreadable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return " ".join(_NOT_XML.sub("", str(text)).split())


# Closing punctuation does not start a line in Chinese typesetting (避頭點).
_NO_LINE_START = "，。、；：！？）》」』,.;:!?)"


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines = wrap(text, width, size)
    for index in range(1, len(lines)):
        while lines[index] and lines[index][0] in _NO_LINE_START:
            lines[index - 1] += lines[index][0]
            lines[index] = lines[index][1:]
    return [line for line in lines if line] or [""]


def _fit(text: str, width: float, size: float) -> str:
    """The text, shortened with an ellipsis if it is wider than ``width``."""
    if text_width(text, size) <= width:
        return text
    cut = text
    while cut and text_width(cut + "…", size) > width:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _text(x: float, y: float, content: str, *, size: float, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f" {name.replace('_', '-')}={quoteattr(value)}" for name, value in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{escape(content)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str, width: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{stroke}" stroke-width="{width}" stroke-linecap="round"/>'
    )


def _causes_of(bones: Mapping[str, Sequence[str]], bone: str) -> list[str]:
    causes = [_clean(c) for c in (bones.get(bone) or [])]
    return [c for c in causes if c][:MAX_CAUSES]


def draw(problem_title: str, bones: Mapping[str, Sequence[str]], labels: Mapping[str, str]) -> str:
    """The diagram as a stand-alone SVG document (without the XML declaration)."""
    causes = {bone: _causes_of(bones, bone) for bone in BONES}
    widest = max((text_width(c, CAUSE_SIZE) for cs in causes.values() for c in cs), default=0.0)
    text_w = min(max(widest, MIN_TEXT_W), MAX_TEXT_W)
    rows = max(MIN_CAUSE_ROWS, *(len(cs) for cs in causes.values()))
    bone_h = rows * CAUSE_GAP + 18  # from the spine to the label box
    run = bone_h * SLANT  # how far right a bone's foot is from its top
    label_names = {bone: _clean(labels.get(bone, bone)) or bone for bone in BONES}
    label_w = max(text_width(name, LABEL_SIZE) for name in label_names.values()) + 2 * LABEL_PAD_X
    column_w = max(text_w + TICK_EXTRA + run, label_w) + COLUMN_GAP

    title = _clean(problem_title)
    head_lines = _wrap(title, HEAD_TEXT_W, HEAD_SIZE) if title else [""]
    if len(head_lines) > HEAD_MAX_LINES:
        head_lines = head_lines[:HEAD_MAX_LINES]
        head_lines[-1] = _fit(head_lines[-1] + "……", HEAD_TEXT_W, HEAD_SIZE)
    head_h = max(56.0, len(head_lines) * HEAD_SIZE * 1.45 + 20)

    spine_x0 = MARGIN + TAIL
    spine_x1 = spine_x0 + 3 * column_w + 12
    width = spine_x1 + HEAD_W + MARGIN
    half = max(bone_h + LABEL_H, head_h / 2)
    mid = MARGIN + half
    height = mid + half + MARGIN

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="fishbone-title" '
        f"font-family={quoteattr(FONT_FAMILY)} fill={quoteattr(INK)}>",
        f'<title id="fishbone-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        # the tail, then the spine
        _line(MARGIN, mid - TAIL * 0.8, spine_x0, mid, stroke=SPINE, width=2.5),
        _line(MARGIN, mid + TAIL * 0.8, spine_x0, mid, stroke=SPINE, width=2.5),
        _line(spine_x0, mid, spine_x1, mid, stroke=SPINE, width=3),
    ]

    for index, bone in enumerate(BONES):
        above = bone in UPPER
        column = UPPER.index(bone) if above else LOWER.index(bone)
        top_x = spine_x0 + column * column_w + text_w + TICK_EXTRA
        sign = -1 if above else 1  # outwards from the spine
        end_y = mid + sign * bone_h  # the bone's outer end, under (or over) its label
        out.append(f'<g class="bone" id="bone-{index}" data-bone={quoteattr(bone)}>')
        out.append(_line(top_x, end_y, top_x + run, mid, stroke=BONE, width=2))
        label_y = end_y + sign * (LABEL_H / 2 + 1)
        name = label_names[bone]
        box_w = text_width(name, LABEL_SIZE) + 2 * LABEL_PAD_X
        out.append(
            f'<rect x="{top_x - box_w / 2:.1f}" y="{label_y - LABEL_H / 2:.1f}" width="{box_w:.1f}" '
            f'height="{LABEL_H}" rx="5" fill="{LABEL_FILL}" stroke="{BONE}" stroke-width="1.2"/>'
        )
        out.append(
            _text(
                top_x, label_y + LABEL_SIZE * 0.36, name, size=LABEL_SIZE, anchor="middle", font_weight="bold"
            )
        )
        for row, cause in enumerate(causes[bone]):
            # the first cause sits nearest the label, the next ones towards the spine
            y = end_y - sign * (18 + row * CAUSE_GAP)
            x_on_bone = top_x + abs(y - end_y) * SLANT
            x_start = x_on_bone - text_w - TICK_EXTRA
            out.append("<g>")
            out.append(f"<title>{escape(cause)}</title>")
            out.append(_line(x_start, y, x_on_bone, y, stroke=MUTED, width=1.2))
            out.append(
                _text(
                    x_on_bone - TICK_EXTRA / 2,
                    y - 4,
                    _fit(cause, text_w, CAUSE_SIZE),
                    size=CAUSE_SIZE,
                    anchor="end",
                )
            )
            out.append("</g>")
        out.append("</g>")

    # the head: the problem, wrapped
    head_top = mid - head_h / 2
    out.append(
        f'<rect x="{spine_x1:.1f}" y="{head_top:.1f}" width="{HEAD_W}" height="{head_h:.1f}" rx="8" '
        f'fill="{HEAD_FILL}" stroke="{HEAD_STROKE}" stroke-width="1.6"/>'
    )
    line_h = HEAD_SIZE * 1.45
    first_y = mid - (len(head_lines) - 1) * line_h / 2 + HEAD_SIZE * 0.36
    for number, line in enumerate(head_lines):
        out.append(
            _text(
                spine_x1 + HEAD_W / 2,
                first_y + number * line_h,
                line,
                size=HEAD_SIZE,
                anchor="middle",
                font_weight="bold",
            )
        )
    out.append("</svg>")
    return "\n".join(out)
