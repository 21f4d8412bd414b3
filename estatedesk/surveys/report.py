"""A survey's results laid out for people (SPEC S-2, S-3, S-7): the overall block and the
tables by category, estate, estate × category, building and question, each figure with its
words (``wording``). The results page, its print view / PDF and its workbook all show this,
so they cannot disagree; the numbers come from ``results.survey_results`` only.

The user's scope: the estates' and buildings' rows, and the free-text reasons, only of the
estates the user may see (``selectors.estate_ids_in``); the company-wide figures (overall,
categories, questions) are the whole survey's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language

from estatedesk.core.actors import Actor
from estatedesk.org.models import Building, Estate
from estatedesk.surveys import selectors, wording
from estatedesk.surveys.figures import Figure, one_decimal
from estatedesk.surveys.models import Answer, Category, Question, Survey, level_label
from estatedesk.surveys.results import SurveyResults, survey_results

__all__ = ["Line", "Reason", "Report", "build", "category_label", "category_order", "line_of"]


def category_label(code: str) -> str:
    if code in Category.values:
        return str(Category(code).label)
    return code or wording.DASH


@dataclass(frozen=True)
class Line:
    """One row of a results table: what it covers and its figure, as numbers and as words."""

    label: str
    figure: Figure
    estate: str = ""
    building: str = ""
    category: str = ""
    number: int | None = None  # a question's number on the sheet

    # numbers (percent, one decimal), for the workbook, the charts and the API
    @property
    def valid(self) -> int:
        return self.figure.tally.valid

    @property
    def satisfied(self) -> int:
        return self.figure.tally.satisfied

    @property
    def distributed(self) -> int:
        return self.figure.returns.distributed

    @property
    def returned(self) -> int:
        return self.figure.returns.returned

    @property
    def raw(self) -> float | None:
        return one_decimal(self.figure.raw)

    @property
    def adjusted(self) -> float | None:
        return one_decimal(self.figure.adjusted)

    @property
    def ci_low(self) -> float | None:
        bounds = self.figure.interval
        return one_decimal(bounds[0]) if bounds else None

    @property
    def ci_high(self) -> float | None:
        bounds = self.figure.interval
        return one_decimal(bounds[1]) if bounds else None

    @property
    def mean_score(self) -> float | None:
        return one_decimal(self.figure.mean_score)

    @property
    def return_rate(self) -> float | None:
        return one_decimal(self.figure.return_rate)

    @property
    def shortfall(self) -> float:
        return one_decimal(self.figure.shortfall) or 0.0

    @property
    def penalty(self) -> float:
        return one_decimal(self.figure.penalty_points) or 0.0

    @property
    def target(self) -> float | None:
        return one_decimal(self.figure.target)

    @property
    def below_target(self) -> bool:
        return self.figure.below_target

    # words, for the page and the PDF
    @property
    def raw_text(self) -> str:
        return wording.percent_text(self.figure.raw)

    @property
    def adjusted_text(self) -> str:
        return wording.percent_text(self.figure.adjusted)

    @property
    def interval_text(self) -> str:
        return wording.interval_text(self.figure)

    @property
    def mean_text(self) -> str:
        return wording.score_text(self.figure.mean_score)

    @property
    def return_rate_text(self) -> str:
        return wording.percent_text(self.figure.return_rate)

    @property
    def shortfall_text(self) -> str:
        return wording.points_text(self.figure.shortfall)

    @property
    def penalty_text(self) -> str:
        return wording.points_text(self.figure.penalty_points)

    @property
    def target_text(self) -> str:
        return wording.percent_text(self.figure.target)

    @property
    def reason(self) -> str:
        return wording.penalty_reason(self.figure)


def line_of(label: str, figure: Figure, **where: object) -> Line:
    return Line(label, figure, **where)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Reason:
    """A free-text answer or a reason for dissatisfaction: where, which question, which level.
    No name, no phone, no unit: the answer stays the household's."""

    estate: str
    building: str
    question: str
    number: int
    level: str
    reason: str
    text: str


@dataclass
class Report:
    survey: Survey
    results: SurveyResults
    overall: Line
    categories: list[Line] = field(default_factory=list)
    estates: list[Line] = field(default_factory=list)
    estate_categories: list[Line] = field(default_factory=list)
    buildings: list[Line] = field(default_factory=list)
    questions: list[Line] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    whole_survey: bool = True  # False: the estates' rows are narrowed to the user's

    @property
    def rule_text(self) -> str:
        return wording.rule_text(self.results.rule)

    @property
    def threshold_text(self) -> str:
        return f"{wording.number_text(self.results.rule.threshold)}%"

    @property
    def has_answers(self) -> bool:
        return self.overall.valid > 0

    @property
    def below_target_count(self) -> int:
        rows = [self.overall, *self.categories, *self.estates, *self.estate_categories, *self.buildings]
        return sum(1 for row in [*rows, *self.questions] if row.below_target)


