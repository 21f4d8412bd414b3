"""The year's annual survey in the annual complaint summary / management-review pack (SPEC
I-2, S-7, S-3): page, print view and workbook show the figures of ``results_world``."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from estatedesk.reports import exports, services_periods
from estatedesk.surveys import services
from tests.conftest import World
from tests.surveys.results_world import closed_survey

RULE_A = "Return rate 40.0%, 10.0 points below 50%: 1 point off for every full 5 points short — 2 points off"


@pytest.mark.req("I-2", "S-7", "S-3")
def test_the_annual_pack_page_shows_the_years_survey(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    summary = services_periods.draft_year(year=survey.year)
    assert summary.figures["surveys"]["overall"] == {
        "valid": 114,
        "satisfied": 98,
        "score_sum": summary.figures["surveys"]["overall"]["score_sum"],
        "distributed": 20,
        "returned": 10,
        "target": "90",
    }
    page = world.client("gm").get(
        reverse("reports:annual_detail", args=[summary.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    section = html[html.index('id="surveys"') :]
    assert survey.number in section
    assert 'data-figure="raw">86.0%' in section
    assert 'data-figure="adjusted">86.0% <span class="badge text-bg-warning">Below target' in section
    estates = section[section.index('id="survey-estates"') :]
    assert world.estate_a.name in estates and RULE_A in estates  # each estate with its rule in words
    assert "75.0%" in estates and "73.0%" in estates and "−2.0" in estates
    assert "98.1%" in estates


@pytest.mark.req("I-2", "S-7")
def test_the_annual_pack_print_view_and_workbook_carry_the_survey(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    summary = services_periods.draft_year(year=survey.year)
    request = RequestFactory().get("/")
    request.user = world.users["deputy_gm"]
    with translation.override("zh-hans"):
        html = exports.annual_print_html(summary, request=request)
        book = openpyxl.load_workbook(io.BytesIO(exports.annual_xlsx(summary)))
    assert "回收率 50.0%，不低于 50%，不扣分" in html
    assert "回收率 40.0%，低于 50%，差 10.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 2 个百分点" in html
    assert "73.0%" in html and "低于目标" in html
    sheet = book["满意度调查"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "分项")
    data = {(r[0], r[1]): r for r in rows[header + 1 :] if r[0]}
    a = data[("项目", world.estate_a.name)]
    assert a[3] == 75.0 and a[8] == 40.0 and a[9] == 10.0 and a[10] == 2.0 and a[11] == 73.0 and a[13] == "是"
    assert a[14] == "回收率 40.0%，低于 50%，差 10.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 2 个百分点"
    assert sheet.freeze_panes == f"A{header + 2}"


@pytest.mark.req("A-1", "S-7")
def test_the_dashboard_trend_appears_only_once_a_survey_has_results(world: World, supervisor: Any) -> None:
    client = world.client("deputy_gm")
    before = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-section="survey-trend"' not in before
    survey = closed_survey(world, supervisor, close=False)
    still_open = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-section="survey-trend"' not in still_open  # an open survey is not a year's result
    services.close_survey(actor=world.users["deputy_gm"], survey=survey)
    html = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = html[html.index('data-section="survey-trend"') :]
    assert 'id="chart-survey-trend"' in section and "86.0" in section
    assert f'<th scope="row" class="fw-normal">{survey.year}</th>' in section
    assert "Below target" in section
