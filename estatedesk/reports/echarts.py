"""ECharts options built in Python (SPEC A-1): the page only draws them (static/estatedesk/charts.js).

Pure: plain lists and strings in, a JSON-safe dict out. Labels are already translated by
the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"]


def pareto(
    labels: Sequence[str],
    counts: Sequence[int],
    vital: Sequence[bool],
    *,
    count_name: str,
    cumulative_name: str,
) -> dict[str, Any]:
    """Bars sorted by the caller (largest first), cumulative % line on a 0–100 axis; the vital few darker."""
    total = sum(counts) or 1
    running = 0
    cumulative = []
    for n in counts:
        running += n
        cumulative.append(round(100 * running / total, 1))
    if counts:
        cumulative[-1] = 100.0
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [count_name, cumulative_name]},
        "grid": {"left": 40, "right": 50, "bottom": 70, "top": 40},
        "xAxis": {"type": "category", "data": list(labels), "axisLabel": {"rotate": 30, "interval": 0}},
        "yAxis": [
            {"type": "value", "name": count_name, "minInterval": 1},
            {"type": "value", "name": "%", "min": 0, "max": 100},
        ],
        "series": [
            {
                "name": count_name,
                "type": "bar",
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
                    "lineStyle": {"type": "dashed"},
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
