"""Charts drawn on the server with matplotlib, as SVG strings (SPEC A-3): the pictures of the
printed reports (``reports.charts``), the survey report and the survey analysis (``surveys``).

The web pages draw ECharts in the browser; a PDF cannot run JavaScript, so the same pictures
are drawn here. This module holds what every such chart shares, and the Pareto chart that
both the complaint reports and the survey analysis print. Choices, and why:

* No pyplot: a ``Figure`` with its own SVG canvas per chart, so there is no global "current
  figure" that two requests could share. matplotlib's settings are still process-wide, so
  each drawing holds a lock while it runs inside an ``rc_context`` (``draw``).
* ``svg.fonttype = "path"``: every glyph becomes an outline, so the PDF (and a browser)
  needs no font to show the chart, and Chinese cannot turn into boxes later.
* Chinese glyphs come from the system's Noto Sans CJK (Debian ``fonts-noto-cjk``); the
  Traditional cut (TC) is used for zh-Hant, as the printed forms do. Nothing is downloaded.
* Deterministic output (a fixed ``svg.hashsalt``, no date or creator in the metadata), so a
  chart drawn twice is byte-for-byte the same and tests can compare it.
* The marks the tests check carry ids (``gid``): the plot area ``plot-area``, bars
  ``bar-<i>`` (Pareto) and the cumulative line ``cumulative``.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import threading
import unicodedata
from base64 import b64encode
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from estatedesk.core.i18n import is_traditional
from estatedesk.core.pareto import nice_axis, pareto_points

log = logging.getLogger(__name__)

__all__ = [
    "CUMULATIVE",
    "GRID",
    "INK",
    "PALETTE",
    "TRIVIAL",
    "VITAL",
    "category_labels",
    "data_uri",
    "draw",
    "pareto_svg",
    "wrap",
]

PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"]
VITAL = "#0b4fb3"  # the vital few: darker than the rest
TRIVIAL = "#9ec5fe"
CUMULATIVE = "#dc3545"
INK = "#212529"
GRID = "#dee2e6"

CJK_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY_SC = "Noto Sans CJK SC"
FAMILY_TC = "Noto Sans CJK TC"

WIDTH_IN = 6.9  # the text width of an A4 page with the print margins, in inches
_LOCK = threading.Lock()


# --- matplotlib, loaded once, offline -------------------------------------------------------


def _config_dir() -> None:
    """matplotlib keeps its font cache in a config folder; a service account may have no
    writable home, so use a folder in our data directory unless the operator chose one."""
    if os.environ.get("MPLCONFIGDIR"):
        return
    home_cache = Path.home() / ".cache"
    if os.access(home_cache if home_cache.exists() else Path.home(), os.W_OK):
        return
    folder = Path(settings.DATA_DIR) / "cache" / "matplotlib"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(folder)


@cache
def _matplotlib() -> Any:
    _config_dir()
    # Imported on first use, not with this module: matplotlib is slow to load and most
    # requests draw no chart; its config folder must be set before it is imported.
    import matplotlib

    matplotlib.use("svg")  # no GUI toolkit, ever (a server has none)
    return matplotlib


def _fc_match(family: str) -> tuple[str, str] | None:
    """(file, family) of the system's closest font to ``family``, by fontconfig."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(  # noqa: S603 - fixed program, our own argument
            ["fc-match", "--format", "%{file}\n%{family[0]}", family],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, name = out.partition("\n")
    return (file, name) if file and Path(file).is_file() else None


@cache
def _families() -> tuple[str, ...]:
    """Font families matplotlib knows that cover Chinese, best first (SC, TC or a fallback)."""
    from matplotlib import font_manager  # on first use, after _matplotlib() (see there)

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    if FAMILY_SC not in known() and CJK_FILE.is_file():
        font_manager.fontManager.addfont(str(CJK_FILE))
    names = known()
    found = tuple(f for f in (FAMILY_SC, FAMILY_TC) if f in names)
    if found:
        return found
    match = _fc_match(FAMILY_SC)
    if match is not None:
        font_manager.fontManager.addfont(match[0])
        if match[1] in known():
            return (match[1],)
    log.warning("No Chinese font found for the charts; Chinese labels will not show")
    return ()


def _traditional(traditional: bool | None) -> bool:
    if traditional is not None:
        return traditional
    return is_traditional()


def _rc(traditional: bool) -> dict[str, Any]:
    families = list(_families())
    if traditional and FAMILY_TC in families:
        families.remove(FAMILY_TC)
        families.insert(0, FAMILY_TC)
    return {
        "svg.fonttype": "path",
        "svg.hashsalt": "estatedesk-report-chart",
        "font.family": [*families, "DejaVu Sans"],
        "font.size": 8.5,
        "axes.titlesize": 10,
        "axes.edgecolor": "#6c757d",
        "axes.labelcolor": INK,
        "text.color": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "legend.frameon": False,
        "legend.fontsize": 8,
    }


def _new_figure(height_in: float) -> Any:
    # On first use, after _matplotlib() set the config folder and the backend (see there).
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasSVG(figure)
    return figure


