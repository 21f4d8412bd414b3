"""A survey's results from the database (SPEC S-2, S-3): two grouped queries, then the pure
``figures.compute``. Pages, PDF, Excel and the API all read results here, so a rate is the
same number everywhere it appears.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Q, Sum

from estatedesk.core.models import CompanySettings
from estatedesk.surveys.figures import Cell, Figure, Results, ReturnRule, Returns, compute
from estatedesk.surveys.models import Answer, Household, SatisfactionTarget, Survey

__all__ = [
    "SurveyResults",
    "Targets",
    "cells",
    "returns",
    "rule_of",
    "survey_results",
    "target_rows",
    "targets",
]


def rule_of(survey: Survey) -> ReturnRule:
    return ReturnRule.of(survey.return_threshold, survey.return_step, survey.return_penalty)


@dataclass(frozen=True)
class Targets:
    """The quality target that applies: a category in an estate, else the estate, else the
    category, else the survey's (the company's when the survey was prepared)."""

    default: Fraction
    rows: dict[tuple[int | None, str], Fraction]

    def __call__(self, estate: int | None, category: str | None) -> Fraction:
        for key in ((estate, category or ""), (estate, ""), (None, category or "")):
            if key[0] is None and not key[1]:
                continue
            if key in self.rows:
                return self.rows[key]
        return self.default


def target_rows() -> dict[tuple[int | None, str], Fraction]:
    """The quality targets other than the company's, by (estate, category)."""
    return {
        (estate_id, category): Fraction(str(target))
        for estate_id, category, target in SatisfactionTarget.objects.values_list(
            "estate_id", "category", "target"
        )
    }


def targets(survey: Survey) -> Targets:
    return Targets(Fraction(str(survey.target or CompanySettings.load().satisfaction_target)), target_rows())


def cells(survey: Survey, estate_ids: Collection[int] | None = None) -> list[Cell]:
    """Valid ratings per building and question: one grouped query over the answers."""
    answers = Answer.objects.filter(survey=survey, score__isnull=False)
    if estate_ids is not None:
        answers = answers.filter(estate__in=estate_ids)
    rows = (
        answers.values_list("estate_id", "building_id", "question_id", "category")
        .annotate(valid=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True)), score_sum=Sum("score"))
        .order_by()
    )
    return [Cell(e, b, q, c, valid, sat, int(total or 0)) for e, b, q, c, valid, sat, total in rows]


def returns(survey: Survey, estate_ids: Collection[int] | None = None) -> dict[tuple[int, int], Returns]:
    """Per (estate, building): households distributed to and returned."""
    households = Household.objects.filter(survey=survey)
    if estate_ids is not None:
        households = households.filter(estate__in=estate_ids)
    rows = (
        households.values_list("estate_id", "building_id")
        .annotate(distributed=Count("pk"), returned=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    )
    return {(e, b): Returns(d, r) for e, b, d, r in rows}


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    results: Results
    rule: ReturnRule

    @property
    def overall(self) -> Figure:
        return self.results.overall


def survey_results(survey: Survey, estate_ids: Collection[int] | None = None) -> SurveyResults:
    """Every figure of the survey. ``estate_ids`` narrows the estates' and buildings' figures to
    those a user may see; the company-wide figures are always the whole survey's."""
    rule = rule_of(survey)
    everything = compute(cells(survey), returns(survey), rule, targets(survey))
    if estate_ids is not None:
        allowed = set(estate_ids)
        buildings = {b for (e, b) in returns(survey, allowed)}
        everything.by_estate = {e: f for e, f in everything.by_estate.items() if e in allowed}
        everything.by_estate_category = {
            k: f for k, f in everything.by_estate_category.items() if k[0] in allowed
        }
        everything.by_building = {b: f for b, f in everything.by_building.items() if b in buildings}
    return SurveyResults(survey, everything, rule)
