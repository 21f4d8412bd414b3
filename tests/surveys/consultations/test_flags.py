"""The consultation flags (SPEC S-4): a month without a consultation, a month under 5 %, a
questionnaire under 50 % returned."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from estatedesk.surveys.consultation_flags import ConsultationFacts, MonthFacts, flags
from estatedesk.surveys.consultation_results import consultation_facts, coverage
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services import consultations as svc
from estatedesk.surveys.services.consultation_answers import TopicAnswer
from tests.surveys.conftest import add_households

S4 = pytest.mark.req("S-4")
TODAY = date(2026, 11, 20)


def _c(pk, method="door_to_door", status="finished", asked=5, answered=5):
    return ConsultationFacts(pk, f"MC{pk}", method, status, asked, answered)


@S4
def test_a_missed_month_is_flagged_and_the_current_one_only_near_its_end():
    facts = [MonthFacts(1, date(2026, 10, 1), 100), MonthFacts(1, date(2026, 11, 1), 100)]
    found = flags(facts, TODAY)
    assert [(f.kind, f.month) for f in found] == [("missing", date(2026, 10, 1))]
    late = flags(facts, date(2026, 11, 25))
    assert [(f.kind, f.month) for f in late] == [
        ("missing", date(2026, 10, 1)),
        ("missing", date(2026, 11, 1)),
    ]


@S4
def test_a_month_under_five_percent_is_flagged_with_its_figures():
    under = MonthFacts(1, date(2026, 10, 1), 101, (_c(1, asked=6, answered=5),), reached=5)
    enough = MonthFacts(2, date(2026, 10, 1), 100, (_c(2, asked=6, answered=5),), reached=5)
    (flag,) = flags([under, enough], TODAY)
    assert (flag.kind, flag.estate, flag.reached, flag.needed) == ("under_share", 1, 5, 6)
    # Still under way this month: not judged yet.
    running = MonthFacts(1, date(2026, 11, 1), 101, (_c(3, status="running", answered=1),), reached=1)
    assert flags([running], TODAY) == []


@S4
def test_a_questionnaire_returned_under_half_is_flagged():
    month = MonthFacts(1, date(2026, 10, 1), 100, (_c(4, "questionnaire", asked=20, answered=9),), reached=9)
    kinds = {f.kind: f for f in flags([month], TODAY)}
    assert kinds["low_return"].rate == Fraction(45) and kinds["low_return"].number == "MC4"
    assert "under_share" not in kinds  # 9 households reached, 5 needed
    ok = MonthFacts(1, date(2026, 10, 1), 100, (_c(5, "questionnaire", asked=20, answered=10),), reached=10)
    assert flags([ok], TODAY) == []


@S4
@pytest.mark.django_db
def test_the_facts_and_the_year_coverage_come_from_the_records(world):
    add_households(world.building_a, 19)  # 20 occupied households in estate A
    handler = world.users["handler_a"]
    consultation = svc.plan_consultation(
        actor=handler,
        estate=world.estate_a,
        month=date(2026, 10, 1),
        topics=["cleaning"],
        method="phone",
        share=10,
    )
    svc.start_consultation(actor=handler, consultation=consultation)
    asked = list(consultation.households.filter(asked=True).values_list("unit_id", flat=True))
    consultation_answers.record_answers(
        actor=handler,
        consultation=consultation,
        unit_id=asked[0],
        answers=[TopicAnswer("cleaning", "satisfied")],
    )
    svc.finish_consultation(actor=handler, consultation=consultation)
    facts = {
        (f.estate, f.month): f
        for f in consultation_facts([world.estate_a.pk], date(2026, 9, 1), date(2026, 10, 1))
    }
    october = facts[world.estate_a.pk, date(2026, 10, 1)]
    assert october.occupied == 20 and october.reached == 1
    assert october.consultations[0].asked == 2 and october.consultations[0].answered == 1
    kinds = sorted((f.kind, f.month.month) for f in flags(facts.values(), TODAY))
    assert kinds == [("missing", 9)]  # one household of 20 is 5 %: October is enough
    assert coverage(2026, [world.estate_a.pk])[world.estate_a.pk].consulted == 1
    assert coverage(2026, [world.estate_a.pk])[world.estate_a.pk].rate == Fraction(5)
