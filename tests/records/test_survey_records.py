"""The surveys app's records on the records floor (SPEC D-1, D-2, D-3; decision 0047): survey
materials anonymised past retention with their figures unchanged, consultations, forums and
half-year statistics disposed of, and a person's copy and erasure."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estatedesk.core import crypto
from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from estatedesk.records import periods
from estatedesk.records.registry import Disposal, record_type
from estatedesk.records.subjects import Subject, sources
from estatedesk.reports import services_periods
from estatedesk.surveys import annual
from estatedesk.surveys import services as survey_services
from estatedesk.surveys.models import (
    Answer,
    Consultation,
    ConsultationAnswer,
    ConsultationEvent,
    ConsultedHousehold,
    Forum,
    ForumFollowUp,
    ForumOpinion,
    HalfYearStatistics,
    Household,
    Survey,
    SurveyStatus,
)
from estatedesk.surveys.services import forums as forum_svc
from estatedesk.surveys.services import half_year as half_year_svc
from tests.complaints.conftest import at
from tests.conftest import PASSWORD, World
from tests.records.traces import traces
from tests.surveys.conftest import annual as new_annual
from tests.surveys.forums.helpers import full_forum, staff_of
from tests.surveys.half_year.data import consultation
from tests.surveys.results_world import REASON, closed_survey

D1, D2, D3 = pytest.mark.req("D-1"), pytest.mark.req("D-2"), pytest.mark.req("D-3")
pytestmark = pytest.mark.django_db

# Closed on 10 March 2024 (company time): kept through 10 March 2026, gone from 11 March.
LAST_DAY = at(2024, 3, 10, 23, 59)
FIRST_KEPT = at(2024, 3, 11, 0, 0)
CUTOFF = periods.cutoff(at(2026, 3, 11, 9, 0), 24, ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def supervisor(world: World) -> Any:
    """The customer-service supervisor who keeps the survey materials (tests/surveys' persona)."""
    return org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[world.customer_service],
        password=PASSWORD,
    ).user


def _ids(key: str, cutoff: Any = CUTOFF) -> set[int]:
    found = record_type(key)
    assert found is not None
    return set(found.past_retention(cutoff).values_list("pk", flat=True))


def _drawn(world: World, supervisor: Any, *, status: str, closed_at: Any = None) -> Survey:
    survey = new_annual(world, supervisor, share=100)
    survey_services.draw_sample(actor=supervisor, survey=survey, seed=f"s{survey.pk}")
    # Another year's: the pack of the year reads the year's last closed annual survey.
    Survey.objects.filter(pk=survey.pk).update(status=status, closed_at=closed_at, year=2023)
    return survey


def subject_of(customer: Any) -> Subject:
    phone = crypto.normalise_phone(customer.phone)
    return Subject(
        customer_ids=frozenset({customer.pk}),
        names=frozenset({customer.name}),
        phones=frozenset({phone}),
        phone_indexes=frozenset({crypto.blind_index(phone)}),
        unit_ids=frozenset(customer.units.values_list("pk", flat=True)),
        label=crypto.mask_name(customer.name),
    )


def _text(sections: list[Any]) -> str:
    return "\n".join(
        f"{section.title} {label}: {value}"
        for section in sections
        for e in section.entries
        for label, value in e
    )


