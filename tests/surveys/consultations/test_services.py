"""The monthly consultation's steps (SPEC S-4): plan with the proposed sample, swap, start,
record (once, even when a phone sends the same answer twice), finish; scope by estate."""

from __future__ import annotations

from datetime import date

import pytest

from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.surveys.consultation_results import consultation_results
from estatedesk.surveys.models import ConsultationAnswer, ConsultedHousehold
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services import consultations as svc
from estatedesk.surveys.services.consultation_answers import TopicAnswer
from tests.surveys.conftest import add_households

S4 = pytest.mark.req("S-4")
pytestmark = pytest.mark.django_db


def _plan(world, who="handler_a", **extra):
    return svc.plan_consultation(
        actor=world.users[who],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=["cleaning", "security"],
        method=extra.pop("method", "door_to_door"),
        **extra,
    )


@S4
def test_the_proposal_is_at_least_five_percent_of_occupied_households(world):
    add_households(world.building_a, 59)  # 60 occupied with unit_a…
    add_households(world.building_a, 10, occupied=False)  # …and vacant ones, not counted
    consultation = _plan(world)
    assert consultation.occupied_count == 60
    assert consultation.proposed_count == 3  # 5 % of 60
    asked = ConsultedHousehold.objects.filter(consultation=consultation, asked=True)
    assert asked.count() == 3 and all(h.proposed for h in asked)
    assert all(h.unit.occupied for h in asked)


@S4
def test_a_handler_of_another_estate_cannot_plan_or_see_it(world):
    with pytest.raises(InvalidInput):
        svc.plan_consultation(
            actor=world.users["handler_b"],
            estate=world.estate_a,
            month=date(2026, 11, 1),
            topics=["cleaning"],
            method="phone",
        )
    consultation = _plan(world)
    with pytest.raises(NotFound):
        svc.start_consultation(actor=world.users["handler_b"], consultation=consultation)
    with pytest.raises(NotAllowed):
        svc.plan_consultation(
            actor=world.users["auditor"],
            estate=world.estate_a,
            month=date(2026, 11, 1),
            topics=["cleaning"],
            method="phone",
        )


@S4
def test_a_swap_keeps_who_was_proposed_and_who_was_asked(world):
    add_households(world.building_a, 39)
    consultation = _plan(world)
    out = ConsultedHousehold.objects.filter(consultation=consultation, asked=True).first()
    candidate = svc.swap_candidates(consultation)[0]
    arriving = svc.swap_household(
        actor=world.users["handler_a"],
        consultation=consultation,
        out_unit=out.unit_id,
        in_unit=candidate,
        reason="业主出差",
    )
    out.refresh_from_db()
    assert not out.asked and out.proposed and out.replaced_by == arriving and out.swap_reason == "业主出差"
    assert arriving.asked and not arriving.proposed
    assert ConsultedHousehold.objects.filter(consultation=consultation, asked=True).count() == 2
    with pytest.raises(InvalidInput):  # the same unit again
        svc.swap_household(
            actor=world.users["handler_a"],
            consultation=consultation,
            out_unit=arriving.unit_id,
            in_unit=out.unit_id,
        )


@S4
def test_an_answer_sent_twice_by_a_phone_is_recorded_once(world):
    consultation = _plan(world, share=100)
    svc.start_consultation(actor=world.users["handler_a"], consultation=consultation)
    answers = [
        TopicAnswer("cleaning", "very_satisfied"),
        TopicAnswer("security", "dissatisfied", "夜间巡逻少"),
    ]
    household, recorded = consultation_answers.record_answers(
        actor=world.users["colleague_a"],
        consultation=consultation,
        unit_id=world.unit_a.pk,
        answers=answers,
        submission_key="k-1",
    )
    assert recorded
    again, recorded_again = consultation_answers.record_answers(
        actor=world.users["colleague_a"],
        consultation=consultation,
        unit_id=world.unit_a.pk,
        answers=answers,
        submission_key="k-1",
    )
    assert again.pk == household.pk and not recorded_again
    assert ConsultationAnswer.objects.filter(household=household).count() == 2
    with pytest.raises(AlreadyHandled):  # a different answer for the same household
        consultation_answers.record_answers(
            actor=world.users["handler_a"],
            consultation=consultation,
            unit_id=world.unit_a.pk,
            answers=answers,
            submission_key="k-2",
        )
    results = consultation_results(consultation)
    assert results.by_category["cleaning"].tally.satisfied == 1
    assert results.by_category["security"].tally.satisfied == 0


@S4
def test_bad_answers_are_refused_with_the_topic_named(world):
    consultation = _plan(world, share=100)
    with pytest.raises(InvalidInput):  # not started yet
        consultation_answers.record_answers(
            actor=world.users["handler_a"],
            consultation=consultation,
            unit_id=world.unit_a.pk,
            answers=[TopicAnswer("cleaning", "satisfied")],
        )
    svc.start_consultation(actor=world.users["handler_a"], consultation=consultation)
    with pytest.raises(InvalidInput) as error:
        consultation_answers.record_answers(
            actor=world.users["handler_a"],
            consultation=consultation,
            unit_id=world.unit_a.pk,
            answers=[TopicAnswer("cleaning", "superb")],
        )
    assert error.value.field == "answers.cleaning"
    with pytest.raises(InvalidInput) as error:
        consultation_answers.record_answers(
            actor=world.users["handler_a"],
            consultation=consultation,
            unit_id=world.unit_a.pk,
            answers=[TopicAnswer("parking", "satisfied")],
        )
    assert error.value.field.startswith("answers.")
    with pytest.raises(InvalidInput):
        consultation_answers.record_answers(
            actor=world.users["handler_a"], consultation=consultation, unit_id=world.unit_a.pk, answers=[]
        )
    assert not ConsultationAnswer.objects.exists()


@S4
def test_a_year_of_proposals_reaches_every_household_before_asking_anyone_twice(world):
    """Through the services and the database: each month's proposal reads the year's history."""
    add_households(world.building_a, 19)  # 20 occupied households; 10 % a month = 2
    handler = world.users["handler_a"]
    asked_so_far: list[int] = []
    for month in range(1, 13):
        consultation = svc.plan_consultation(
            actor=handler,
            estate=world.estate_a,
            month=date(2026, month, 1),
            topics=["cleaning"],
            method="phone",
            share=10,
        )
        units = list(consultation.households.filter(asked=True).values_list("unit_id", flat=True))
        assert len(units) == 2
        assert consultation.fresh_count == 20 - len(set(asked_so_far))  # not asked yet this year
        if len(set(asked_so_far)) < 20:
            assert not set(units) & set(asked_so_far), f"month {month} asks someone again too early"
        asked_so_far += units
    assert len(set(asked_so_far)) == 20