def _to_svg(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue().decode("utf-8")
    # A bare <svg> element: what an HTML page inlines and a data: URI carries.
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def draw(height_in: float, traditional: bool | None, paint: Callable[[Any], None]) -> str:
    """Run ``paint(figure)`` on a fresh A4-wide figure under the lock and our settings; the SVG."""
    matplotlib = _matplotlib()
    with _LOCK, matplotlib.rc_context(_rc(_traditional(traditional))):
        figure = _new_figure(height_in)
        paint(figure)
        return _to_svg(figure)


def data_uri(svg: str) -> str:
    """The SVG as an ``<img>`` source: works in the print view under the CSP and in WeasyPrint."""
    return "data:image/svg+xml;base64," + b64encode(svg.encode("utf-8")).decode("ascii")


# --- labels --------------------------------------------------------------------------------


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _tokens(label: str) -> list[str]:
    """Words (letters and digits kept together: "2026", "12") and single CJK glyphs; spaces
    are their own tokens, so a line may break there."""
    tokens: list[str] = []
    for ch in label:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if wide or ch == " " or not tokens or tokens[-1] == " " or _columns(tokens[-1][-1]) == 2:
            tokens.append(ch)
        else:
            tokens[-1] += ch
    return tokens


def wrap(label: str, width: int) -> str:
    """Break a category label into at most three lines of about ``width`` columns (a CJK
    glyph is 2), between words or CJK glyphs, never inside a number, and a number stays with
    the CJK unit after it: "2026年" / "12月", not "2026年1" / "2月"."""
    lines: list[list[str]] = []
    line: list[str] = []
    for token in _tokens(label):
        if "".join(line).strip() and _columns("".join([*line, token]).rstrip()) > width:
            carried: list[str] = []
            if len(line) > 1 and line[-1].isalnum() and _columns(line[-1][-1]) == 1 and _columns(token) == 2:
                carried = [line.pop()]  # the number goes down with its unit (年, 月, 日, 号…)
            lines.append(line)
            line = carried if token == " " else [*carried, token]
            continue
        if token == " " and not line:
            continue
        line.append(token)
    if "".join(line).strip():
        lines.append(line)
    return "\n".join("".join(parts).strip() for parts in lines[:3])


def category_labels(axes: Any, labels: Sequence[str]) -> None:
    # About 90 columns (a CJK glyph is two) fit across the plot at this font size.
    width = max(6, int(88 / max(len(labels), 1)))
    axes.set_xticks(range(len(labels)), [wrap(str(label), width) for label in labels])
    axes.tick_params(axis="x", length=0)


# --- Pareto ----------------------------------------------------------------------------------


def pareto_svg(
    labels: Sequence[str],
    counts: Sequence[int],
    vital: Sequence[bool],
    *,
    title: str,
    count_label: str,
    cumulative_label: str,
    traditional: bool | None = None,
) -> str:
    """Bars in the order given (largest first, "Other" last; the vital few darker), the
    cumulative % on a 0–100 right axis, 80 % dashed."""
    if not len(labels) == len(counts) == len(vital):
        raise ValueError("labels, counts and vital must have the same length")
    # The bars stand in the caller's order (``core.pareto.pareto``: largest first, "Other" last);
    # sorting again here by count would pull "Other" forward.
    rows = list(zip(labels, counts, vital, strict=True))
    names = [r[0] for r in rows]
    values = [int(r[1]) for r in rows]
    points = pareto_points(values)

    def paint(figure: Any) -> None:
        from matplotlib.ticker import PercentFormatter  # on first use (_matplotlib)

        axes = figure.add_subplot()
        axes.patch.set_gid("plot-area")
        xs = list(range(len(values)))
        bars = axes.bar(
            xs,
            values,
            width=0.62,
            color=[VITAL if r[2] else TRIVIAL for r in rows],
            label=count_label,
            zorder=2,
        )
        for i, bar in enumerate(bars):
            bar.set_gid(f"bar-{i}")
        axes.bar_label(bars, padding=1.5, fontsize=7.5)
        # Headroom above the tallest bar (and its count), five steps like the 0–100 % axis
        # so both axes share their grid lines.
        top, step = nice_axis(max(values, default=0))
        axes.set_ylim(0, top)
        axes.set_yticks(range(0, top + 1, step))
        axes.set_ylabel(count_label)
        axes.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        axes.set_xlim(-0.6, max(len(values), 1) - 0.4)
        category_labels(axes, names)

        right = axes.twinx()
        right.spines["top"].set_visible(False)
        right.set_ylim(0, 100)
        right.set_yticks([0, 20, 40, 60, 80, 100])
        right.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        right.axhline(80, color="#6c757d", linestyle=(0, (4, 3)), linewidth=0.9, gid="line-80")
        (line,) = right.plot(
            xs, points, color=CUMULATIVE, marker="o", markersize=3.5, linewidth=1.4, label=cumulative_label
        )
        line.set_gid("cumulative")
        # The last point is exactly 100 %, on the top edge: draw its marker whole, not halved.
        line.set_clip_on(False)
        figure.legend([bars, line], [count_label, cumulative_label], loc="outside upper right", ncols=2)
        axes.set_title(title, loc="left")

    return draw(3.0, traditional, paint)