@D1
@D2
def test_a_survey_closed_one_day_past_retention_is_anonymised_and_its_figures_stay(
    world: World, supervisor: Any
) -> None:
    survey = closed_survey(world, supervisor)
    Survey.objects.filter(pk=survey.pk).update(closed_at=LAST_DAY)
    inside = _drawn(world, supervisor, status=SurveyStatus.CLOSED, closed_at=FIRST_KEPT)
    running = _drawn(world, supervisor, status=SurveyStatus.OPEN)
    survey_type = record_type("survey_materials")
    assert survey_type is not None and survey_type.disposal == Disposal.ANONYMISE
    assert _ids("survey_materials") == {survey.pk}  # not the one closed a day later, nor the open one

    batch = survey_type.archive([survey.pk])
    (record,) = batch.records
    assert record["number"] == survey.number and len(record["households"]) == 20
    answered = [h for h in record["households"] if h["response"]]
    assert len(answered) == 10 and all(h["customer"] for h in record["households"])
    reasons = [a["reason"] for h in answered for a in h["response"]["answers"]]
    assert REASON in reasons
    assert batch.csv_rows == [[survey.pk, survey.number, survey.title, "annual", survey.year, "closed",
                               LAST_DAY.astimezone(UTC).isoformat(), 20, 10]]  # fmt: skip

    summary = services_periods.draft_year(year=survey.year)
    frozen = dict(summary.figures["surveys"])
    live = annual.to_json(survey)
    assert survey_type.labels([survey.pk]) == {survey.pk: f"{survey.number} {survey.title}"}
    assert survey_type.find is not None and survey_type.find(survey.number) == survey.pk

    assert survey_type.dispose([survey.pk]) == 1
    assert survey_type.dispose([survey.pk]) == 0  # harmless twice: nothing left to anonymise
    assert not Household.objects.filter(survey=survey, customer__isnull=False).exists()
    assert not Answer.objects.filter(survey=survey).exclude(reason="", text="").exists()
    assert _ids("survey_materials") == set()  # a second run finds nothing
    # The others are untouched.
    assert Household.objects.filter(survey__in=[inside, running], customer__isnull=False).count() == 40

    # Its figures: the pack's stored counts, and the ones still computed from the answers.
    summary.refresh_from_db()
    assert summary.figures["surveys"] == frozen
    assert annual.to_json(survey) == live
    page = world.client("gm").get(
        reverse("reports:annual_detail", args=[summary.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200 and 'data-figure="raw">86.0%' in page.content.decode()
    results = world.client("deputy_gm").get(reverse("surveys:results", args=[survey.pk]))
    assert results.status_code == 200


def _consultation(world: World, month: date, finished: Any) -> Consultation:
    c = consultation(
        world.building_a,
        month,
        [world.unit_a],
        {"cleaning": [(False, "垃圾没有及时清运")]},
        remarks={0: "希望多安排保洁"},
        office=world.office_a,
    )
    Consultation.objects.filter(pk=c.pk).update(finished_at=finished)
    return c


@D1
@D2
def test_consultations_past_retention_go_and_the_signed_half_year_keeps_its_figures(world: World) -> None:
    gone = _consultation(world, date(2024, 3, 1), LAST_DAY)
    kept = _consultation(world, date(2024, 3, 1), FIRST_KEPT)
    running = _consultation(world, date(2024, 3, 1), None)
    Consultation.objects.filter(pk=running.pk).update(status="running")
    Consultation.objects.filter(pk=gone.pk).update(notes="第一次")
    Consultation.objects.get(pk=gone.pk).save()  # a history row
    stats = half_year_svc.compute_half_year(
        actor=world.users["handler_a"], office=world.office_a, year=2024, half=1
    )
    stats = half_year_svc.sign_off(actor=world.users["deputy_gm"], statistics=stats)
    figures = dict(stats.figures)
    assert figures["consultations"] >= 2

    # Cancelled ones count from their cancellation (their last event).
    cancelled = _consultation(world, date(2024, 3, 1), None)
    cancelled_later = _consultation(world, date(2024, 3, 1), None)
    for c, when in ((cancelled, LAST_DAY), (cancelled_later, FIRST_KEPT)):
        Consultation.objects.filter(pk=c.pk).update(status="cancelled")
        ConsultationEvent.objects.create(consultation=c, kind="cancelled", at=when, note="台风")

    kind = record_type("consultations")
    assert kind is not None and kind.disposal == Disposal.DELETE
    assert _ids("consultations") == {gone.pk, cancelled.pk}
    assert kind.dispose([cancelled.pk]) == 1
    assert not ConsultationEvent.objects.filter(consultation_id=cancelled.pk).exists()
    (record,) = kind.archive([gone.pk]).records
    assert record["households"][0]["other_opinions"] == "希望多安排保洁"
    assert record["households"][0]["answers"][0]["reason"] == "垃圾没有及时清运"
    assert kind.find is not None and kind.find(gone.number) == gone.pk

    assert kind.dispose([gone.pk]) == 1
    assert kind.dispose([gone.pk]) == 0
    assert not Consultation.objects.filter(pk=gone.pk).exists()
    assert not Consultation.history.model.objects.filter(id=gone.pk).exists()
    assert not ConsultedHousehold.objects.filter(consultation_id=gone.pk).exists()
    assert not ConsultationAnswer.objects.filter(consultation_id=gone.pk).exists()
    assert set(Consultation.objects.values_list("pk", flat=True)) == {kept.pk, running.pk, cancelled_later.pk}

    stats.refresh_from_db()
    assert stats.figures == figures
    page = world.client("deputy_gm").get(reverse("surveys:half_year_detail", args=[stats.pk]))
    assert page.status_code == 200


@D1
@D2
def test_a_forum_goes_once_held_before_the_cutoff_with_its_follow_ups_done(world: World) -> None:
    forum, follow_up = full_forum(world)
    forum_svc.finish_follow_up(
        actor=world.users["handler_a"], forum=forum, follow_up=follow_up, result="已更换灯具"
    )
    Forum.objects.filter(pk=forum.pk).update(held_on=date(2024, 3, 10))
    ForumFollowUp.objects.filter(pk=follow_up.pk).update(done_at=LAST_DAY)
    later, later_follow_up = full_forum(world)
    Forum.objects.filter(pk=later.pk).update(held_on=date(2024, 3, 11))
    open_one, _open_follow_up = full_forum(world)
    Forum.objects.filter(pk=open_one.pk).update(held_on=date(2024, 1, 5))  # its follow-up not done

    kind = record_type("owners_forums")
    assert kind is not None
    assert _ids("owners_forums") == {forum.pk}
    (record,) = kind.archive([forum.pk]).records
    assert {p["name"] for p in record["participants"]} >= {"李建国"}
    assert record["opinions"][0]["follow_ups"][0]["result"] == "已更换灯具"

    assert kind.dispose([forum.pk]) == 1 and kind.dispose([forum.pk]) == 0
    assert not Forum.objects.filter(pk=forum.pk).exists()
    assert not Forum.history.model.objects.filter(id=forum.pk).exists()
    assert not ForumOpinion.history.model.objects.filter(forum_id=forum.pk).exists()
    assert not ForumFollowUp.history.model.objects.filter(pk=follow_up.pk).exists()
    assert ForumFollowUp.objects.filter(pk=later_follow_up.pk).exists()
    assert set(Forum.objects.values_list("pk", flat=True)) == {later.pk, open_one.pk}


@D1
@D2
def test_half_year_statistics_go_once_signed_off_before_the_cutoff(world: World) -> None:
    _consultation(world, date(2024, 3, 1), LAST_DAY)
    signed = half_year_svc.compute_half_year(
        actor=world.users["handler_a"], office=world.office_a, year=2024, half=1
    )
    half_year_svc.sign_off(actor=world.users["deputy_gm"], statistics=signed)
    HalfYearStatistics.objects.filter(pk=signed.pk).update(signed_at=LAST_DAY)
    unsigned = half_year_svc.compute_half_year(
        actor=world.users["handler_a"], office=world.office_a, year=2023, half=2
    )
    kind = record_type("half_year_statistics")
    assert kind is not None
    assert _ids("half_year_statistics") == {signed.pk}
    assert kind.archive([signed.pk]).records[0]["figures"] == signed.figures
    assert kind.dispose([signed.pk]) == 1 and kind.dispose([signed.pk]) == 0
    assert set(HalfYearStatistics.objects.values_list("pk", flat=True)) == {unsigned.pk}
    assert not HalfYearStatistics.history.model.objects.filter(id=signed.pk).exists()


def _people_data(world: World, supervisor: Any) -> Survey:
    """Customer A (王小明) answered the survey with a reason naming him, was consulted, spoke at
    the forum; B answered the survey too."""
    a = world.customer_a
    survey = closed_survey(world, supervisor)
    mine = Household.objects.get(survey=survey, unit=world.unit_a)
    assert mine.customer_id == a.pk and mine.answered_at is not None
    Answer.objects.filter(response__household=mine, question__position=2).update(
        level="dissatisfied",
        score=40,
        satisfied=False,
        dissatisfied=True,
        reason=f"电梯坏了，{a.name}电话{a.phone}",
    )
    c = _consultation(world, date(2026, 3, 1), at(2026, 3, 20, 10, 0))
    ConsultedHousehold.objects.filter(consultation=c).update(customer=a, remarks=f"请打{a.phone}找{a.name}")
    Consultation.objects.filter(pk=c.pk).update(notes=f"{a.name}反映保洁问题")
    forum, _follow_up = full_forum(world)
    owner = forum.participants.get(kind="owner")
    assert owner.customer_id == a.pk
    forum_svc.add_participant(actor=world.users["office_head_a"], forum=forum, kind="other", name=a.name)
    opinion = forum.opinions.get(raised_by=owner)
    forum_svc.answer_opinion(
        actor=world.users["office_head_a"],
        forum=forum,
        opinion=opinion,
        based_on=opinion.edit_version,
        answer=f"已电话告知{a.name}",
    )
    forum_svc.edit_forum(
        actor=world.users["office_head_a"],
        forum=forum,
        title=forum.title,
        held_on=forum.held_on,
        place=forum.place,
        chaired_by=staff_of(world, "office_head_a"),
        summary=f"{a.name}（{a.phone}）提出车库照明问题",
        based_on=forum.edit_version,
    )
    return survey


@D3
def test_a_persons_copy_holds_their_answers_and_nobody_elses(world: World, supervisor: Any) -> None:
    survey = _people_data(world, supervisor)
    copy = _text(sources_by_key()["surveys"].collect(subject_of(world.customer_a)))
    assert survey.number in copy and "3栋-1201" in copy
    assert f"电梯坏了，{world.customer_a.name}" in copy  # his reason
    assert "请打" in copy  # his other opinions at the consultation
    assert "地下车库照明不足" in copy  # the opinion he raised at the forum
    assert "A座-2001" not in copy and world.customer_b.name not in copy
    theirs = _text(sources_by_key()["surveys"].collect(subject_of(world.customer_b)))
    assert "A座-2001" in theirs and "电梯坏了" not in theirs and "地下车库" not in theirs


def sources_by_key() -> dict[str, Any]:
    return {source.key: source for source in sources()}


@D3
def test_erasure_leaves_no_name_or_phone_in_the_surveys_and_keeps_the_scores(
    world: World, supervisor: Any
) -> None:
    survey = _people_data(world, supervisor)
    a = world.customer_a
    before = [t for t in traces(names=[a.name], phones=[a.phone]) if t.startswith("surveys.")]
    assert any(t.startswith("surveys.answer.reason") for t in before)
    assert any(t.startswith("surveys.historicalforum.summary") for t in before)
    figures = annual.to_json(survey)

    result = sources_by_key()["surveys"].erase(subject_of(a), at(2026, 12, 1, 9, 0))

    assert [t for t in traces(names=[a.name], phones=[a.phone]) if t.startswith("surveys.")] == []
    assert result.erased > 0
    assert [k.what for k in result.kept][0] == f"{survey.number} {survey.title}"
    assert annual.to_json(survey) == figures  # the score stays, without the words
    mine = Household.objects.get(survey=survey, unit=world.unit_a)
    assert mine.customer_id is None
    assert Answer.objects.get(response__household=mine, question__position=2).score == 40
    # B is untouched.
    other = Household.objects.get(survey=survey, unit=world.unit_b)
    assert other.customer_id == world.customer_b.pk
    page = world.client("office_head_a").get(reverse("surveys:forum_detail", args=[Forum.objects.get().pk]))
    assert page.status_code == 200
