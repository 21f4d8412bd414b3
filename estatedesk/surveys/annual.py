"""The annual survey's figures for the reports above this app (SPEC S-7, I-2, A-1): the annual
complaint summary / management-review pack stores them with its figures, and the dashboard
draws the satisfaction trend from them.

A stored summary is frozen when the pack is issued, so it keeps the counts (valid, satisfied,
score sum, distributed, returned), the rule and the targets — not sentences: the figures and
their words (``wording``) are rebuilt from the counts in the reader's language, by the same
``figures`` and ``report.Line`` as the results page, so the pack and the page cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.cache import cache

from estatedesk.org.models import Estate
from estatedesk.surveys.figures import Figure, ReturnRule, Returns, Tally, figure
from estatedesk.surveys.models import Survey, SurveyKind, SurveyStatus
from estatedesk.surveys.report import Line, category_label, category_order
from estatedesk.surveys.results import survey_results

__all__ = [
    "AnnualFigures",
    "YearFigure",
    "closed_annual",
    "closed_annuals",
    "from_json",
    "to_json",
    "trend",
    "year_json",
]


def closed_annuals() -> list[Survey]:
    """The closed annual surveys, one per year (the last closed if a year had two), oldest first."""
    by_year: dict[int, Survey] = {}
    for survey in Survey.objects.filter(kind=SurveyKind.ANNUAL, status=SurveyStatus.CLOSED).order_by(
        "year", "closed_at", "pk"
    ):
        by_year[survey.year] = survey
    return [by_year[y] for y in sorted(by_year)]


def closed_annual(year: int) -> Survey | None:
    return (
        Survey.objects.filter(kind=SurveyKind.ANNUAL, status=SurveyStatus.CLOSED, year=year)
        .order_by("-closed_at", "-pk")
        .first()
    )


def _figure_json(f: Figure) -> dict[str, Any]:
    return {
        "valid": f.tally.valid,
        "satisfied": f.tally.satisfied,
        "score_sum": f.tally.score_sum,
        "distributed": f.returns.distributed,
        "returned": f.returns.returned,
        "target": str(f.target),
    }


def _rule_json(rule: ReturnRule) -> dict[str, str]:
    return {"threshold": str(rule.threshold), "step": str(rule.step), "penalty": str(rule.penalty)}


def _rule_of(data: Mapping[str, Any] | None) -> ReturnRule:
    data = data or {}
    return ReturnRule.of(data.get("threshold", 50), data.get("step", 5), data.get("penalty", 1))


def to_json(survey: Survey) -> dict[str, Any]:
    """The company-wide figures of a survey, as counts (JSON-safe)."""
    found = survey_results(survey)
    figures = found.results
    rule = found.rule
    names = dict(Estate.objects.filter(pk__in=list(figures.by_estate)).values_list("pk", "name"))
    order = list(survey.estates.order_by("estate__code").values_list("estate_id", flat=True))
    return {
        "survey": {"id": survey.pk, "number": survey.number, "title": survey.title, "year": survey.year},
        "rule": _rule_json(rule),
        "overall": _figure_json(figures.overall),
        "categories": [{"code": c, **_figure_json(f)} for c, f in figures.by_category.items()],
        "estates": [
            {"id": e, "name": names.get(e, str(e)), **_figure_json(figures.by_estate[e])}
            for e in sorted(figures.by_estate, key=lambda e: order.index(e) if e in order else len(order))
        ],
    }


def year_json(year: int) -> dict[str, Any] | None:
    """The year's closed annual survey's figures, or None when the year has none."""
    survey = closed_annual(year)
    return to_json(survey) if survey is not None else None


@dataclass(frozen=True)
class AnnualFigures:
    """A stored annual survey's figures rebuilt as ``report.Line`` rows (numbers and words)."""

    survey_id: int
    number: str
    title: str
    year: int
    overall: Line
    categories: list[Line]
    estates: list[Line]

    @property
    def below_target(self) -> list[Line]:
        return [line for line in [self.overall, *self.categories, *self.estates] if line.below_target]


def _figure(data: Mapping[str, Any], rule: ReturnRule) -> Figure:
    return figure(
        Tally(int(data.get("valid", 0)), int(data.get("satisfied", 0)), int(data.get("score_sum", 0))),
        Returns(int(data.get("distributed", 0)), int(data.get("returned", 0))),
        rule,
        Fraction(str(data.get("target", "90"))),
    )


def from_json(data: Mapping[str, Any] | None) -> AnnualFigures | None:
    if not data or "overall" not in data:
        return None
    rule = _rule_of(data.get("rule"))
    survey = data.get("survey") or {}
    categories = sorted(data.get("categories") or [], key=lambda c: category_order(str(c.get("code", ""))))
    return AnnualFigures(
        survey_id=int(survey.get("id", 0)),
        number=str(survey.get("number", "")),
        title=str(survey.get("title", "")),
        year=int(survey.get("year", 0)),
        overall=Line(str(survey.get("title", "")), _figure(data["overall"], rule)),
        categories=[
            Line(
                category_label(str(c.get("code", ""))),
                _figure(c, rule),
                category=category_label(str(c.get("code", ""))),
            )
            for c in categories
        ],
        estates=[
            Line(str(e.get("name", "")), _figure(e, rule), estate=str(e.get("name", "")))
            for e in data.get("estates") or []
        ],
    )


@dataclass(frozen=True)
class YearFigure:
    """One year of the satisfaction trend: its closed annual survey and the overall figure."""

    year: int
    survey_id: int
    number: str
    title: str
    overall: Line


def _overall_counts(survey: Survey) -> dict[str, Any]:
    """A closed survey's overall counts never change (answers after closing are refused and the
    survey keeps its own target and rule), so they are kept in the cache once computed."""
    key = f"surveys:annual-overall:{survey.pk}:{survey.closed_at.timestamp() if survey.closed_at else 0}"
    found = cache.get(key)
    if found is None:
        results = survey_results(survey)
        found = {"figure": _figure_json(results.results.overall), "rule": _rule_json(results.rule)}
        cache.set(key, found, timeout=7 * 24 * 3600)
    return dict(found)


def trend() -> list[YearFigure]:
    """The overall satisfaction of every closed annual survey with answers, oldest year first
    (the dashboard's trend, SPEC A-1); empty when no annual survey has results."""
    years = []
    for survey in closed_annuals():
        counts = _overall_counts(survey)
        f = _figure(counts["figure"], _rule_of(counts["rule"]))
        if f.tally.valid:
            years.append(
                YearFigure(survey.year, survey.pk, survey.number, survey.title, Line(str(survey.year), f))
            )
    return years