def _questions(survey: Survey) -> dict[int, tuple[int, Question]]:
    """Every question the survey asked (its residential and office questionnaires), with its
    number on the sheet."""
    versions = {survey.version_id, *survey.estates.values_list("version_id", flat=True)}
    if survey.office_version_id:
        versions.add(survey.office_version_id)
    found: dict[int, tuple[int, Question]] = {}
    for version_id in sorted(v for v in versions if v):
        for number, question in enumerate(
            Question.objects.filter(version_id=version_id)
            .select_related("version")
            .order_by("position", "pk"),
            start=1,
        ):
            found[question.pk] = (number, question)
    return found


def category_order(code: str) -> tuple[int, str]:
    values = list(Category.values)
    return (values.index(code) if code in values else len(values), code)


def reasons(
    survey: Survey, estate_ids: list[int], questions: dict[int, tuple[int, Question]]
) -> list[Reason]:
    language = get_language()
    estates = dict(Estate.objects.filter(pk__in=estate_ids).values_list("pk", "name"))
    rows = (
        Answer.objects.filter(survey=survey, estate__in=estate_ids)
        .exclude(reason="", text="")
        .values_list("estate_id", "building_id", "building__name", "question_id", "level", "reason", "text")
        .order_by("estate__code", "building__name", "question__position", "pk")
    )
    scales: dict[int, dict[str, dict[str, object]]] = {}
    found = []
    for estate_id, _building_id, building, question_id, level, reason, text in rows:
        number, question = questions.get(question_id, (0, None))
        label = ""
        if level and question is not None:
            scale = scales.get(question.version_id)
            if scale is None:
                scale = {str(x.get("code")): x for x in question.version.scale}
                scales[question.version_id] = scale
            label = level_label(scale.get(level, {"code": level}), language)
        found.append(
            Reason(
                estates.get(estate_id, ""),
                building,
                question.text(language) if question is not None else "",
                number,
                label,
                reason,
                text,
            )
        )
    return found


def build(survey: Survey, user: Actor, *, with_reasons: bool = True) -> Report:
    """The report of a survey as ``user`` may see it."""
    estate_ids = selectors.estate_ids_in(user, survey)
    results = survey_results(survey, estate_ids=estate_ids)
    figures = results.results
    language = get_language()
    estates = {e.pk: e for e in Estate.objects.filter(pk__in=estate_ids)}
    estate_order = {pk: i for i, pk in enumerate(estate_ids)}
    buildings = {
        b.pk: b for b in Building.objects.filter(pk__in=list(figures.by_building)).select_related("estate")
    }
    questions = _questions(survey)

    def estate_name(pk: int) -> str:
        estate = estates.get(pk)
        return estate.name if estate else str(pk)

    report = Report(
        survey=survey,
        results=results,
        overall=line_of(survey.title, figures.overall),
        whole_survey=selectors.sees_whole_survey(user),
    )
    report.categories = [
        line_of(category_label(c), f, category=category_label(c))
        for c, f in sorted(figures.by_category.items(), key=lambda kv: category_order(kv[0]))
    ]
    report.estates = [
        line_of(estate_name(e), f, estate=estate_name(e))
        for e, f in sorted(figures.by_estate.items(), key=lambda kv: estate_order.get(kv[0], 0))
    ]
    report.estate_categories = [
        line_of(
            f"{estate_name(e)} · {category_label(c)}",
            f,
            estate=estate_name(e),
            category=category_label(c),
        )
        for (e, c), f in sorted(
            figures.by_estate_category.items(),
            key=lambda kv: (estate_order.get(kv[0][0], 0), category_order(kv[0][1])),
        )
    ]

    def building_key(pk: int) -> tuple[int, str]:
        building = buildings.get(pk)
        return (estate_order.get(building.estate_id, 0), building.name) if building else (0, str(pk))

    report.buildings = []
    for b in sorted(figures.by_building, key=building_key):
        building = buildings.get(b)
        name = building.name if building else str(b)
        estate = estate_name(building.estate_id) if building else ""
        report.buildings.append(
            line_of(f"{estate} · {name}", figures.by_building[b], estate=estate, building=name)
        )

    def question_key(pk: int) -> tuple[int, int, int]:
        number, question = questions.get(pk, (0, None))
        return (question.version_id if question else 0, number, pk)

    report.questions = []
    for q in sorted(figures.by_question, key=question_key):
        number, question = questions.get(q, (0, None))
        text = question.text(language) if question is not None else str(q)
        category = category_label(question.category) if question is not None else ""
        report.questions.append(
            line_of(text, figures.by_question[q], category=category, number=number or None)
        )
    if with_reasons:
        report.reasons = reasons(survey, estate_ids, questions)
    return report
