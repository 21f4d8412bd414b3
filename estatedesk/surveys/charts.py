"""The survey report's charts for print (SPEC S-2, S-3, A-3): matplotlib drawn to SVG, with the
set-up every server-drawn chart shares (``core.charts``: no pyplot, a lock, glyphs as outlines
so the PDF needs no font, Noto Sans CJK with the TC cut for zh-Hant, deterministic output).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from estatedesk.core.charts import GRID, data_uri, draw
from estatedesk.surveys.echarts import ADJUSTED, BLUE, INK, WARNING, RateRow

__all__ = ["data_uri", "rates_svg"]


def rates_svg(
    rows: Sequence[RateRow],
    *,
    target: float | None,
    raw_label: str,
    adjusted_label: str,
    interval_label: str,
    target_label: str,
) -> str:
    """Bars of the raw rate (below target in the warning colour) lying down, one per row, the
    95 % interval as whiskers, the adjusted rate as a diamond where points were taken off,
    and the target as a dashed line: the page's ECharts picture on paper."""
    height = max(1.8, 0.32 * len(rows) + 0.9)

    def paint(figure: Any) -> None:
        from matplotlib.ticker import PercentFormatter  # on first use (core.charts.draw)

        axes = figure.add_subplot()
        axes.spines["right"].set_visible(False)
        ys = list(range(len(rows)))
        raws = [r.raw or 0.0 for r in rows]
        bars = axes.barh(
            ys, raws, height=0.6, color=[WARNING if r.below_target else BLUE for r in rows], zorder=2
        )
        for i, bar in enumerate(bars):
            bar.set_gid(f"bar-{i}")
        low = [max(0.0, (r.raw or 0) - (r.ci_low or r.raw or 0)) for r in rows]
        high = [max(0.0, (r.ci_high or r.raw or 0) - (r.raw or 0)) for r in rows]
        whiskers = axes.errorbar(
            raws, ys, xerr=[low, high], fmt="none", ecolor=INK, capsize=3, linewidth=1, zorder=3
        )
        penalised = [
            (r.adjusted, y) for r, y in zip(rows, ys, strict=True) if r.penalty and r.adjusted is not None
        ]
        handles = [bars, whiskers]
        labels = [raw_label, interval_label]
        if penalised:
            marks = axes.scatter(
                [p[0] for p in penalised],
                [p[1] for p in penalised],
                marker="D",
                s=22,
                color=ADJUSTED,
                zorder=4,
            )
            handles.append(marks)
            labels.append(adjusted_label)
        if target is not None:
            line = axes.axvline(target, color="#dc3545", linestyle=(0, (4, 3)), linewidth=1, gid="target")
            handles.append(line)
            labels.append(f"{target_label} {target:.1f}%")
        values = [v for r in rows for v in (r.ci_low, r.adjusted, r.raw) if v is not None]
        lowest = min([*values, *([target] if target is not None else [])], default=0)
        start = max(0, int(lowest // 10) * 10 - 10) if lowest >= 50 else 0
        axes.set_xlim(start, 100)
        axes.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        axes.set_yticks(ys, [r.label for r in rows])
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
        for bar, row in zip(bars, rows, strict=True):
            if row.raw is not None:
                axes.text(
                    start + 0.5,
                    bar.get_y() + bar.get_height() / 2,
                    f"{row.raw:.1f}%",
                    va="center",
                    ha="left",
                    fontsize=7.5,
                    color="white",
                    zorder=5,
                )
        figure.legend(handles, labels, loc="outside upper right", ncols=len(handles))

    return draw(height, None, paint)
