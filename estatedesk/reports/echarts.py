"""ECharts options built in Python (SPEC A-1): the page only draws them (static/estatedesk/charts.js).

Pure: plain lists and strings in, a JSON-safe dict out. Labels are already translated by
the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The Pareto picture and its axis are shared with the survey analysis (core.pareto).
from estatedesk.core.pareto import nice_axis
from estatedesk.core.pareto import pareto_options as pareto

__all__ = ["PALETTE", "bars", "lines", "nice_axis", "pareto"]

PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"]


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
