"""Pareto arithmetic (排列图), shared by the complaint reports (K-12, K-15) and the survey
analysis (S-9). Pure: no ORM, no settings, no Django.

* Cumulative shares come from integer running sums divided by the total, so the last row is
  exactly 1.0. Zero-count keys are dropped: a bar of height 0 is noise.
* The catch-all ("Other", 其他: key ``OTHER_KEY``) is always the last bar, whatever its count:
  it is not one cause to act on, and a chart that puts it first hides the real largest
  category. The cumulative line follows the bars as drawn; the catch-all is never one of the
  vital few.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

    K = TypeVar("K", bound=SupportsRichComparison)
else:
    K = TypeVar("K")

__all__ = [
    "LABEL_WIDTH",
    "OTHER_KEY",
    "ParetoRow",
    "nice_axis",
    "pareto",
    "pareto_options",
    "pareto_order",
    "pareto_points",
]

# The catch-all category's code (complaints migration 0002: 其他 / Other; surveys.coding.OTHER).
OTHER_KEY = "other"


def _exact(x: float | Fraction) -> Fraction:
    """0.8 as typed by a person, not 0.8000000000000000444 as stored by a float."""
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


@dataclass(frozen=True)
class ParetoRow(Generic[K]):
    key: K
    count: int
    cumulative_count: int
    total: int
    vital: bool

    @property
    def share(self) -> float:
        return self.count / self.total

    @property
    def cumulative_share(self) -> float:
        """Integer running sum ÷ total: the last row is exactly 1.0, whatever the counts."""
        return self.cumulative_count / self.total


def pareto_order(counts: Mapping[K, int], *, last: object = OTHER_KEY) -> list[tuple[K, int]]:
    """(key, count) as the bars stand: count descending, ties by key (the same chart on every
    run), the catch-all ``last`` after all others whatever its count; zero counts dropped."""
    if any(n < 0 for n in counts.values()):
        raise ValueError("Pareto counts cannot be negative")
    return sorted(
        ((k, n) for k, n in counts.items() if n > 0),
        key=lambda kv: (kv[0] == last, -kv[1], kv[0]),
    )


def pareto(
    counts: Mapping[K, int], threshold: float | Fraction = 0.8, *, last: object = OTHER_KEY
) -> list[ParetoRow[K]]:
    """Bars in ``pareto_order``: count descending, the catch-all ``last`` at the end.

    ``vital`` marks the "vital few": the shortest prefix whose cumulative share reaches the
    threshold, i.e. a row is vital when the rows before it have not yet reached it. The
    first row is therefore always vital. A tie across the boundary is broken by key, like
    the order; the chart shows the tied bar next to it for the reader to judge. The catch-all
    is never vital: "Other" is no one thing to act on, however large.
    """
    limit = _exact(threshold)
    if not 0 < limit <= 1:
        raise ValueError(f"a Pareto threshold needs 0 < threshold <= 1, got {threshold}")
    items = pareto_order(counts, last=last)
    total = sum(n for _, n in items)
    rows: list[ParetoRow[K]] = []
    running = 0
    for key, n in items:
        vital = Fraction(running, total) < limit and key != last
        running += n
        rows.append(ParetoRow(key, n, running, total, vital))
    return rows


def pareto_points(counts: Sequence[int]) -> list[float]:
    """Cumulative percentages from integer running sums; the last is exactly 100."""
    total = sum(counts)
    if not total:
        return [0.0 for _ in counts]
    running = 0
    points = []
    for n in counts:
        running += n
        points.append(100 * running / total)
    points[-1] = 100.0
    return points


def nice_axis(top: float, intervals: int = 5) -> tuple[int, int]:
    """(max, step) of a count axis with ``intervals`` equal steps and room above ``top``.

    The step is the smallest whole 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k giving at least 10 % headroom, so the
    tallest bar never touches the top of the plot and its count label fits above it; with five
    steps the count axis's grid lines meet the percentage axis's 0, 20, …, 100 %.
    """
    wanted = max(float(top), 0.0) * 1.1 / intervals
    magnitude = 1
    while True:
        for tenths in (10, 15, 20, 25, 30, 40, 50, 60, 80):
            if (tenths * magnitude) % 10:
                continue  # a count axis steps in whole counts
            step = tenths * magnitude // 10
            if step >= wanted and step * intervals > top:
                return step * intervals, step
        magnitude *= 10


# --- the ECharts picture of the web pages (drawn by static/estatedesk/charts.js) ---------------

BLUE = "#0d6efd"  # the palette's first two colours (reports.echarts.PALETTE)
RED = "#dc3545"
LABEL_WIDTH = 140  # px: a longer category name is shortened with "…" (the tooltip has it whole)


def _first_label_room(labels: Sequence[str]) -> int:
    """Pixels left of the plot for the first slanted category name (12 px font, estimated)."""
    if not labels:
        return 12
    text = labels[0]
    width = sum(12 if unicodedata.east_asian_width(ch) in ("W", "F") else 7 for ch in text)
    return max(12, round(min(width, LABEL_WIDTH) * 0.87) - 24)


def pareto_options(
    labels: Sequence[str],
    counts: Sequence[int],
    vital: Sequence[bool],
    *,
    count_name: str,
    cumulative_name: str,
) -> dict[str, Any]:
    """Bars in the order given (``pareto``: largest first, "Other" last), the cumulative %
    line on a 0–100 right axis, the vital few darker, 80 % dashed.

    The 80 % line's label sits inside the plot at its right end, above the line (where the
    cumulative line is already near 100 % and the bars are short), not on the right axis
    where it covered the axis's own "80 %"; the count axis has headroom (``nice_axis``).
    """
    total = sum(counts) or 1
    running = 0
    cumulative = []
    for n in counts:
        running += n
        cumulative.append(round(100 * running / total, 1))
    if counts:
        cumulative[-1] = 100.0
    top, step = nice_axis(max(counts, default=0))
    return {
        "color": [BLUE, RED],
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [count_name, cumulative_name], "top": 0},
        # The slanted first label reaches left of its bar: room for it, not a clipped "…ance".
        "grid": {
            "left": _first_label_room(labels),
            "right": 12,
            "bottom": 8,
            "top": 44,
            "containLabel": True,
        },
        "xAxis": {
            "type": "category",
            "data": list(labels),
            "axisLabel": {"rotate": 30, "interval": 0, "width": LABEL_WIDTH, "overflow": "truncate"},
        },
        "yAxis": [
            {
                "type": "value",
                "name": count_name,
                "nameTextStyle": {"align": "left"},
                "min": 0,
                "max": top,
                "interval": step,
                "minInterval": 1,
            },
            {
                "type": "value",
                "min": 0,
                "max": 100,
                "interval": 20,
                "axisLabel": {"formatter": "{value} %"},
                "splitLine": {"show": False},
            },
        ],
        "series": [
            {
                "name": count_name,
                "type": "bar",
                "barMaxWidth": 56,
                "label": {"show": True, "position": "top"},
                "data": [
                    {"value": n, "itemStyle": {"color": BLUE if v else "#9ec5fe"}}
                    for n, v in zip(counts, vital, strict=True)
                ],
            },
            {
                "name": cumulative_name,
                "type": "line",
                "yAxisIndex": 1,
                "data": cumulative,
                "itemStyle": {"color": RED},
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "data": [{"yAxis": 80}],
                    "lineStyle": {"type": "dashed", "color": "#6c757d"},
                    "label": {"position": "insideEndTop", "formatter": "80 %", "color": "#495057"},
                },
            },
        ],
    }
