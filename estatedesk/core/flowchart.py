"""The procedure's flowcharts (§9.1, §9.5, SPEC K-17), drawn from the workflow tables.

The picture is computed from a declared workflow (``core.workflow.Workflow``) every time, so it
cannot disagree with what the services allow. Pure: no ORM, no request, no external tool.
Labels are the workflow's lazy translations, so they come out in the active language.

Layout (a small layered drawing, good enough for five or six states):
- states are rounded boxes stacked top to bottom in their declared order;
- steps that keep the state (``target`` None) are listed inside the box under a loop mark;
- a step from one state to the next one below, when it is the first such, is a straight arrow
  in the middle; every other step gets its own vertical lane: downward steps on the right,
  upward (and mixed) ones on the left. Its label sits beside the box it enters, in a label
  zone that only horizontal lines cross, so labels never overlap each other;
- creating steps (no sources) start from a dot above the first state.

Only presentation attributes are used (no ``style``), so the SVG works inline under the
Content-Security-Policy and as a stand-alone image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from estatedesk.core.svgtext import FONT_FAMILY, FONT_FAMILY_TC, text_width, wrap
from estatedesk.core.workflow import Transition, Workflow

STATE_SIZE = 14
LABEL_SIZE = 12
LOOP_SIZE = 11
LINE = 1.4  # line height, in font sizes

MARGIN = 16
LABEL_ZONE = 176  # room beside the boxes for the labels of lane arrows
LABEL_WIDTH = LABEL_ZONE - 16
LANE_GAP = 16
MIN_BOX_W = 190
MAX_BOX_W = 280
MIN_GAP = 40
START_R = 7

INK = "#212529"
MUTED = "#5c636a"
BOX_FILL = "#eef4ff"
FINAL_FILL = "#e8f5e9"
BOX_STROKE = "#3d6cb9"
FINAL_STROKE = "#2e7d32"
EDGE = "#343a40"
BACK_EDGE = "#a0522d"


# --- Layout ----------------------------------------------------------------------------------------


@dataclass
class _Slot:
    transition: int
    entry: bool  # an arrow coming in (labelled), or a line going out
    label: list[str] = field(default_factory=list)
    y: float = 0.0


@dataclass
class _Box:
    value: str
    label: list[str]
    loops: list[tuple[str, list[str]]]  # (transition name, wrapped label)
    final: bool
    left: list[_Slot] = field(default_factory=list)
    right: list[_Slot] = field(default_factory=list)
    top: float = 0.0
    height: float = 0.0

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class _Lane:
    transition: int
    side: str  # "left" | "right"
    sources: list[int]  # state indexes; -1 = the start dot
    target: int
    x: float = 0.0

    @property
    def span(self) -> int:
        return max(abs(s - self.target) for s in self.sources)


def _lh(size: float) -> float:
    return size * LINE


def _slot_height(slot: _Slot) -> float:
    return len(slot.label) * _lh(LABEL_SIZE) + 10 if slot.entry else 14


def _side_height(slots: list[_Slot]) -> float:
    return 10 + sum(_slot_height(s) for s in slots) + 8 if slots else 0


def _place_slots(slots: list[_Slot], top: float) -> None:
    y = top + 10
    for slot in slots:
        y += _slot_height(slot) - (6 if slot.entry else 7)
        slot.y = y
        y += 6 if slot.entry else 7


# --- Drawing ---------------------------------------------------------------------------------------


def _text(
    x: float,
    y: float,
    lines: list[str],
    size: float,
    *,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
    cls: str = "",
) -> str:
    """Lines whose first baseline is at ``y``."""
    out = []
    for i, line in enumerate(lines):
        attrs = f' class="{cls}"' if cls else ""
        out.append(
            f'<text x="{x:.1f}" y="{y + i * _lh(size):.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}"{attrs}>{escape(line)}</text>'
        )
    return "".join(out)


def _loop_mark(x: float, y: float) -> str:
    """A small circular arrow: this step keeps the state."""
    return (
        f'<path d="M {x + 9:.1f} {y - 3:.1f} A 5 5 0 1 1 {x + 5:.1f} {y - 8:.1f}" fill="none" '
        f'stroke="{MUTED}" stroke-width="1.3"/>'
        f'<path d="M {x + 3:.1f} {y - 10.5:.1f} L {x + 7:.1f} {y - 8:.1f} L {x + 3.5:.1f} {y - 5.5:.1f} z" '
        f'fill="{MUTED}"/>'
    )


def _state_order(workflow: Workflow) -> dict[str, int]:
    return {value: i for i, (value, _label) in enumerate(workflow.states)}


def _classify(
    workflow: Workflow,
) -> tuple[dict[int, list[tuple[int, int]]], list[tuple[int, int, int]], list[_Lane], list[str]]:
    """Loops per state, centre arrows (transition, from, to), lanes, and the transitions' labels."""
    order = _state_order(workflow)
    labels = [str(t.label) for t in workflow.transitions]
    loops: dict[int, list[tuple[int, int]]] = {}
    moves: list[tuple[int, list[int], int]] = []
    for ti, t in enumerate(workflow.transitions):
        if t.target is not None and t.target not in order:
            raise ValueError(f"{workflow.name}.{t.name}: unknown target state {t.target!r}")
        for s in t.sources:
            if s not in order:
                raise ValueError(f"{workflow.name}.{t.name}: unknown source state {s!r}")
        if not t.sources:
            if t.target is None:
                raise ValueError(f"{workflow.name}.{t.name}: a creating step needs a target state")
            moves.append((ti, [-1], order[t.target]))
            continue
        staying = [s for s in t.sources if t.target is None or s == t.target]
        for s in staying:
            loops.setdefault(order[s], []).append((ti, order[s]))
        going = [order[s] for s in t.sources if s not in staying]
        if going and t.target is not None:
            moves.append((ti, going, order[t.target]))
    centre: list[tuple[int, int, int]] = []
    lanes: list[_Lane] = []
    used_pairs: set[tuple[int, int]] = set()
    for ti, sources, target in moves:
        pair = (sources[0], target)
        if len(sources) == 1 and target == sources[0] + 1 and pair not in used_pairs:
            used_pairs.add(pair)
            centre.append((ti, sources[0], target))
            continue
        side = "right" if all(s < target for s in sources) else "left"
        lanes.append(_Lane(ti, side, sources, target))
    return loops, centre, lanes, labels


