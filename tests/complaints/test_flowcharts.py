"""Flowcharts (SPEC K-17): drawn from the workflow tables the services enforce, so the
pictures of §9.1 (complaints) and §9.5 (transfer slips), and the work-notice flow, cannot
disagree with the system."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from html import escape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from estatedesk.complaints import workflow
from estatedesk.complaints.workflow import Transition, Workflow
from estatedesk.core import flowchart, svgtext

SVG = "{http://www.w3.org/2000/svg}"
LANGUAGES = ["zh-hans", "zh-hant", "en"]


def _boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """State value -> (left, top, right, bottom) of its box."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "fc-state":
            rect = g.find(f"{SVG}rect")
            assert rect is not None
            x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
            out[g.get("data-state", "")] = (
                x,
                y,
                x + float(rect.get("width", 0)),
                y + float(rect.get("height", 0)),
            )
    return out


def _segments(d: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Our arrows are made of 'M x y H x2' and 'M x y V y2' pieces: (start, end) of each."""
    pieces = []
    for m in re.finditer(r"M ([\d.]+) ([\d.]+) ([HV]) ([\d.]+)", d):
        x, y, axis, to = float(m[1]), float(m[2]), m[3], float(m[4])
        pieces.append(((x, y), (to, y) if axis == "H" else (x, to)))
    return pieces


def _texts(svg: str) -> str:
    """All the words drawn, joined without spaces (labels may wrap over several lines)."""
    return re.sub(r"\s", "", "".join(re.findall(r">([^<>]*)</text>", svg)))


def _on_box(point: tuple[float, float], box: tuple[float, float, float, float], slack: float = 2.5) -> bool:
    x, y = point
    left, top, right, bottom = box
    inside_x = left - slack <= x <= right + slack
    inside_y = top - slack <= y <= bottom + slack
    on_edge = min(abs(x - left), abs(x - right)) <= slack or min(abs(y - top), abs(y - bottom)) <= slack
    return inside_x and inside_y and on_edge


def _arrows(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    arrows = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "fc-edge":
            path = g.find(f"{SVG}path")
            assert path is not None and path.get("marker-end")
            arrows[g.get("data-transition", "")] = path.get("d", "")
    return arrows


@pytest.mark.req("K-17")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["complaint", "slip", "notice"])
def test_every_state_and_every_step_is_in_the_picture(name, language):
    wf = workflow.WORKFLOWS[name]
    with translation.override(language):
        svg = flowchart.draw(wf, title="x")
        texts = _texts(svg)
        for value, label in wf.states:
            assert f'data-state="{value}"' in svg
            assert re.sub(r"\s", "", escape(str(label))) in texts, label
        for t in wf.transitions:
            assert f'data-transition="{t.name}"' in svg, t.name
            assert re.sub(r"\s", "", escape(str(t.label))) in texts, t.label


@pytest.mark.req("K-17")
@pytest.mark.parametrize("name", ["complaint", "slip", "notice"])
def test_every_arrow_joins_the_states_the_workflow_names(name):
    wf = workflow.WORKFLOWS[name]
    svg = flowchart.draw(wf)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    boxes = _boxes(root)
    start = root.find(f"{SVG}circle")
    assert start is not None and start.get("class") == "fc-start"
    dot = (float(start.get("cx", 0)), float(start.get("cy", 0)))
    arrows = _arrows(svg)
    for t in wf.transitions:
        moving = [s for s in t.sources if t.target is not None and s != t.target]
        if t.target is None or (t.sources and not moving):
            assert t.name not in arrows  # a step that keeps the state is listed in the box, not drawn
            continue
        pieces = _segments(arrows[t.name])
        assert _on_box(pieces[-1][1], boxes[t.target]), f"{t.name} does not end at {t.target}"
        starts = [p[0] for p in pieces]
        if not t.sources:
            assert any(abs(x - dot[0]) <= 8 and abs(y - dot[1]) <= 8 for x, y in starts), t.name
        for source in moving:
            assert any(_on_box(p, boxes[source]) for p in starts), f"{t.name} does not leave {source}"


@pytest.mark.req("K-17")
def test_a_new_transition_in_the_table_adds_an_arrow():
    wf = workflow.COMPLAINT
    before = flowchart.draw(wf)
    extra = Transition(
        "escalate_to_media",
        "Hand over to the press office",
        (workflow.NEW,),
        workflow.CLOSED,
        frozenset({"gm"}),
    )
    wider: Workflow = dataclasses.replace(wf, transitions=(*wf.transitions, extra))
    after = flowchart.draw(wider)
    assert after.count('class="fc-arrow"') == before.count('class="fc-arrow"') + 1
    assert "Handovertothepressoffice" in _texts(after) and "press" not in before
    pieces = _segments(_arrows(after)["escalate_to_media"])
    boxes = _boxes(ET.fromstring(after))  # noqa: S314 - our own output
    assert _on_box(pieces[-1][1], boxes[workflow.CLOSED])


@pytest.mark.req("K-17")
def test_a_step_that_keeps_the_state_is_marked_inside_its_box():
    wf = workflow.NOTICE
    extra = Transition("remind", "Send a reminder", (workflow.ISSUED,), None, frozenset({"gm"}))
    svg = flowchart.draw(dataclasses.replace(wf, transitions=(*wf.transitions, extra)))
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    issued = next(g for g in root.iter(f"{SVG}g") if g.get("data-state") == workflow.ISSUED)
    loops = [g for g in issued.iter(f"{SVG}g") if g.get("class") == "fc-loop"]
    assert [g.get("data-transition") for g in loops] == ["remind"]
    assert svg.count('class="fc-arrow"') == flowchart.draw(wf).count('class="fc-arrow"')


def test_a_transition_to_an_unknown_state_is_refused():
    broken = dataclasses.replace(
        workflow.NOTICE,
        transitions=(*workflow.NOTICE.transitions, Transition("x", "X", ("issued",), "nowhere", frozenset())),
    )
    with pytest.raises(ValueError, match="nowhere"):
        flowchart.draw(broken)


def test_long_labels_wrap_within_the_label_zone():
    lines = svgtext.wrap("Follow-up visit: dissatisfied, reopen for further measures", 100, 12)
    assert len(lines) > 1
    assert all(svgtext.text_width(line, 12) <= 100 for line in lines)
    chinese = svgtext.wrap("回访：不满意，重新打开投诉以采取进一步措施", 100, 12)
    assert "".join(chinese) == "回访：不满意，重新打开投诉以采取进一步措施"
    assert all(svgtext.text_width(line, 12) <= 100 for line in chinese)


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.req("K-17")
@pytest.mark.parametrize("name", ["complaint", "slip", "notice"])
def test_flowchart_image_is_svg_and_cacheable(world, name):
    client = world.client("handler_a")
    url = reverse("complaints:flowchart", args=[name])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age" in response["Cache-Control"] and "private" in response["Cache-Control"]
    ET.fromstring(response.content)  # noqa: S314 - well-formed XML
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.req("K-17")
@pytest.mark.parametrize("language", LANGUAGES)
def test_flowchart_labels_follow_the_chosen_language(world, language):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    svg = client.get(reverse("complaints:flowchart", args=["slip"])).content.decode()
    with translation.override(language):
        for _value, label in workflow.SLIP.states:
            assert escape(str(label)) in svg


def test_unknown_flowchart_is_404(world):
    assert world.client("handler_a").get(reverse("complaints:flowchart", args=["payroll"])).status_code == 404


@pytest.mark.req("K-17")
@pytest.mark.parametrize("language", LANGUAGES)
def test_help_page_shows_the_three_flowcharts_inline(world, language):
    client = world.client("colleague_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("complaints:help"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["complaint", "slip", "notice"]:
        assert f'data-workflow="{name}"' in html
        assert reverse("complaints:flowchart", args=[name]) in html
    with translation.override(language):
        for t in workflow.COMPLAINT.transitions:
            assert escape(str(t.label)) in html
    assert " style=" not in html  # CSP: inline styles are refused, in SVG too
    assert "§7.2.8" in html


def test_help_page_needs_a_staff_account(world):
    assert world.client("anonymous").get(reverse("complaints:help")).status_code in (302, 403)
    assert world.client("resident").get(reverse("complaints:help")).status_code == 403


@pytest.mark.req("K-17")
def test_complaints_publish_the_procedures_three_flowcharts():
    assert flowchart.chart("complaint").workflow is workflow.COMPLAINT
    assert flowchart.chart("slip").workflow is workflow.SLIP
    assert flowchart.chart("notice").workflow is workflow.NOTICE
    with translation.override("en"):
        assert str(flowchart.chart("slip").title) == "Work transfer slip flowchart"


@pytest.mark.req("K-17")
def test_every_other_published_flowchart_is_on_the_help_page_and_served_as_an_image(world, monkeypatch):
    monkeypatch.setattr(flowchart, "_CHARTS", dict(flowchart._CHARTS))
    extra = Workflow(
        name="survey",
        states=(("planned", "Planned"), ("done", "Done")),
        transitions=(
            Transition("plan", "Plan the survey", (), "planned", frozenset({"cs_supervisor"})),
            Transition("finish", "Finish the survey", ("planned",), "done", frozenset({"cs_supervisor"})),
        ),
        final=frozenset({"done"}),
    )
    flowchart.publish("survey", extra, title="Survey flowchart")
    client = world.client("colleague_a")
    html = client.get(reverse("complaints:help")).content.decode()
    for name in ["complaint", "slip", "notice", "survey"]:
        assert f'data-workflow="{name}"' in html
    others = html[html.index('id="other-flows"') :]
    assert 'data-workflow="survey"' in others and "Finish the survey" in others
    assert 'data-workflow="complaint"' not in others
    assert 'href="#flow-survey"' in html
    response = client.get(reverse("complaints:flowchart", args=["survey"]))
    assert response.status_code == 200 and b'data-workflow="survey"' in response.content
    monkeypatch.setattr(flowchart, "_CHARTS", {})
    assert client.get(reverse("complaints:flowchart", args=["slip"])).status_code == 404
