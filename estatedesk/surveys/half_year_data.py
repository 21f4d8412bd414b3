"""What the half-year statistics (``half_year``) are computed from, read from the database
(SPEC S-5). For one estate and one half year: the consultations pooled (grouped queries of
``consultation_results``), the survey of that half year narrowed to the estate (grouped
queries of ``results``), the targets, the reason codes, and the reasons and other opinions
given — about ten queries whatever the number of answers, so 300 offices take 3,000.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q

from estatedesk.core.clock import company_zone
from estatedesk.surveys import consultation_results, results
from estatedesk.surveys.coding import codes_from
from estatedesk.surveys.figures import compute
from estatedesk.surveys.half_year import Inputs, half_months
from estatedesk.surveys.models import (
    Answer,
    Category,
    ConsultationAnswer,
    ConsultedHousehold,
    ReasonCode,
    Response,
    Survey,
    SurveyStatus,
)

__all__ = ["half_year_survey", "inputs_for", "period_of"]


def period_of(year: int, half: int) -> tuple[datetime, datetime]:
    """The half year as moments in the company's zone: [start, end)."""
    zone = company_zone()
    start = datetime.combine(date(year, 1 if half == 1 else 7, 1), time.min, zone)
    end = datetime.combine(date(year + (half == 2), 7 if half == 1 else 1, 1), time.min, zone)
    return start, end


def half_year_survey(estate_id: int, year: int, half: int) -> Survey | None:
    """The survey of the estate opened or closed in the half year (the latest, if several)."""
    start, end = period_of(year, half)
    return (
        Survey.objects.filter(
            estates__estate=estate_id,
            status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED],
        )
        .filter(Q(closed_at__gte=start, closed_at__lt=end) | Q(opened_at__gte=start, opened_at__lt=end))
        .order_by("-closed_at", "-opened_at", "-pk")
        .first()
    )


def _labels(language: str) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str]]]:
    labels, categories, rows = {}, {}, []
    for code in ReasonCode.objects.filter(active=True).order_by("position", "code"):
        labels[code.code] = code.label(language)
        categories[code.code] = code.category
        rows.append((code.code, code.keywords, code.category))
    return labels, categories, rows


def inputs_for(estate_id: int, year: int, half: int, language: str) -> Inputs:
    first, last = half_months(year, half)
    targets = consultation_results.company_targets()
    consultations = consultation_results.counted().filter(estate=estate_id, month__gte=first, month__lte=last)
    pooled = consultation_results.pooled_results(consultations, estate_ids=[estate_id], targets=targets)
    consultation = {c: f for (e, c), f in pooled.by_estate_category.items() if e == estate_id}
    ids = consultations.values("pk")

    survey = half_year_survey(estate_id, year, half)
    survey_figures = {}
    if survey is not None:
        # The estate's own cells and returns: its figures are the survey's by_estate_category.
        narrowed = compute(
            results.cells(survey, [estate_id]),
            results.returns(survey, [estate_id]),
            results.rule_of(survey),
            targets,
        )
        survey_figures = {c: f for (e, c), f in narrowed.by_estate_category.items() if e == estate_id}

    reasons: list[tuple[object, str, str]] = list(
        ConsultationAnswer.objects.filter(consultation__in=ids, estate=estate_id)
        .exclude(reason="")
        .order_by()  # no sort wanted (the model's ordering would join the households)
        .values_list("household__unit_id", "category", "reason")
    )
    heard_rows = ConsultedHousehold.objects.filter(
        consultation__in=ids, estate=estate_id, asked=True, answered_at__isnull=False
    ).order_by()  # the model's ordering joins buildings and units: not wanted here
    heard = set(heard_rows.values_list("unit_id", flat=True).distinct())
    reasons += [(u, "", text) for u, text in heard_rows.exclude(remarks="").values_list("unit_id", "remarks")]
    if survey is not None:
        answers = (
            Answer.objects.filter(survey=survey, estate=estate_id)
            .filter(~Q(reason="") | ~Q(text=""))
            .order_by()
        )
        for unit, category, reason, text in answers.values_list(
            "response__household__unit_id", "category", "reason", "text"
        ):
            reasons.append((unit, category, " ".join(t for t in (reason, text) if t)))
        heard |= set(
            Response.objects.filter(survey=survey, estate=estate_id)
            .order_by()
            .values_list("household__unit_id", flat=True)
        )
    labels, code_categories, code_rows = _labels(language)
    return Inputs(
        estate=estate_id,
        first_month=first,
        last_month=last,
        consultation=consultation,
        consultations=consultations.count(),
        survey=(survey.number, survey.title) if survey else None,
        survey_figures=survey_figures,
        target_of=targets,
        reasons=reasons,
        codes=codes_from(code_rows),
        code_labels=labels,
        code_categories=code_categories,
        heard=len(heard),
        category_order=list(Category.values),
        category_labels={c: str(label) for c, label in Category.choices},
    )
