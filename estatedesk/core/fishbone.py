"""The cause-and-effect (Ishikawa, fishbone) diagram (SPEC I-1, S-9): drawn for a corrective
action's analysis and for a survey's (``core.causes`` holds the bones and cleans the causes).

Pure: no ORM, no request, no external tool; the caller passes translated labels.

Layout (the classic drawing):
- a horizontal spine from the tail on the left to the head box on the right, which holds the
  problem;
- six bones slanting into the spine, three above (man, machine, material) and three below
  (method, environment, measurement), each with its label in a box at its outer end;
- each cause is a short horizontal tick ending on its bone, its text above the tick and
  left of the bone, wrapped on up to three lines; a longer cause ends with "…" and is kept
  whole in a <title> (tooltip, screen readers, search) and in the list under the picture;
- every text block is placed in a band of its own beside its bone: its right edge keeps a
  gap from the bone over the band's whole height (the bone slants), and the columns are
  wide enough that the block also keeps clear of the bone on its left (SPEC I-1: no text
  is crossed by a bone);
- text is 13 px (labels and the problem 14 px) in a picture meant to be shown at its own
  size (the page scrolls it sideways on a phone rather than shrink it); causes wrap at
  about eight CJK glyphs and tall bones get steeper, so the picture is about ``MAX_WIDTH``
  wide (a short bone with one four-line cause can add a few pixels: 743 against 737 seen)
  and prints its causes at 12 px or more across an A4 page.

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
CAUSE_SIZE = 13
CAUSE_LINE = 17  # line height of a cause's text
CAUSE_MAX_LINES = 4
LABEL_SIZE = 14
HEAD_SIZE = 14
MIN_FONT_SIZE = 12  # no text in the picture is smaller (SPEC I-1, readable when printed)
BAND_PAD = 9  # above a cause's text and below its tick, within its band
TEXT_GAP = 8  # between a text block and the bone beside it
TICK_LEFT = 4  # the tick starts this far left of its text
MIN_CAUSE_ROWS = 3  # empty or short bones still have some length
EMPTY_ROW = CAUSE_LINE + 2 * BAND_PAD  # the band of a one-line cause
SLANT = 0.45  # horizontal run of a bone per unit of its height…
MAX_RUN = 70  # …steeper for tall bones, so eight causes do not widen the picture
OUTER_GAP = 8  # from a bone's outer end to its first band
SPINE_GAP = 10  # from the last band to the spine
MIN_TEXT_W = 84
MAX_TEXT_W = 112  # about 8 CJK glyphs a line: the picture stays within PRINT_WIDTH
LABEL_PAD_X = 10
LABEL_H = 28
HEAD_W = 140
HEAD_TEXT_W = HEAD_W - 20
HEAD_MAX_LINES = 6
MARGIN = 10
TAIL = 26
HEAD_GAP = 14  # from the last bone's foot to the head
# The text width of an A4 page (CSS px) and the widest picture that still prints its cause
# text at MIN_FONT_SIZE or more when scaled down to it.
PRINT_WIDTH = 680
MAX_WIDTH = PRINT_WIDTH * CAUSE_SIZE / MIN_FONT_SIZE

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


def _split_long(lines: list[str], width: float, size: float) -> list[str]:
    """A word wider than the line (a long number, a web address) is cut between characters,
    so no line reaches past its column into the next bone."""
    out: list[str] = []
    for line in lines:
        while text_width(line, size) > width and len(line) > 1:
            cut = 1
            while cut < len(line) and text_width(line[: cut + 1], size) <= width:
                cut += 1
            out.append(line[:cut])
            line = line[cut:].lstrip()
        out.append(line)
    return out


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines = _split_long(wrap(text, width, size), width, size)
    # A closing mark hangs at the end of the line above, by at most one glyph's width (a run
    # of marks stays where it is), so the caller's measured width stays near ``width``.
    for index in range(1, len(lines)):
        while (
            lines[index]
            and lines[index][0] in _NO_LINE_START
            and text_width(lines[index - 1] + lines[index][0], size) <= width + size
        ):
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


def _cause_lines(cause: str, width: float) -> list[str]:
    """The cause wrapped to ``width``, at most CAUSE_MAX_LINES lines, the last shortened."""
    lines = _wrap(cause, width, CAUSE_SIZE)
    if len(lines) > CAUSE_MAX_LINES:
        lines = lines[:CAUSE_MAX_LINES]
        lines[-1] = _fit(lines[-1] + "…", width, CAUSE_SIZE)
        return lines
    # Even lines rather than a full line and a lone last glyph: the narrowest width that
    # still needs no more lines.
    narrower = text_width(cause, CAUSE_SIZE) / len(lines)
    while narrower < width:
        even = _wrap(cause, narrower, CAUSE_SIZE)
        if len(even) <= len(lines):
            return even
        narrower += CAUSE_SIZE / 2
    return lines


def _band(lines: int) -> float:
    """The height of a cause's band: its lines, padding above, the tick and padding below."""
    return lines * CAUSE_LINE + 2 * BAND_PAD


def _widest_line(wrapped: Mapping[str, Sequence[Sequence[str]]]) -> float:
    return max(
        (text_width(line, CAUSE_SIZE) for ws in wrapped.values() for w in ws for line in w), default=0.0
    )


