"""The fishbone drawing (SPEC I-1): a pure function from causes to an SVG document."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estatedesk.core.fishbone import BONES, MAX_CAUSES, MAX_WIDTH, MIN_FONT_SIZE, PRINT_WIDTH, draw

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
    """Each <text> as read, its wrapped lines (<tspan>) joined."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


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


# --- geometry: readable, and no text crossed by a bone (issue 12) ---------------------------

Box = tuple[float, float, float, float]


def _segments(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """The bones and the spine (tails and cause ticks excluded: a tick runs under its text)."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "bone":
            line = group.find(f"{SVG}line")
            found.append(tuple(float(line.get(k)) for k in ("x1", "y1", "x2", "y2")))
    spine = [ln for ln in root.findall(f"{SVG}line") if ln.get("y1") == ln.get("y2")]
    found += [tuple(float(ln.get(k)) for k in ("x1", "y1", "x2", "y2")) for ln in spine]
    return found


def _cause_boxes(root: ET.Element) -> list[Box]:
    return [
        tuple(float(v) for v in t.get("data-box").split())
        for t in root.iter(f"{SVG}text")
        if t.get("data-box")
    ]


def _label_boxes(root: ET.Element) -> list[Box]:
    boxes = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "bone":
            r = group.find(f"{SVG}rect")
            x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
            boxes.append((x, y, x + w, y + h))
    return boxes


def _crosses(segment: tuple[float, float, float, float], box: Box) -> bool:
    """Does the segment pass through the box? (sampled finely: the boxes are ≥ 12 px tall)"""
    x1, y1, x2, y2 = segment
    left, top, right, bottom = box
    steps = 400
    for i in range(steps + 1):
        x, y = x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps
        if left < x < right and top < y < bottom:
            return True
    return False


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check_layout(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    boxes = _cause_boxes(root)
    assert len(boxes) == sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "cause")
    width, height = float(root.get("width")), float(root.get("height"))
    for box in boxes:
        assert box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height, box
        for segment in _segments(root):
            assert not _crosses(segment, box), (segment, box)
        for label in _label_boxes(root):
            assert not _overlap(box, label), (box, label)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    for t in root.iter(f"{SVG}text"):
        assert float(t.get("font-size")) >= MIN_FONT_SIZE
    return root


LONG_CAUSES = {
    "man": ["新员工未经培训就上岗处理投诉", "值班人员不足"],
    "machine": ["电梯老化，故障频繁，维修配件需要从厂家订购，等待时间长"],
    "material": ["配件库存不足"],
    "method": ["回访流程没有规定时限", "投诉分类标准不清楚，不同人员分类结果不一致，导致统计失真"],
    "environment": ["雨季地下车库积水"],
    "measurement": ["满意度调查样本太少"],
}


@pytest.mark.req("I-1")
def test_no_cause_text_is_crossed_by_a_bone_and_every_text_is_at_least_12px():
    root = _check_layout(draw("电梯故障投诉反复出现，业主不满意", LONG_CAUSES, LABELS))
    # a long cause is wrapped onto lines, not cut to one line
    machine = next(t for t in root.iter(f"{SVG}text") if "".join(t.itertext()).startswith("电梯老化"))
    assert len(list(machine.iter(f"{SVG}tspan"))) >= 3
    assert "".join(machine.itertext()) == LONG_CAUSES["machine"][0]


@pytest.mark.req("I-1")
def test_the_fullest_picture_still_prints_its_causes_at_12px_across_an_a4_page():
    bones = {bone: [f"{bone} 原因{i}：较长的描述文字，" * 3 for i in range(MAX_CAUSES)] for bone in BONES}
    root = _check_layout(draw("问题" * 60, bones, LABELS))
    width = float(root.get("width"))
    assert width <= MAX_WIDTH
    smallest = min(float(t.get("font-size")) for t in root.iter(f"{SVG}text"))
    assert smallest * min(1.0, PRINT_WIDTH / width) >= MIN_FONT_SIZE


@pytest.mark.req("I-1")
def test_english_labels_and_an_unbreakable_word_stay_in_their_column():
    labels = {
        "man": "Man",
        "machine": "Machine",
        "material": "Material",
        "method": "Method",
        "environment": "Environment",
        "measurement": "Measurement",
    }
    bones = {
        "man": ["New staff handle complaints without training"],
        "machine": ["https://example.com/a-very-long-address-without-any-spaces-in-it"],
        "method": ["Follow-up visit has no time limit", "x" * 60],
    }
    _check_layout(draw("Lift breakdowns keep coming back", bones, labels))


@pytest.mark.req("I-1")
@settings(max_examples=40, deadline=None)
@given(
    causes=st.dictionaries(
        st.sampled_from(BONES),
        st.lists(
            st.text(alphabet="电梯故障维修 abcdefghij，。、0123456789", min_size=1, max_size=70), max_size=8
        ),
    )
)
def test_any_causes_keep_clear_of_the_bones(causes):
    _check_layout(draw("问题", causes, LABELS))
