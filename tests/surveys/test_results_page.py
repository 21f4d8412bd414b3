"""The results page of a survey (SPEC S-2, S-3, S-7, A-1): the figures worked out by hand in
``results_world``, in words and numbers, marked below target, and scoped to the user's estates."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.core.models import ExportRecord
from estatedesk.surveys import responses
from estatedesk.surveys.models import Household
from tests.conftest import World
from tests.surveys.results_world import COMMENT, REASON, answers_for, closed_survey


def _page(world: World, persona: str, pk: int, language: str = "en") -> str:
    response = world.client(persona).get(reverse("surveys:results", args=[pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.req("S-2", "S-3", "S-7", "A-1")
def test_overall_figures_and_the_rule_in_words(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    html = _page(world, "deputy_gm", survey.pk)
    assert 'data-figure="distributed">20<' in html
    assert 'data-figure="returned">10<' in html
    assert 'data-figure="return-rate">50.0%<' in html
    assert 'data-figure="raw">86.0%<' in html
    assert "Return rate 50.0%, not below 50%: no adjustment" in html
    assert 'data-figure="n">114<' in html
    # 98/114 below the 90 % target
    assert 'id="overall-below"' in html


@pytest.mark.req("S-2", "S-3")
def test_estate_with_a_low_return_rate_is_penalised(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    html = _page(world, "deputy_gm", survey.pk)
    assert (
        "Return rate 40.0%, 10.0 points below 50%: 1 point off for every full 5 points short — 2 points off"
        in html
    )
    assert "75.0%" in html and "73.0%" in html
    html_zh = _page(world, "deputy_gm", survey.pk, "zh-hans")
    assert "回收率 40.0%，低于 50%，差 10.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 2 个百分点" in html_zh


@pytest.mark.req("S-2")
def test_mean_score_and_wilson_interval_of_an_estate(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    html = _page(world, "deputy_gm", survey.pk)
    estates = html[html.index('id="table-estates"') : html.index('id="by-estate-category"')]
    row_a = estates[estates.index(world.estate_a.name) :].split("</tr>")[0]
    # 45/60: centre (0.75 + z²/120)/(1 + z²/60) = 0.734958, margin 1.959964·√(0.003125 + z²/14400)/1.064024
    # = 0.107278 → 62.8 %–84.2 %; mean (100 + 100 + 80 + 60) / 4 = 85.0
    assert ">60<" in row_a and "62.8%–84.2%" in row_a and ">85.0<" in row_a
    assert "−2.0" in row_a and "73.0%" in row_a and "Below target" in row_a
    row_b, reason_b = estates[estates.index(world.estate_b.name) :].split("</tr>")[:2]
    assert "98.1%" in row_b and "Below target" not in row_b
    assert "Return rate 60.0%, not below 50%: no adjustment" in reason_b


@pytest.mark.req("S-7", "S-2")
def test_a_handler_of_estate_b_sees_only_estate_b_rows(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    html = _page(world, "handler_b", survey.pk)
    assert 'id="scope-note"' in html
    for table in ("table-estates", "table-estate-categories", "table-buildings"):
        part = html[html.index(f'id="{table}"') :].split("</table>")[0]
        assert world.estate_b.name in part and world.estate_a.name not in part
    assert world.building_a.name not in html
    reasons = html[html.index('id="reasons"') :]
    assert REASON in reasons and COMMENT in reasons
    # the company-wide figure is the whole survey's
    assert 'data-figure="raw">86.0%<' in html
    a_only = _page(world, "handler_a", survey.pk)
    assert REASON not in a_only and world.building_b.name not in a_only


@pytest.mark.req("S-7")
def test_a_survey_out_of_scope_is_not_found(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    for name in ("results", "results_xlsx", "results_pdf", "results_print"):
        url = reverse(f"surveys:{name}", args=[survey.pk + 1000])
        assert world.client("deputy_gm").get(url).status_code == 404
    assert world.client("resident").get(reverse("surveys:results", args=[survey.pk])).status_code in (
        302,
        403,
        404,
    )


@pytest.mark.req("S-2", "S-3", "A-3")
def test_the_workbook_has_named_sheets_with_the_same_figures(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    response = world.client("deputy_gm").get(
        reverse("surveys:results_xlsx", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Overall figures",
        "By category",
        "By estate",
        "By estate and category",
        "By building",
        "By question",
        "Reasons and comments",
    ]
    estates = book["By estate"]
    assert estates.freeze_panes == "A2" and estates.auto_filter.ref
    header = [c.value for c in estates[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in estates.iter_rows(min_row=2, values_only=True)}
    a = rows[world.estate_a.name]
    assert a["Valid answers"] == 60 and a["Satisfaction rate, raw (%)"] == 75.0
    assert (a["95% interval, low (%)"], a["95% interval, high (%)"]) == (62.8, 84.2)
    assert a["Mean score"] == 85.0 and a["Return rate (%)"] == 40.0
    assert a["Points short of the return-rate threshold"] == 10.0 and a["Penalty (points)"] == 2.0
    assert a["Satisfaction rate, adjusted (%)"] == 73.0 and a["Below target"] == "Yes"
    assert a["Return-rate rule"].endswith("— 2 points off")
    overall = dict(
        zip(
            [c.value for c in book["Overall figures"][1]],
            [c.value for c in book["Overall figures"][2]],
            strict=True,
        )
    )
    assert (
        overall["Distributed"] == 20
        and overall["Returned"] == 10
        and overall["Satisfaction rate, adjusted (%)"] == 86.0
    )
    reasons = list(book["Reasons and comments"].iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in reasons] == [REASON, COMMENT]
    assert reasons[0][4] == "Dissatisfied" and all(world.customer_b.name not in str(r) for r in reasons)
    assert ExportRecord.objects.filter(list_name="survey-results", user=world.users["deputy_gm"]).count() == 1


@pytest.mark.req("S-2", "A-3")
def test_the_pdf_renders_in_three_languages(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    client = world.client("deputy_gm")
    for language in ("zh-hans", "zh-hant", "en"):
        response = client.get(reverse("surveys:results_pdf", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    printed = client.get(reverse("surveys:results_print", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="zh-hant")
    html = printed.content.decode()
    assert "回收率 40.0%，低於 50%，差 10.0 個百分點；每滿 5 個百分點扣 1 個百分點：扣 2 個百分點" in html
    assert "data:image/svg+xml;base64," in html
    assert ExportRecord.objects.filter(list_name="survey-results", filters__format="pdf").count() == 3


@pytest.mark.req("A-1", "S-2")
def test_the_page_takes_the_same_queries_for_more_answers(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor, close=False)
    client = world.client("deputy_gm")
    url = reverse("surveys:results", args=[survey.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for household in Household.objects.filter(survey=survey, answered_at__isnull=True)[:4]:
        responses.enter_paper(
            actor=supervisor,
            survey=survey,
            unit_id=household.unit_id,
            answers=answers_for(household, "dissatisfied", reason="太吵"),
        )
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert 'data-figure="returned">14<' in html and 'id="provisional"' in html
    assert len(after.captured_queries) == len(before.captured_queries)
