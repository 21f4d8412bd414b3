"""The analysis page (SPEC S-9, P-1, A-3): the figures, the Pareto of reasons, the fishbone with
its version, the GM's decision through the forms, the reason codes for the administrator only,
and the PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from estatedesk.core.clock import company_today
from estatedesk.surveys.models import ReasonCode, Suggestion, SuggestionStatus, Survey
from estatedesk.surveys.services import analysis as services
from tests.conftest import World
from tests.surveys.conftest import annual
from tests.surveys.results_world import closed_survey

S9 = pytest.mark.req("S-9")
pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world: World, supervisor: Any) -> Survey:
    return closed_survey(world, supervisor)


@S9
def test_the_page_shows_figures_and_the_coded_reasons(world: World, survey: Survey) -> None:
    response = world.client("deputy_gm").get(reverse("surveys:analysis", args=[survey.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="table-categories"' in html and 'id="chart-pareto"' in html
    assert 'data-code="lifts"' in html and "电梯经常故障" in html  # the reason's own words
    survey_page = world.client("deputy_gm").get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert 'id="analysis-link"' in survey_page


@S9
def test_a_stale_fishbone_answers_409_and_keeps_what_was_typed(world: World, survey: Survey) -> None:
    client = world.client("deputy_gm")
    url = reverse("surveys:analysis_save", args=[survey.pk])
    form = {
        "summary": "电梯问题最多",
        "problem": "电梯维修慢",
        "fishbone_man": "维修工不足",
        "based_on_version": 0,
    }
    assert client.post(url, form).status_code == 302
    image = client.get(reverse("surveys:analysis_fishbone", args=[survey.pk]))
    assert image.status_code == 200 and b"<svg" in image.content and "维修工不足" in image.content.decode()
    stale = client.post(url, {**form, "summary": "我的另一版分析"})
    assert stale.status_code == 409 and "我的另一版分析" in stale.content.decode()


@pytest.mark.req("S-9", "I-1")
def test_the_gm_decides_on_the_page(world: World, survey: Survey) -> None:
    deputy, gm = world.client("deputy_gm"), world.client("gm")
    response = deputy.post(
        reverse("surveys:analysis_suggest", args=[survey.pk]),
        {"title": "电梯维修提速", "text": "两小时内到场"},
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get(survey=survey)
    assert deputy.post(reverse("surveys:suggestion_submit", args=[suggestion.pk])).status_code == 302
    refused = deputy.post(reverse("surveys:suggestion_decline", args=[suggestion.pk]), {"reason": "不做"})
    assert refused.status_code == 403
    late = gm.post(
        reverse("surveys:suggestion_accept", args=[suggestion.pk]),
        {
            "owner": world.users["department_head"].staff.pk,
            "due_date": (company_today() - timedelta(days=2)).isoformat(),
            "department": world.engineering.pk,
        },
    )
    assert late.status_code == 422
    accepted = gm.post(
        reverse("surveys:suggestion_accept", args=[suggestion.pk]),
        {
            "owner": world.users["department_head"].staff.pk,
            "due_date": (company_today() + timedelta(days=20)).isoformat(),
            "department": world.engineering.pk,
        },
    )
    assert accepted.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.improvement_action.pk


@pytest.mark.req("S-9", "P-1")
def test_reason_codes_are_the_administrators(world: World) -> None:
    assert ReasonCode.objects.filter(active=True).count() >= 10  # installed by the migration
    code = ReasonCode.objects.get(code="lifts")
    for persona in ("deputy_gm", "handler_a"):
        assert world.client(persona).get(reverse("surveys:reason_code_list")).status_code == 403
        assert (
            world.client(persona).get(reverse("surveys:reason_code_edit", args=[code.pk])).status_code == 403
        )
    admin = world.client("admin")
    assert admin.get(reverse("surveys:reason_code_list")).status_code == 200
    form = {
        "code": "lifts",
        "label_zh_hans": "电梯故障",
        "label_zh_hant": "電梯故障",
        "label_en": "Lifts",
        "keywords": "电梯\n 電梯 \n\nlift",
        "category": "",
        "position": 50,
    }
    assert admin.post(reverse("surveys:reason_code_edit", args=[code.pk]), form).status_code == 302
    code.refresh_from_db()
    assert code.active is False and code.keywords == "电梯\n電梯\nlift"


@pytest.mark.req("S-9", "A-3")
def test_the_pdf_renders(world: World, survey: Survey) -> None:
    suggestion = services.write_suggestion(
        actor=world.users["deputy_gm"], survey=survey, title="加强保洁", text="每日两次"
    )
    services.save_analysis(
        actor=world.users["deputy_gm"],
        survey=survey,
        summary="分析",
        problem="电梯",
        fishbone={"method": "流程长"},
        based_on=0,
    )
    client = world.client("deputy_gm")
    for language in ("zh-hans", "zh-hant", "en"):
        response = client.get(
            reverse("surveys:analysis_pdf", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    printed = client.get(reverse("surveys:analysis_print", args=[survey.pk])).content.decode()
    assert suggestion.number in printed and printed.count("data:image/svg+xml;base64,") == 2


@S9
def test_the_next_survey_drafts_its_improvements_from_the_decisions(world: World, survey: Survey) -> None:
    deputy = world.users["deputy_gm"]
    kept = services.write_suggestion(actor=deputy, survey=survey, title="电梯维修提速", text="两小时内到场")
    dropped = services.write_suggestion(actor=deputy, survey=survey, title="更换门禁系统", text="全部更换")
    for s in (kept, dropped):
        services.submit_suggestion(actor=deputy, suggestion=s)
    services.accept_suggestion(
        actor=world.users["gm"],
        suggestion=kept,
        owner=world.users["department_head"].staff,
        due_date=company_today() + timedelta(days=10),
        department=world.engineering,
    )
    services.decline_suggestion(actor=world.users["gm"], suggestion=dropped, reason="费用过高")
    following = annual(world, deputy)
    client = world.client("deputy_gm")
    page = client.get(reverse("surveys:detail", args=[following.pk])).content.decode()
    assert 'id="draft-improvements-form"' in page
    url = reverse("surveys:analysis_draft_improvements", args=[following.pk])
    assert client.post(url, {"based_on_version": following.edit_version + 5}).status_code == 409
    assert client.post(url, {"based_on_version": following.edit_version}).status_code == 302
    following.refresh_from_db()
    assert "电梯维修提速" in following.improvements and "工程部" in following.improvements
    assert "门禁" not in following.improvements