def draw(workflow: Workflow, *, title: str = "", heading: bool = False, traditional: bool = False) -> str:
    """The workflow as an SVG document (a string), labels in the active language.

    ``title`` names the picture for screen readers; ``heading`` also prints it on top.
    ``traditional`` prefers Traditional Chinese fonts.
    """
    loops, centre, lanes, labels = _classify(workflow)
    prefix = f"fc-{workflow.name}"
    font = FONT_FAMILY_TC if traditional else FONT_FAMILY

    right_lanes = sorted((ln for ln in lanes if ln.side == "right"), key=lambda ln: (ln.span, ln.transition))
    left_lanes = sorted((ln for ln in lanes if ln.side == "left"), key=lambda ln: (ln.span, ln.transition))

    # Box width: the widest state label or loop line, within limits.
    widest = max(
        [text_width(str(label), STATE_SIZE) + 32 for _v, label in workflow.states]
        + [text_width(labels[ti], LOOP_SIZE) + 44 for items in loops.values() for ti, _s in items]
        + [MIN_BOX_W]
    )
    box_w = min(MAX_BOX_W, widest)
    boxes = [
        _Box(
            value=value,
            label=wrap(str(label), box_w - 24, STATE_SIZE),
            loops=[
                (workflow.transitions[ti].name, wrap(labels[ti], box_w - 40, LOOP_SIZE))
                for ti, _s in loops.get(i, [])
            ],
            final=value in workflow.final,
        )
        for i, (value, label) in enumerate(workflow.states)
    ]

    # Attachment slots: right side = entries from above first, then exits downward;
    # left side = exits upward first, then entries from below.
    start_exits: list[_Lane] = []
    for lane in right_lanes:
        boxes[lane.target].right.append(
            _Slot(lane.transition, True, wrap(labels[lane.transition], LABEL_WIDTH, LABEL_SIZE))
        )
    for lane in right_lanes:
        for s in lane.sources:
            if s == -1:
                start_exits.append(lane)
            else:
                boxes[s].right.append(_Slot(lane.transition, False))
    for lane in left_lanes:
        for s in lane.sources:
            if s == -1:
                start_exits.append(lane)
            else:
                boxes[s].left.append(_Slot(lane.transition, False))
    for lane in left_lanes:
        boxes[lane.target].left.append(
            _Slot(lane.transition, True, wrap(labels[lane.transition], LABEL_WIDTH, LABEL_SIZE))
        )
    for box in boxes:
        box.right.sort(key=lambda s: not s.entry)
        box.left.sort(key=lambda s: s.entry)

    # Horizontal positions.
    left_width = (len(left_lanes) * LANE_GAP + LABEL_ZONE) if left_lanes else 0
    box_x = MARGIN + left_width
    box_right = box_x + box_w
    cx = box_x + box_w / 2
    for k, lane in enumerate(left_lanes):
        lane.x = box_x - LABEL_ZONE - k * LANE_GAP
    for k, lane in enumerate(right_lanes):
        lane.x = box_right + LABEL_ZONE + k * LANE_GAP
    width = box_right + LABEL_ZONE + len(right_lanes) * LANE_GAP + MARGIN

    # Vertical positions: the start dot, then each box with the gap its centre arrow needs.
    centre_by_pair = {(src, dst): ti for ti, src, dst in centre}
    centre_labels = {ti: wrap(labels[ti], box_w / 2 + LABEL_ZONE - 24, LABEL_SIZE) for ti, _s, _d in centre}
    title_h = _lh(STATE_SIZE) + 10 if title and heading else 0
    start_y = MARGIN + title_h + START_R
    y = start_y + START_R
    for i, box in enumerate(boxes):
        ti = centre_by_pair.get((i - 1, i))
        need = len(centre_labels[ti]) * _lh(LABEL_SIZE) + 18 if ti is not None else 0
        y += max(MIN_GAP if i else 28, need)
        box.top = y
        content = 14 + len(box.label) * _lh(STATE_SIZE)
        if box.loops:
            content += 10 + sum(len(lines) for _n, lines in box.loops) * _lh(LOOP_SIZE)
        box.height = max(content + 6, _side_height(box.left), _side_height(box.right), 44)
        _place_slots(box.right, box.top)
        _place_slots(box.left, box.top)
        y = box.bottom
    height = y + MARGIN

    parts: list[str] = []
    title_id = f"{prefix}-title"
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" role="img" '
        f'aria-labelledby="{title_id}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="{font}" data-workflow="{workflow.name}">'
    )
    parts.append(f'<title id="{title_id}">{escape(title or workflow.name)}</title>')
    parts.append(
        f'<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse" markerUnits="userSpaceOnUse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/></marker>'
        f'<marker id="{prefix}-back" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse" markerUnits="userSpaceOnUse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{BACK_EDGE}"/></marker></defs>'
    )
    parts.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    if title and heading:
        parts.append(
            _text(width / 2, MARGIN + STATE_SIZE, [title], STATE_SIZE, anchor="middle", weight="bold")
        )

    # Start dot.
    parts.append(f'<circle class="fc-start" cx="{cx:.1f}" cy="{start_y:.1f}" r="{START_R}" fill="{INK}"/>')

    # States.
    for box in boxes:
        stroke = FINAL_STROKE if box.final else BOX_STROKE
        fill = FINAL_FILL if box.final else BOX_FILL
        parts.append(f'<g class="fc-state" data-state="{escape(box.value)}">')
        parts.append(
            f'<rect x="{box_x:.1f}" y="{box.top:.1f}" width="{box_w:.1f}" height="{box.height:.1f}" '
            f'rx="10" ry="10" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>'
        )
        if box.final:  # a double border marks an end state
            parts.append(
                f'<rect x="{box_x + 3:.1f}" y="{box.top + 3:.1f}" width="{box_w - 6:.1f}" '
                f'height="{box.height - 6:.1f}" rx="8" ry="8" fill="none" stroke="{stroke}" stroke-width="1"/>'
            )
        ty = box.top + 10 + STATE_SIZE
        if not box.loops:  # a plain state: its name in the middle of the box
            ty = box.top + (box.height - len(box.label) * _lh(STATE_SIZE)) / 2 + STATE_SIZE
        parts.append(_text(cx, ty, box.label, STATE_SIZE, anchor="middle", weight="bold"))
        ty += (len(box.label) - 1) * _lh(STATE_SIZE) + 8
        if box.loops:
            parts.append(
                f'<line x1="{box_x + 10:.1f}" y1="{ty:.1f}" x2="{box_right - 10:.1f}" y2="{ty:.1f}" '
                f'stroke="{stroke}" stroke-width="0.6" stroke-dasharray="3 2"/>'
            )
            ty += 4 + LOOP_SIZE
            for name, lines in box.loops:
                parts.append(f'<g class="fc-loop" data-transition="{escape(name)}">')
                parts.append(_loop_mark(box_x + 12, ty + 2))
                parts.append(_text(box_x + 28, ty, lines, LOOP_SIZE, fill=MUTED))
                parts.append("</g>")
                ty += len(lines) * _lh(LOOP_SIZE)
        parts.append("</g>")

    # Centre arrows between neighbouring states (and from the start dot to the first state).
    for ti, src, dst in centre:
        y1 = start_y + START_R if src == -1 else boxes[src].bottom
        y2 = boxes[dst].top
        name = escape(workflow.transitions[ti].name)
        parts.append(f'<g class="fc-edge" data-transition="{name}">')
        parts.append(
            f'<path class="fc-arrow" d="M {cx:.1f} {y1:.1f} V {y2 - 1:.1f}" fill="none" stroke="{EDGE}" '
            f'stroke-width="1.4" marker-end="url(#{prefix}-arrow)"/>'
        )
        lines = centre_labels[ti]
        block = len(lines) * _lh(LABEL_SIZE)
        first = (y1 + y2) / 2 - block / 2 + LABEL_SIZE - 2
        parts.append(_text(cx + 8, first, lines, LABEL_SIZE))
        parts.append("</g>")

    # Lane arrows.
    for lane in [*right_lanes, *left_lanes]:
        t: Transition = workflow.transitions[lane.transition]
        right = lane.side == "right"
        edge_x = box_right if right else box_x
        colour, marker = (EDGE, "arrow") if right else (BACK_EDGE, "back")
        entry = next(
            s
            for s in (boxes[lane.target].right if right else boxes[lane.target].left)
            if s.entry and s.transition == lane.transition
        )
        d: list[str] = []
        ys = [entry.y]
        joints: list[tuple[float, float]] = []
        for s in lane.sources:
            if s == -1:
                d.append(f"M {cx + START_R:.1f} {start_y:.1f} H {lane.x:.1f}")
                ys.append(start_y)
                continue
            exit_slot = next(
                sl
                for sl in (boxes[s].right if right else boxes[s].left)
                if not sl.entry and sl.transition == lane.transition
            )
            d.append(f"M {edge_x:.1f} {exit_slot.y:.1f} H {lane.x:.1f}")
            ys.append(exit_slot.y)
            if len(lane.sources) > 1:
                joints.append((lane.x, exit_slot.y))
        d.append(f"M {lane.x:.1f} {min(ys):.1f} V {max(ys):.1f}")
        end_x = edge_x + (1 if right else -1)
        d.append(f"M {lane.x:.1f} {entry.y:.1f} H {end_x:.1f}")
        parts.append(f'<g class="fc-edge" data-transition="{escape(t.name)}">')
        parts.append(
            f'<path class="fc-arrow" d="{" ".join(d)}" fill="none" stroke="{colour}" stroke-width="1.4" '
            f'stroke-linejoin="round" marker-end="url(#{prefix}-{marker})"/>'
        )
        for jx, jy in joints:
            parts.append(f'<circle cx="{jx:.1f}" cy="{jy:.1f}" r="2.5" fill="{colour}"/>')
        block = len(entry.label) * _lh(LABEL_SIZE)
        first = entry.y - 5 - block + LABEL_SIZE
        if right:
            parts.append(_text(box_right + 8, first, entry.label, LABEL_SIZE))
        else:
            parts.append(_text(box_x - 8, first, entry.label, LABEL_SIZE, anchor="end"))
        parts.append("</g>")

    parts.append("</svg>")
    return "".join(parts)


# --- The flowcharts the help page shows ----------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    name: str  # in the image's URL
    workflow: Workflow
    title: object  # a lazy translation


_CHARTS: dict[str, Chart] = {}


def publish(name: str, workflow: Workflow, *, title: object) -> None:
    """Put a workflow's flowchart on the help page; apps call this from ``AppConfig.ready``."""
    _CHARTS[name] = Chart(name, workflow, title)


def published() -> list[Chart]:
    """Every published chart, in the order the apps published them."""
    return list(_CHARTS.values())


def chart(name: str) -> Chart | None:
    return _CHARTS.get(name)
