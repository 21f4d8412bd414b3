"""Charts drawn for the printed reports (SPEC A-3, K-12): read back from the SVG itself.

The Pareto chart's marks carry ids (plot-area, bar-<i>, cumulative), so the test measures
what is drawn: bar heights and the cumulative line's points in the SVG's own coordinates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from estatedesk.core import charts as core_charts
from estatedesk.reports import charts, echarts

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
def test_a_pareto_chart_draws_the_bars_as_given_with_other_last_and_ends_at_100_percent() -> None:
    # stats.pareto's order: largest first, 其他 (Other) last although it is not the smallest.
    svg = pareto(["维修", "清洁", "车辆", "治安", "其他"], [7, 3, 2, 1, 4], [True, True, False, False, False])

    heights = _bar_heights(svg, 5)
    assert heights[:4] == sorted(heights[:4], reverse=True)
    assert heights[4] == pytest.approx(4 * heights[3], rel=1e-3)  # 其他 (4) stays last
    assert heights[0] == pytest.approx(7 * heights[3], rel=1e-3)  # 7 and 1 complaints

    cumulative = _cumulative_percent(svg)
    assert cumulative[-1] == pytest.approx(100, abs=1e-6)
    # 7, 10, 12, 13, 17 of 17 complaints
    assert cumulative == pytest.approx([100 * n / 17 for n in (7, 10, 12, 13, 17)], abs=0.01)
    assert 'id="line-80"' in svg  # the dashed 80 % line


@pytest.mark.req("A-3")
@pytest.mark.req("K-12")
def test_the_tallest_bar_has_headroom_and_the_100_percent_marker_is_not_clipped() -> None:
    # issue 12: the top bar touched the top of the plot; the last marker was cut in half.
    svg = pareto(["维修", "清洁", "其他"], [40, 18, 22], [True, True, False])
    plot_top, plot_bottom = _box(svg, "plot-area")
    bar_top, _bar_bottom = _box(svg, "bar-0")
    assert (bar_top - plot_top) / (plot_bottom - plot_top) >= 0.09  # 40 on a 0–50 axis: 20 %
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    line = root.find(f".//{SVG}g[@id='cumulative']")
    assert line is not None
    assert not [e for e in line.iter() if "clip-path" in e.attrib]


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


# --- the same charts in the browser (ECharts options, reports.echarts) ----------------------


@pytest.mark.req("A-1")
@pytest.mark.req("K-12")
@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (0, (5, 1)),
        (1, (5, 1)),
        (4, (5, 1)),
        (5, (10, 2)),
        (25, (30, 6)),
        (40, (50, 10)),
        (60, (75, 15)),
        (95, (125, 25)),
    ],
)
def test_the_count_axis_ends_on_a_round_number_above_the_tallest_bar(
    top: int, expected: tuple[int, int]
) -> None:
    maximum, step = echarts.nice_axis(top)
    assert (maximum, step) == expected
    assert maximum >= top * 1.1 and maximum > top and maximum == 5 * step


@pytest.mark.req("A-1")
@pytest.mark.req("K-12")
def test_the_browser_pareto_keeps_the_order_has_headroom_and_labels_80_percent_inside_the_plot() -> None:
    option = echarts.pareto(
        ["维修", "清洁", "车辆", "其他"],
        [40, 18, 12, 22],
        [True, True, False, False],
        count_name="投诉",
        cumulative_name="累计占比",
    )
    bars, line = option["series"]
    assert [d["value"] for d in bars["data"]] == [40, 18, 12, 22]  # 其他 stays last
    assert option["xAxis"]["data"] == ["维修", "清洁", "车辆", "其他"]
    assert line["data"][-1] == 100.0
    count_axis, percent_axis = option["yAxis"]
    assert count_axis["max"] == 50 and count_axis["interval"] == 10  # 40 does not touch the top
    assert percent_axis["max"] == 100 and percent_axis["interval"] == 20  # grid lines shared
    # issue 12: the 80 % label sat on the right axis over its own "80"; now inside the plot
    label = line["markLine"]["label"]
    assert label["position"].startswith("inside") and label["formatter"] == "80 %"
    assert line["markLine"]["data"] == [{"yAxis": 80}]


@pytest.mark.req("A-3")
def test_month_labels_break_between_the_year_and_the_month_never_inside_a_number() -> None:
    assert core_charts.wrap("2026年12月", 7) == "2026年\n12月"
    assert core_charts.wrap("2026年1月", 7) == "2026年\n1月"
    assert core_charts.wrap("Repairs and maintenance", 12) == "Repairs and\nmaintenance"
    assert core_charts.wrap("维修", 7) == "维修"


@pytest.mark.req("A-1")
def test_a_long_first_category_name_is_not_cut_off_at_the_left_edge() -> None:
    option = echarts.pareto(
        ["Repairs and maintenance", "Other"], [5, 1], [True, False], count_name="C", cumulative_name="%"
    )
    assert option["grid"]["left"] >= 80  # room for the slanted first label
    assert option["xAxis"]["axisLabel"]["overflow"] == "truncate"  # longer names end in "…"
    short = echarts.pareto(["维修", "其他"], [5, 1], [True, False], count_name="C", cumulative_name="%")
    assert short["grid"]["left"] == 12
