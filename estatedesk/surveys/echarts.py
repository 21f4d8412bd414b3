"""ECharts options of the results page (SPEC S-2, S-3, A-1), built in Python and handed to the
page as JSON (``json_script``; ``static/estatedesk/charts.js`` only draws them).

Satisfaction per category or estate: a bar per row, lying down (the raw rate; below target in
the warning colour), the 95 % Wilson interval as whiskers (a boxplot whose box is squeezed to the rate, so
only the whiskers show: plain JSON, no drawing function), the adjusted rate as a diamond where
the return-rate rule took points off, and the target as a dashed line. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["BLUE", "WARNING", "chart_size", "rates_chart", "trend_chart"]

BLUE = "#0d6efd"
WARNING = "#fd7e14"
INK = "#212529"
ADJUSTED = "#6f42c1"


class RateRow(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def raw(self) -> float | None: ...
    @property
    def adjusted(self) -> float | None: ...
    @property
    def ci_low(self) -> float | None: ...
    @property
    def ci_high(self) -> float | None: ...
    @property
    def penalty(self) -> float: ...
    @property
    def below_target(self) -> bool: ...


def _axis_min(rows: Sequence[RateRow], target: float | None) -> int:
    """The value axis starts at 0 unless every figure is high: then at a round 10 below the
    lowest, so differences of a few points stay visible (the labels say the numbers)."""
    values = [v for r in rows for v in (r.ci_low, r.adjusted, r.raw) if v is not None]
    if target is not None:
        values.append(target)
    if not values:
        return 0
    low = min(values)
    return max(0, int(low // 10) * 10 - 10) if low >= 50 else 0


def chart_size(rows: int) -> str:
    """The page's height class for a chart of ``rows`` bars (``surveys-results.css``)."""
    return "sm" if rows <= 4 else "md" if rows <= 8 else "lg"


def rates_chart(
    rows: Sequence[RateRow],
    *,
    target: float | None,
    raw_name: str,
    adjusted_name: str,
    interval_name: str,
    target_name: str,
) -> dict[str, Any]:
    """Bars lying down (the names stay readable on a phone), the first row on top."""
    labels = [r.label for r in rows]
    bars = [
        {
            "value": r.raw,
            "itemStyle": {"color": WARNING if r.below_target else BLUE},
            "label": {"formatter": f"{r.raw:.1f}%"},
        }
        if r.raw is not None
        else None
        for r in rows
    ]
    whiskers = [
        [r.ci_low, r.raw, r.raw, r.raw, r.ci_high] if r.raw is not None and r.ci_low is not None else []
        for r in rows
    ]
    adjusted = [[r.adjusted, i] for i, r in enumerate(rows) if r.penalty and r.adjusted is not None]
    bar_series: dict[str, Any] = {
        "name": raw_name,
        "type": "bar",
        "barMaxWidth": 28,
        "data": bars,
        "label": {"show": True, "position": "insideLeft", "color": "#fff"},
    }
    if target is not None:
        bar_series["markLine"] = {
            "silent": True,
            "symbol": "none",
            "data": [{"xAxis": target, "name": target_name}],
            "lineStyle": {"type": "dashed", "color": "#dc3545"},
            "label": {"position": "start", "formatter": f"{target_name} {target:.1f}%", "color": "#dc3545"},
        }
    series: list[dict[str, Any]] = [
        bar_series,
        {
            "name": interval_name,
            "type": "boxplot",
            "layout": "horizontal",
            "data": whiskers,
            "boxWidth": [6, 14],
            "itemStyle": {"color": INK, "borderColor": INK, "borderWidth": 1.2},
            "tooltip": {"show": False},
            "z": 3,
        },
    ]
    if adjusted:
        series.append(
            {
                "name": adjusted_name,
                "type": "scatter",
                "symbol": "diamond",
                "symbolSize": 12,
                "data": adjusted,
                "itemStyle": {"color": ADJUSTED, "borderColor": "#fff", "borderWidth": 1},
                "z": 4,
            }
        )
    return {
        "color": [BLUE, INK, ADJUSTED],
        "tooltip": {"trigger": "item"},
        "legend": {"data": [s["name"] for s in series], "top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 56, "containLabel": True},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": labels,
            "axisLabel": {"interval": 0, "width": 110, "overflow": "truncate"},
            "axisTick": {"show": False},
        },
        "xAxis": {
            "type": "value",
            "min": _axis_min(rows, target),
            "max": 100,
            "axisLabel": {"formatter": "{value}%"},
        },
        "series": series,
    }


def trend_chart(
    years: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    target: float | None,
    target_name: str,
) -> dict[str, Any]:
    """The satisfaction rate per annual survey year (the dashboard's trend), target dashed."""
    lines: list[dict[str, Any]] = []
    for i, (name, values) in enumerate(series.items()):
        # The first series (the adjusted rate, the one that counts) carries its labels.
        line: dict[str, Any] = {
            "name": name,
            "type": "line",
            "data": [
                None if v is None else {"value": v, "label": {"formatter": f"{v:.1f}%"}} for v in values
            ],
            "connectNulls": False,
            "symbolSize": 8 if i == 0 else 6,
            "label": {"show": i == 0, "position": "top"},
            "lineStyle": {"type": "solid" if i == 0 else "dotted"},
        }
        if i == 0 and target is not None:
            line["markLine"] = {
                "silent": True,
                "symbol": "none",
                "data": [{"yAxis": target}],
                "lineStyle": {"type": "dashed", "color": "#dc3545"},
                "label": {
                    "position": "insideEndTop",
                    "formatter": f"{target_name} {target:.1f}%",
                    "color": "#dc3545",
                },
            }
        lines.append(line)
    shown: list[float] = [v for vs in series.values() for v in vs if v is not None]
    if target is not None:
        shown.append(target)
    low = min(shown, default=0.0)
    return {
        "color": [BLUE, "#6c757d"],
        "tooltip": {"trigger": "axis"},
        "legend": {"data": list(series), "top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 44, "containLabel": True},
        "xAxis": {"type": "category", "data": list(years)},
        "yAxis": {
            "type": "value",
            "min": max(0, int(low // 10) * 10 - 10) if low >= 50 else 0,
            "max": 100,
            "axisLabel": {"formatter": "{value}%"},
        },
        "series": lines,
    }
