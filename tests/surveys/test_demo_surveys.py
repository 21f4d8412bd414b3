"""The demo's surveys (SPEC S-7, S-3): last year's annual survey closed with its answers, one estate
under the target, one whose low return rate costs a point, and this year's survey drafted and
ready to draw.

Loaded once for the module on the demo company (without its complaint year, which the
complaint tests replay), through the same ``surveys.demo`` the demo's background job runs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from estatedesk.notifications.models import Message, MessageStatus
from estatedesk.org import demo
from estatedesk.org.models import Estate
from estatedesk.surveys import demo as surveys_demo
from estatedesk.surveys import services
from estatedesk.surveys.models import Answer, Response, Survey, SurveyEvent, SurveyKind, SurveyStatus
from estatedesk.surveys.results import survey_results

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module", autouse=True)
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo.seed() is not None
        summary = surveys_demo.load_surveys(NOW)
        assert summary is not None
        yield summary
        transaction.set_rollback(True)


def surveys() -> tuple[Survey, Survey]:
    last, this = Survey.objects.filter(kind=SurveyKind.ANNUAL).order_by("year")
    return last, this


def estate(code: str) -> int:
    return Estate.objects.get(code=code).pk


@pytest.mark.req("S-7")
def test_last_years_survey_was_prepared_drawn_opened_answered_and_closed_in_the_past(loaded):
    last, _this = surveys()
    assert last.status == SurveyStatus.CLOSED and last.year == 2025
    assert last.title == "2025年度业户满意度调查"
    kinds = list(
        SurveyEvent.objects.filter(survey=last).order_by("at", "pk").values_list("kind", "actor__username")
    )
    assert kinds == [
        ("created", "cs_supervisor"),
        ("drawn", "cs_supervisor"),
        ("opened", "deputy_gm"),
        ("reminded", "cs_supervisor"),
        ("reminded", "cs_supervisor"),
        ("closed", "deputy_gm"),
    ]
    # Before the demo's replayed year of complaints (365 days back), in order, stamped then.
    assert last.drawn_at and last.opened_at and last.closed_at
    assert last.created_at < last.drawn_at < last.opened_at < last.closed_at < NOW - timedelta(days=365)
    assert last.seed == "demo-2025" and last.drawn_by_name
    submitted = Response.objects.filter(survey=last).values_list("submitted_at", flat=True)
    assert all(last.opened_at < at < last.closed_at for at in submitted)
    assert Response.objects.filter(survey=last).count() == loaded.answers > 300


@pytest.mark.req("S-8")
def test_answers_came_online_and_on_paper_and_no_sms_is_left_to_send():
    last, _this = surveys()
    channels = Counter(Response.objects.filter(survey=last).values_list("channel", flat=True))
    assert channels["online"] > 100 and channels["paper"] > 50
    paper = Response.objects.filter(survey=last, channel="paper")
    assert set(paper.values_list("entered_by__username", flat=True)) <= {"duty", "duty_b", "duty_office"}
    texts = Message.objects.filter(key__startswith=f"{last.number}:")
    assert texts.count() > 500  # the links, then the reminders
    assert not texts.exclude(status=MessageStatus.SENT).exists()
    assert last.closed_at and all(m.sent_at == m.created_at < last.closed_at for m in texts)


@pytest.mark.req("S-2", "S-3", "S-7")
def test_most_are_satisfied_one_estate_is_under_target_and_one_loses_a_point_for_its_return_rate():
    last, _this = surveys()
    results = survey_results(last).results
    assert results.overall.raw is not None and results.overall.raw > 85  # most households satisfied
    assert results.overall.penalty_points == 0  # the company as a whole returned over half
    cuihu, jinshan, tower = (results.by_estate[estate(c)] for c in (demo.CUIHU, demo.JINSHAN, demo.TOWER))
    # 金山苑: a good return rate, under the 90 % target.
    assert jinshan.return_rate is not None and jinshan.return_rate >= 50
    assert jinshan.adjusted is not None and 80 < jinshan.adjusted < 90 and jinshan.below_target
    # 翠湖花园: 42 % returned, 8 points short, one full step: one point off.
    assert cuihu.return_rate is not None and 40 < cuihu.return_rate < 45
    assert cuihu.raw is not None and cuihu.penalty_points == 1 and cuihu.adjusted == cuihu.raw - 1
    assert not cuihu.below_target and not tower.below_target
    assert tower.return_rate is not None and tower.return_rate >= 50


@pytest.mark.req("S-7")
def test_the_dissatisfied_wrote_why_in_chinese_and_some_left_suggestions():
    last, _this = surveys()
    reasons = list(Answer.objects.filter(survey=last).exclude(reason="").values_list("category", "reason"))
    assert len(reasons) > 100
    assert len({r for _c, r in reasons}) > 80  # varied, not one sentence repeated
    assert {c for c, _r in reasons} >= {"repairs", "vehicles", "cleaning", "security"}
    assert all("\u4e00" <= r[0] <= "\u9fff" for _c, r in reasons)
    assert not Answer.objects.filter(survey=last, reason__gt="", dissatisfied=False).exists()
    assert Answer.objects.filter(survey=last).exclude(text="").count() > 20


@pytest.mark.req("S-7")
def test_this_years_survey_is_a_draft_with_the_improvements_and_draws_last_years_dissatisfied():
    last, this = surveys()
    assert this.status == SurveyStatus.DRAFT and this.year == last.year + 1
    assert "电梯" in this.improvements and "改进" in this.improvements
    assert this.created_by is not None and this.created_by.username == "cs_supervisor"
    assert this.created_at < NOW
    dissatisfied = set(
        Answer.objects.filter(survey=last, dissatisfied=True).values_list(
            "response__household__unit_id", flat=True
        )
    )
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.get(username="cs_supervisor")
    drawn = services.draw_sample(actor=supervisor, survey=this, seed="visitor")
    assert drawn.status == SurveyStatus.DRAWN and drawn.key_since == last.opened_at
    units = set(drawn.households.values_list("unit_id", flat=True))
    assert dissatisfied and dissatisfied <= units  # every household dissatisfied last time is heard
    keys = drawn.households.filter(second_stage=True)
    assert keys.count() == len(dissatisfied) == drawn.second_stage_count
    assert all("dissatisfied_survey" in h.reasons for h in keys)
    assert drawn.random_count > 0 and drawn.sample_size >= drawn.frame_size / 2


def test_loading_again_changes_nothing():
    before = (Survey.objects.count(), Response.objects.count(), Message.objects.count())
    surveys_demo.load_surveys(NOW)
    assert (Survey.objects.count(), Response.objects.count(), Message.objects.count()) == before


@pytest.mark.req("S-7")
def test_the_demo_load_plays_the_survey_before_the_complaint_year_and_this_years_draw_hears_its_complainants():
    """The demo's background job (``demo.loading``) with a small year: last year's survey comes
    first and its key sample holds no complainant of the replayed year (they complained after
    it); this year's draw holds every one of them."""
    from django.contrib.auth import get_user_model

    from estatedesk.complaints.models import Complaint
    from estatedesk.demo import loading

    Survey.objects.all().delete()  # the module's load, undone for this one
    loading.load_everything(count=40, now=NOW, pace=False)
    last, this = surveys()
    assert last.status == SurveyStatus.CLOSED and this.status == SurveyStatus.DRAFT
    complained = set(
        Complaint.objects.filter(kind="complaint", unit__occupied=True).values_list("unit_id", flat=True)
    )
    assert (
        complained
        and last.opened_at
        and last.opened_at < Complaint.objects.earliest("received_at").received_at
    )
    assert last.second_stage_count == 0  # nobody had complained yet
    supervisor = get_user_model().objects.get(username="cs_supervisor")
    drawn = services.draw_sample(actor=supervisor, survey=this, seed="visitor")
    units = set(drawn.households.values_list("unit_id", flat=True))
    assert complained <= units
