"""A small closed annual survey with figures worked out by hand (the results tests share it).

Estate A (residential, 15 rating questions): 10 households drawn (share 100 %), 4 returned
→ return rate 40 %, 10 points short of 50 % → 2 full steps → 2 points off.
  households 1–2 answer every question "very satisfied" (100), household 3 "satisfied" (80),
  household 4 "neutral" (60): 45 of 60 valid answers satisfied → raw 75.0 %, adjusted 73.0 %,
  mean score (2×100 + 80 + 60) / 4 = 85.0.
Estate B (office, 9 rating questions and a comment): 10 drawn, 6 returned → 60 %, nothing off.
  five households all "very satisfied"; the sixth "satisfied" except one question
  "dissatisfied" with a reason, and a comment → 53 of 54 satisfied → 98.1 %.
Overall: 20 distributed, 10 returned → 50 %, nothing off; 98 of 114 satisfied → 86.0 %,
below the company's 90 % target.
"""

from __future__ import annotations

from typing import Any

from estatedesk.core.clock import now
from estatedesk.core.models import CompanySettings
from estatedesk.surveys import responses, services
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Household, Survey, SurveyStatus
from tests.conftest import World
from tests.surveys.conftest import add_households, annual

REASON = "电梯经常故障，报修后很久才修"
COMMENT = "希望增加周末的保洁"


def answers_for(
    household: Household,
    level: str,
    odd: dict[int, tuple[str, str]] | None = None,
    text: str = "",
    reason: str = "",
) -> list[AnswerInput]:
    """Every question of the household's questionnaire answered at ``level`` (with ``reason``),
    but those in ``odd`` (number → level, reason); ``text`` for the comment question."""
    version = responses.version_for(household)
    given = []
    for spec in responses.questions_of(version):
        if spec.kind == "text":
            if text:
                given.append(AnswerInput(spec.id, text=text))
            continue
        lvl, why = (odd or {}).get(spec.number, (level, reason))
        given.append(AnswerInput(spec.id, level=lvl, reason=why))
    return given


def closed_survey(world: World, supervisor: Any, *, close: bool = True) -> Survey:
    CompanySettings.objects.filter(pk=1).update(satisfaction_target=90)
    add_households(world.building_a, 9)
    add_households(world.building_b, 9)
    survey = annual(world, supervisor, share=100)
    services.draw_sample(actor=supervisor, survey=survey, seed="results")
    # Opened by hand: ``services.open_survey`` texts the links to ``portal:survey``, a page of
    # another family; the figures do not depend on how the survey was opened.
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.OPEN, opened_at=now())
    a = list(Household.objects.filter(survey=survey, estate=world.estate_a).order_by("unit__number"))
    b = list(Household.objects.filter(survey=survey, estate=world.estate_b).order_by("unit__number"))
    assert len(a) == 10 and len(b) == 10
    plan = [
        (a[0], answers_for(a[0], "very_satisfied")),
        (a[1], answers_for(a[1], "very_satisfied")),
        (a[2], answers_for(a[2], "satisfied")),
        (a[3], answers_for(a[3], "neutral")),
        *[(h, answers_for(h, "very_satisfied")) for h in b[:5]],
        (b[5], answers_for(b[5], "satisfied", {2: ("dissatisfied", REASON)}, text=COMMENT)),
    ]
    for household, given in plan:
        responses.enter_paper(actor=supervisor, survey=survey, unit_id=household.unit_id, answers=given)
    if close:
        services.close_survey(actor=world.users["deputy_gm"], survey=survey)
    survey.refresh_from_db()
    return survey
