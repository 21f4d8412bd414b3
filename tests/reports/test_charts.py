"""Charts drawn for the printed reports (SPEC A-3, K-12): read back from the SVG itself.

The Pareto chart's marks carry ids (plot-area, bar-<i>, cumulative), so the test measures
what is drawn: bar heights and the cumulative line's points in the SVG's own coordinates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from estatedesk.reports import charts

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _points(svg: str, gid: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    group = root.find(f".//{SVG}g[@id='{gid}']")
    assert group is not None, f"no element with id {gid}"
    path = group.find(f"{SVG}path")
    assert path is not None
    numbers = [float(n) for n in NUMBER.findall(path.attrib["d"])]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def _box(svg: str, gid: str) -> tuple[float, float]:
    """(top, bottom) of a rectangle in SVG coordinates (y grows downwards)."""
    ys = [y for _x, y in _points(svg, gid)]
    return min(ys), max(ys)


def _bar_heights(svg: str, n: int) -> list[float]:
    heights = []
    for i in range(n):
        top, bottom = _box(svg, f"bar-{i}")
        heights.append(bottom - top)
    return heights


def _cumulative_percent(svg: str) -> list[float]:
    top, bottom = _box(svg, "plot-area")  # the right axis runs 0 % (bottom) to 100 % (top)
    return [100 * (bottom - y) / (bottom - top) for _x, y in _points(svg, "cumulative")]


def pareto(labels: list[str], counts: list[int], vital: list[bool], **kwargs: object) -> str:
    return charts.pareto_svg(
        labels,
        counts,
        vital,
        title="投诉类别帕累托图",
        count_label="投诉数",
        cumulative_label="累计 %",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.req("A-3")
@pytest.mark.req("K-12")
def test_a_pareto_chart_sorts_the_bars_and_its_cumulative_line_ends_at_100_percent() -> None:
    # Given out of order: the chart still draws the largest first.
    svg = pareto(["清洁", "维修", "治安", "车辆"], [3, 7, 1, 2], [True, True, False, False])

    heights = _bar_heights(svg, 4)
    assert heights == sorted(heights, reverse=True)
    assert heights[0] == pytest.approx(7 * heights[3], rel=1e-3)  # 7 and 1 complaints

    cumulative = _cumulative_percent(svg)
    assert cumulative[-1] == pytest.approx(100, abs=1e-6)
    # 7, 10, 12, 13 of 13 complaints
    assert cumulative == pytest.approx([100 * 7 / 13, 100 * 10 / 13, 100 * 12 / 13, 100], abs=0.01)
    assert cumulative == sorted(cumulative)
    assert 'id="line-80"' in svg  # the dashed 80 % line


@pytest.mark.req("A-3")
def test_the_cumulative_points_end_at_exactly_100_whatever_the_rounding() -> None:
    assert charts.pareto_points([1, 1, 1]) == [100 / 3, 200 / 3, 100.0]
    assert charts.pareto_points([0, 0]) == [0.0, 0.0]
    assert charts.pareto_points([]) == []


@pytest.mark.req("A-3")
def test_charts_are_deterministic_and_need_no_font() -> None:
    with translation.override("zh-hans"):
        first = pareto(["维修", "清洁"], [5, 2], [True, False])
        second = pareto(["维修", "清洁"], [5, 2], [True, False])
    assert first == second  # same input, same bytes: no date, fixed ids
    assert first.startswith("<svg")
    assert "<text" not in first  # glyphs are outlines: the PDF needs no font
    assert "<dc:date>" not in first


@pytest.mark.req("A-3")
def test_traditional_chinese_uses_the_tc_glyphs() -> None:
    # Some code points shared by both scripts have different glyphs in the SC and TC cuts
    # of Noto Sans CJK (骨, 直, 角); the Traditional report uses the TC outlines.
    sc = pareto(["骨直角"], [1], [True], traditional=False)
    tc = pareto(["骨直角"], [1], [True], traditional=True)
    assert sc != tc
    with translation.override("zh-hant"):
        assert pareto(["骨直角"], [1], [True]) == tc


@pytest.mark.req("A-3")
def test_lines_and_bars_draw_every_series() -> None:
    months = [f"{m}月" for m in range(1, 13)]
    lines = charts.lines_svg(
        months, {"收到": [3, 4, None, 5] + [1] * 8, "有效": [1] * 12}, title="趋势", percent=False
    )
    assert 'id="series-0"' in lines and 'id="series-1"' in lines
    # A None is a gap: the first series' path starts again after it (two "M" moves).
    assert len(_points(lines, "series-0")) == 11
    root = ET.fromstring(lines)  # noqa: S314
    group = root.find(f".//{SVG}g[@id='series-0']")
    assert group is not None
    assert group.find(f"{SVG}path").attrib["d"].count("M") == 2  # type: ignore[union-attr]

    bars = charts.bars_svg(["甲", "乙"], {"收到": [5, 3], "有效": [2, 1]}, title="部门", horizontal=True)
    assert all(f'id="series-{i}-{j}"' in bars for i in (0, 1) for j in (0, 1))
    stacked = charts.bars_svg(["甲", "乙"], {"收到": [5, 3], "有效": [2, 1]}, title="部门", stacked=True)
    top, bottom = _box(stacked, "series-1-0")
    lower_top, _lower_bottom = _box(stacked, "series-0-0")
    assert bottom == pytest.approx(lower_top)  # the second series sits on the first


@pytest.mark.req("A-3")
def test_pareto_refuses_mismatched_inputs() -> None:
    with pytest.raises(ValueError):
        pareto(["维修"], [1, 2], [True])
