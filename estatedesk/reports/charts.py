"""Charts for the printed reports (SPEC A-3, K-12, K-13, K-15): matplotlib drawn to SVG strings.

The web pages draw ECharts in the browser (``reports.echarts``); a PDF cannot run JavaScript,
so the same pictures are drawn here on the server. The set-up every chart shares (no pyplot,
a lock, glyphs as outlines, Noto Sans CJK, deterministic output) and the Pareto chart live in
``core.charts``, which the survey app uses too; the lines and bars of the reports are here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from estatedesk.core.charts import (
    CUMULATIVE,
    GRID,
    INK,
    PALETTE,
    TRIVIAL,
    VITAL,
    category_labels,
    data_uri,
    draw,
    pareto_svg,
    wrap,
)
from estatedesk.core.pareto import pareto_points

__all__ = [
    "CUMULATIVE",
    "GRID",
    "INK",
    "PALETTE",
    "TRIVIAL",
    "VITAL",
    "bars_svg",
    "data_uri",
    "lines_svg",
    "pareto_points",
    "pareto_svg",
]

# --- lines and bars --------------------------------------------------------------------------


def _nan(values: Sequence[float | int | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def lines_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    *,
    title: str,
    percent: bool = False,
    traditional: bool | None = None,
) -> str:
    """One line per series over the categories (months); None leaves a gap. ``percent``: values 0–100."""

    def paint(figure: Any) -> None:
        from matplotlib.ticker import MaxNLocator, PercentFormatter  # on first use (core.charts.draw)

        axes = figure.add_subplot()
        axes.patch.set_gid("plot-area")
        axes.spines["right"].set_visible(False)
        xs = list(range(len(categories)))
        for i, (name, values) in enumerate(series.items()):
            (line,) = axes.plot(
                xs,
                _nan(values),
                color=PALETTE[i % len(PALETTE)],
                marker="o",
                markersize=3,
                linewidth=1.4,
                label=name,
            )
            line.set_gid(f"series-{i}")
        if percent:
            axes.set_ylim(0, 105)
            axes.set_yticks([0, 20, 40, 60, 80, 100])
            axes.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        else:
            top = max((v for vs in series.values() for v in vs if v is not None), default=0)
            axes.set_ylim(0, max(1.0, float(top) * 1.12))
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        # Half a step either side, whatever months have data: the first month is not drawn on
        # the value axis, and a year with one month of data keeps its twelve slots.
        axes.set_xlim(-0.5, max(len(categories), 1) - 0.5)
        category_labels(axes, categories)
        if series:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes.set_title(title, loc="left")

    return draw(2.6, traditional, paint)


def bars_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    *,
    title: str,
    stacked: bool = False,
    horizontal: bool = False,
    traditional: bool | None = None,
) -> str:
    """Grouped (or stacked) bars per category, upright or lying down."""
    n_series = max(len(series), 1)
    height = max(2.4, 0.28 * len(categories) + 0.9) if horizontal else 2.6

    def paint(figure: Any) -> None:
        from matplotlib.ticker import MaxNLocator  # on first use (core.charts.draw)

        axes = figure.add_subplot()
        axes.patch.set_gid("plot-area")
        axes.spines["right"].set_visible(False)
        xs = list(range(len(categories)))
        width = 0.7 if stacked else 0.8 / n_series
        base = [0.0] * len(categories)
        for i, (name, values) in enumerate(series.items()):
            heights = [0.0 if v is None else float(v) for v in values]
            positions = [float(x) if stacked else x - 0.4 + width * (i + 0.5) for x in xs]
            if horizontal:
                made = axes.barh(
                    positions,
                    heights,
                    height=width,
                    left=base if stacked else None,
                    color=PALETTE[i % len(PALETTE)],
                    label=name,
                    zorder=2,
                )
            else:
                made = axes.bar(
                    positions,
                    heights,
                    width=width,
                    bottom=base if stacked else None,
                    color=PALETTE[i % len(PALETTE)],
                    label=name,
                    zorder=2,
                )
            for j, patch in enumerate(made):
                patch.set_gid(f"series-{i}-{j}")
            if stacked:
                base = [b + h for b, h in zip(base, heights, strict=True)]
        value_axis = axes.xaxis if horizontal else axes.yaxis
        value_axis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="x" if horizontal else "y", color=GRID, linewidth=0.6, zorder=0)
        if horizontal:
            axes.set_yticks(xs, [wrap(str(c), 20) for c in categories])
            axes.invert_yaxis()  # the first category on top, as in a table
            axes.tick_params(axis="y", length=0)
        else:
            category_labels(axes, categories)
        if len(series) > 1:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes.set_title(title, loc="left")

    return draw(height, traditional, paint)
