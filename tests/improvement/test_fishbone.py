"""The fishbone drawing (SPEC I-1): a pure function from causes to an SVG document."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estatedesk.improvement.fishbone import BONES, MAX_CAUSES, draw

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {
    "man": "人",
    "machine": "机",
    "material": "料",
    "method": "法",
    "environment": "环",
    "measurement": "测",
}


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def titles(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}title")]


@pytest.mark.req("I-1")
def test_the_picture_is_xml_with_every_cause_escaped_and_the_six_labels():
    bones = {"man": ["<script>alert(1)</script>", "值班 & 交接"], "machine": ["控制柜老化"]}
    svg = draw("电梯 <停运> & 投诉", bones, LABELS)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    shown = texts(root)
    for label in LABELS.values():
        assert label in shown  # empty bones are still drawn with their label
    for cause in ("<script>alert(1)</script>", "值班 & 交接", "控制柜老化"):
        assert cause in shown and cause in titles(root)
    assert "电梯 <停运> & 投诉" in titles(root)
    assert "Noto Sans CJK SC" in root.get("font-family", "") and "sans-serif" in root.get("font-family", "")
    assert "style" not in svg  # presentation attributes only: fine under the page's CSP


@pytest.mark.req("I-1")
def test_eight_causes_per_bone_fit_inside_the_picture():
    bones = {bone: [f"{bone}原因{i}，较长的描述文字" for i in range(MAX_CAUSES)] for bone in BONES}
    root = ET.fromstring(draw("问题", bones, LABELS))
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    drawn = [t for t in root.iter(f"{SVG}text")]
    assert len(drawn) == 6 * MAX_CAUSES + 6 + 1  # causes, labels, one line of problem
    for t in drawn:
        assert 0 < float(t.get("y")) < height and 0 < float(t.get("x")) < width
    # causes of one bone are on distinct rows
    for bone_group in root.iter(f"{SVG}g"):
        if bone_group.get("class") == "bone":
            ys = [float(t.get("y")) for t in bone_group.iter(f"{SVG}text")]
            assert len(set(ys)) == len(ys)


@pytest.mark.req("I-1")
def test_a_long_cause_is_shortened_on_the_picture_but_kept_whole_in_its_title():
    long = "电梯控制柜老化已使用十五年以上故障率高需要整体更换控制系统并请厂家评估" * 2
    root = ET.fromstring(draw("问题", {"machine": [long]}, LABELS))
    assert long in titles(root)
    shortened = [t for t in texts(root) if t.startswith("电梯控制柜")]
    assert len(shortened) == 1 and shortened[0].endswith("…") and len(shortened[0]) < len(long)


@pytest.mark.req("I-1")
def test_the_bones_above_and_below_the_spine():
    root = ET.fromstring(draw("问题", {}, LABELS))
    mid = float(root.get("height")) / 2
    label_y = {t.text: float(t.get("y")) for t in root.iter(f"{SVG}text")}
    for label in ("人", "机", "料"):
        assert label_y[label] < mid
    for label in ("法", "环", "测"):
        assert label_y[label] > mid


@pytest.mark.req("I-1")
@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=80),
    causes=st.lists(st.text(max_size=40), max_size=10),
)
def test_any_text_gives_well_formed_xml(title, causes):
    svg = draw(title, {"man": causes, "method": causes}, LABELS)
    ET.fromstring(svg)