def draw(problem_title: str, bones: Mapping[str, Sequence[str]], labels: Mapping[str, str]) -> str:
    """The diagram as a stand-alone SVG document (without the XML declaration)."""
    causes = {bone: _causes_of(bones, bone) for bone in BONES}
    widest = max((text_width(c, CAUSE_SIZE) for cs in causes.values() for c in cs), default=0.0)
    text_w = min(max(widest, MIN_TEXT_W), MAX_TEXT_W)
    wrapped = {bone: [_cause_lines(c, text_w) for c in cs] for bone, cs in causes.items()}
    shown_w = _widest_line(wrapped)
    if shown_w > MAX_TEXT_W:
        # A hanging closing mark passed the widest column: wrap one glyph narrower, so the
        # mark hangs within it and the picture keeps within MAX_WIDTH.
        wrapped = {
            bone: [_cause_lines(c, MAX_TEXT_W - CAUSE_SIZE) for c in cs] for bone, cs in causes.items()
        }
        shown_w = _widest_line(wrapped)
    # The widest line as drawn (a hanging closing mark may pass the wrap width): the columns
    # and the left margin are sized from it, so no block reaches the bone on its left.
    text_w = max(shown_w, MIN_TEXT_W)
    bands = {bone: [_band(len(w)) for w in ws] for bone, ws in wrapped.items()}
    tallest_band = max((b for bs in bands.values() for b in bs), default=EMPTY_ROW)
    filled = max(sum(bs) + EMPTY_ROW * max(0, MIN_CAUSE_ROWS - len(bs)) for bs in bands.values())
    bone_h = OUTER_GAP + filled + SPINE_GAP  # from the spine to the bone's outer end
    slant = min(SLANT, MAX_RUN / bone_h)
    run = bone_h * slant  # how far right a bone's foot is from its outer end
    label_names = {bone: _clean(labels.get(bone, bone)) or bone for bone in BONES}
    label_w = max(text_width(name, LABEL_SIZE) for name in label_names.values()) + 2 * LABEL_PAD_X
    # Between two bones, at any height: the gap, a text block (its band slants), the gap and the tick.
    column_w = max(TICK_LEFT + text_w + 2 * TEXT_GAP + tallest_band * slant, label_w + TEXT_GAP)
    # The first bone's outer end leaves room on its left for a text block, inside the margin.
    first_top_x = MARGIN + TICK_LEFT + text_w + 2 * TEXT_GAP + tallest_band * slant

    title = _clean(problem_title)
    head_lines = _wrap(title, HEAD_TEXT_W, HEAD_SIZE) if title else [""]
    if len(head_lines) > HEAD_MAX_LINES:
        head_lines = head_lines[:HEAD_MAX_LINES]
        head_lines[-1] = _fit(head_lines[-1] + "……", HEAD_TEXT_W, HEAD_SIZE)
    head_h = max(56.0, len(head_lines) * HEAD_SIZE * 1.45 + 20)

    spine_x0 = MARGIN + TAIL
    first_foot = max(first_top_x + run, spine_x0 + TAIL)
    spine_x1 = first_foot + 2 * column_w + HEAD_GAP
    width = spine_x1 + HEAD_W + MARGIN
    half = max(bone_h + LABEL_H + 2, head_h / 2)
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
        foot_x = first_foot + column * column_w
        top_x = foot_x - run
        sign = -1 if above else 1  # outwards from the spine
        end_y = mid + sign * bone_h  # the bone's outer end, under (or over) its label

        def bone_x(y: float, top_x: float = top_x, end_y: float = end_y) -> float:
            return top_x + abs(y - end_y) * slant

        out.append(f'<g class="bone" id="bone-{index}" data-bone={quoteattr(bone)}>')
        out.append(_line(top_x, end_y, foot_x, mid, stroke=BONE, width=2))
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
        # The first cause sits nearest the label, the next ones towards the spine; each in
        # its band, the text on top and the tick at the band's foot.
        edge = end_y - sign * OUTER_GAP  # where the next band starts, moving towards the spine
        for cause, lines, band in zip(causes[bone], wrapped[bone], bands[bone], strict=True):
            band_top, band_bottom = (edge, edge + band) if above else (edge - band, edge)
            edge = band_bottom if above else band_top
            tick_y = band_bottom - BAND_PAD / 2
            text_top = band_top + BAND_PAD
            # The bone is nearest the text at the block's upper edge when it leans left going
            # up (above the spine), at its lower edge otherwise.
            right = min(bone_x(text_top), bone_x(tick_y)) - TEXT_GAP
            left = right - max(text_width(line, CAUSE_SIZE) for line in lines)
            out.append('<g class="cause">')
            out.append(f"<title>{escape(cause)}</title>")
            out.append(_line(left - TICK_LEFT, tick_y, bone_x(tick_y), tick_y, stroke=MUTED, width=1.2))
            spans = "".join(
                f'<tspan x="{right:.1f}" y="{text_top + CAUSE_SIZE * 0.9 + n * CAUSE_LINE:.1f}">{escape(line)}</tspan>'
                for n, line in enumerate(lines)
            )
            out.append(
                f'<text x="{right:.1f}" y="{text_top + CAUSE_SIZE * 0.9:.1f}" font-size="{CAUSE_SIZE}" '
                f'text-anchor="end" data-box="{left:.1f} {text_top:.1f} {right:.1f} '
                f'{text_top + len(lines) * CAUSE_LINE:.1f}">{spans}</text>'
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
