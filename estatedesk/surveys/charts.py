"""The survey report's charts for print (SPEC S-2, S-3, A-3): matplotlib drawn to SVG, as the
complaint reports draw theirs (``reports.charts``, which this app may not import: the few lines
of set-up it needs are repeated here).

Same choices: no pyplot (a ``Figure`` with its own SVG canvas, under a lock and an
``rc_context``), glyphs as outlines (``svg.fonttype = "path"``) so the PDF needs no font,
Noto Sans CJK (the TC cut for zh-Hant), deterministic output.
"""

from __future__ import annotations

import io
import os
import threading
from base64 import b64encode
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from estatedesk.core.i18n import is_traditional
from estatedesk.surveys.echarts import ADJUSTED, BLUE, INK, WARNING, RateRow

__all__ = ["data_uri", "rates_svg"]

CJK_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY_SC = "Noto Sans CJK SC"
FAMILY_TC = "Noto Sans CJK TC"
WIDTH_IN = 6.9  # the text width of an A4 page with the print margins
_LOCK = threading.Lock()


@cache
def _matplotlib() -> Any:
    if not os.environ.get("MPLCONFIGDIR") and not os.access(Path.home(), os.W_OK):
        folder = Path(settings.DATA_DIR) / "cache" / "matplotlib"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(folder)
    import matplotlib  # on first use: slow to load, and most requests draw nothing

    matplotlib.use("svg")
    return matplotlib


@cache
def _families() -> tuple[str, ...]:
    from matplotlib import font_manager  # on first use, after _matplotlib() set it up

    names = {f.name for f in font_manager.fontManager.ttflist}
    if FAMILY_SC not in names and CJK_FILE.is_file():
        font_manager.fontManager.addfont(str(CJK_FILE))
        names = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in (FAMILY_SC, FAMILY_TC) if f in names)


def _rc() -> dict[str, Any]:
    families = list(_families())
    if is_traditional() and FAMILY_TC in families:
        families.remove(FAMILY_TC)
        families.insert(0, FAMILY_TC)
    return {
        "svg.fonttype": "path",
        "svg.hashsalt": "estatedesk-survey-chart",
        "font.family": [*families, "DejaVu Sans"],
        "font.size": 8.5,
        "axes.edgecolor": "#6c757d",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "legend.fontsize": 8,
        "text.color": INK,
    }


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + b64encode(svg.encode("utf-8")).decode("ascii")


def _draw(height_in: float, paint: Any) -> str:
    matplotlib = _matplotlib()
    with _LOCK, matplotlib.rc_context(_rc()):
        # On first use, after _matplotlib() set the config folder and the backend.
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure

        figure = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
        FigureCanvasSVG(figure)
        paint(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue().decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


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
        from matplotlib.ticker import PercentFormatter  # on first use (_matplotlib)

        axes = figure.add_subplot()
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
        axes.grid(axis="x", color="#dee2e6", linewidth=0.6, zorder=0)
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

    return _draw(height, paint)
