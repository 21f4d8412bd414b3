"""ECharts options built in Python (SPEC A-1): the page only draws them (static/estatedesk/charts.js).

Pure: plain lists and strings in, a JSON-safe dict out. Labels are already translated by
the caller.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from estatedesk.core.pareto import nice_axis

PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"]


LABEL_WIDTH = 140  # px: a longer category name is shortened with "…" (the tooltip has it whole)


def _first_label_room(labels: Sequence[str]) -> int:
    """Pixels left of the plot for the first slanted category name (12 px font, estimated)."""
    if not labels:
        return 12
    text = labels[0]
    width = sum(12 if unicodedata.east_asian_width(ch) in ("W", "F") else 7 for ch in text)
    return max(12, round(min(width, LABEL_WIDTH) * 0.87) - 24)


def pareto(
    labels: Sequence[str],
    counts: Sequence[int],
    vital: Sequence[bool],
    *,
    count_name: str,
    cumulative_name: str,
) -> dict[str, Any]:
    """Bars in the order given (``stats.pareto``: largest first, "Other" last), the cumulative %
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
        "color": PALETTE,
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
                    {"value": n, "itemStyle": {"color": PALETTE[0] if v else "#9ec5fe"}}
                    for n, v in zip(counts, vital, strict=True)
                ],
            },
            {
                "name": cumulative_name,
                "type": "line",
                "yAxisIndex": 1,
                "data": cumulative,
                "itemStyle": {"color": PALETTE[1]},
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


def lines(
    categories: Sequence[str], series: dict[str, Sequence[float | int | None]], *, percent: bool = False
) -> dict[str, Any]:
    """One line per series over the categories (months); None leaves a gap."""
    y_axis: dict[str, Any] = {"type": "value", "minInterval": 1}
    if percent:
        y_axis = {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}}
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": list(series)},
        "grid": {"left": 45, "right": 20, "bottom": 40, "top": 40},
        "xAxis": {"type": "category", "data": list(categories)},
        "yAxis": y_axis,
        "series": [
            {"name": name, "type": "line", "data": list(values), "connectNulls": False}
            for name, values in series.items()
        ],
    }


def bars(
    categories: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
) -> dict[str, Any]:
    category_axis = {"type": "category", "data": list(categories)}
    value_axis = {"type": "value", "minInterval": 1}
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": list(series)},
        "grid": {"left": 110 if horizontal else 45, "right": 20, "bottom": 40, "top": 40},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {"name": name, "type": "bar", "data": list(values), **({"stack": "total"} if stacked else {})}
            for name, values in series.items()
        ],
    }
