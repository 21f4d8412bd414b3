"""The monthly consultations' figures (SPEC S-2, S-3, S-4, S-5): grouped queries over the
consultation answers, then the survey's own arithmetic (``figures.compute``), so a
consultation's rate has its sample size, its Wilson interval and the return-rate rule exactly
as a survey's has.

* One consultation: its answers per building and topic; for the questionnaire method the
  return rate is households that answered ÷ households asked, and the return-rate rule of the
  consultation applies. A visit, a phone call or a talk outdoors is answered on the spot:
  the rule does not apply (``ReturnRule`` with no threshold).
* Several consultations pooled (a half year, the dashboard's months): the answers are pooled,
  and so are the returns: a questionnaire counts its households asked and answered, any other
  method its households answered (answered on the spot), so only an under-returned
  questionnaire lowers a pooled rate, by the company's current rule.
* Coverage of a year: the households consulted (answered) at least once ÷ occupied households.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import Count, Q, QuerySet, Sum

from estatedesk.core.models import CompanySettings
from estatedesk.org.models import Unit
from estatedesk.surveys.consultation_flags import ConsultationFacts, MonthFacts
from estatedesk.surveys.figures import Cell, Results, ReturnRule, Returns, compute
from estatedesk.surveys.models import (
    Category,
    Consultation,
    ConsultationAnswer,
    ConsultationMethod,
    ConsultationStatus,
    ConsultedHousehold,
)
from estatedesk.surveys.results import Targets, target_rows

__all__ = [
    "Coverage",
    "consultation_facts",
    "NO_RULE",
    "company_rule",
    "company_targets",
    "consultation_results",
    "counted",
    "coverage",
    "pooled_results",
    "rule_of",
]

# A consultation answered on the spot has nothing to return: no threshold, no penalty.
NO_RULE = ReturnRule(Fraction(0), Fraction(5), Fraction(0))
_CATEGORY_INDEX = {c: i for i, c in enumerate(Category.values)}


def company_targets(company: CompanySettings | None = None) -> Targets:
    """The quality targets as they stand (per category and estate, else the company's)."""
    company = company or CompanySettings.load()
    return Targets(Fraction(str(company.satisfaction_target)), target_rows())


def company_rule(company: CompanySettings | None = None) -> ReturnRule:
    company = company or CompanySettings.load()
    return ReturnRule.of(
        company.survey_return_threshold, company.survey_return_step, company.survey_return_penalty
    )


def rule_of(consultation: Consultation) -> ReturnRule:
    if consultation.method != ConsultationMethod.QUESTIONNAIRE:
        return NO_RULE
    return ReturnRule.of(consultation.return_threshold, consultation.return_step, consultation.return_penalty)


def counted() -> QuerySet[Consultation]:
    """The consultations whose answers count: under way or finished (not planned, not cancelled)."""
    return Consultation.objects.filter(status__in=[ConsultationStatus.RUNNING, ConsultationStatus.FINISHED])


def _cells(answers: QuerySet[ConsultationAnswer]) -> list[Cell]:
    rows = (
        answers.filter(score__isnull=False)
        .values_list("estate_id", "building_id", "category")
        .annotate(valid=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True)), score_sum=Sum("score"))
        .order_by()
    )
    return [
        Cell(e, b, _CATEGORY_INDEX.get(c, len(_CATEGORY_INDEX)), c, valid, sat, int(total or 0))
        for e, b, c, valid, sat, total in rows
    ]


def _returns(households: QuerySet[ConsultedHousehold]) -> dict[tuple[int, int], Returns]:
    """Per (estate, building): a questionnaire's households asked and answered; any other
    method's households answered, twice (answered on the spot)."""
    rows = (
        households.filter(asked=True)
        .values_list("estate_id", "building_id", "consultation__method")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    )
    out: dict[tuple[int, int], Returns] = defaultdict(Returns)
    for estate, building, method, asked, answered in rows:
        distributed = asked if method == ConsultationMethod.QUESTIONNAIRE else answered
        out[estate, building] += Returns(distributed, answered)
    return dict(out)


def consultation_results(consultation: Consultation, targets: Targets | None = None) -> Results:
    """One consultation's figures: overall, per topic (``by_category``) and per building."""
    answers = ConsultationAnswer.objects.filter(consultation=consultation)
    households = ConsultedHousehold.objects.filter(consultation=consultation)
    return compute(_cells(answers), _returns(households), rule_of(consultation), targets or company_targets())


def pooled_results(
    consultations: QuerySet[Consultation],
    *,
    estate_ids: Collection[int] | None = None,
    targets: Targets | None = None,
    rule: ReturnRule | None = None,
) -> Results:
    """The pooled figures of these consultations (a half year, a year): see the module's docstring."""
    ids = consultations.values("pk")
    answers = ConsultationAnswer.objects.filter(consultation__in=ids)
    households = ConsultedHousehold.objects.filter(consultation__in=ids)
    if estate_ids is not None:
        answers = answers.filter(estate__in=estate_ids)
        households = households.filter(estate__in=estate_ids)
    return compute(
        _cells(answers), _returns(households), rule or company_rule(), targets or company_targets()
    )


@dataclass(frozen=True)
class Coverage:
    consulted: int  # households (units) answered at least once in the year
    occupied: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.consulted * 100, self.occupied) if self.occupied else None


def coverage(year: int, estate_ids: Iterable[int] | None = None) -> dict[int, Coverage]:
    """Per estate: the year's coverage (households consulted at least once ÷ occupied now)."""
    units = Unit.objects.filter(occupied=True)
    consulted = ConsultedHousehold.objects.filter(
        asked=True,
        answered_at__isnull=False,
        consultation__in=counted()
        .filter(month__gte=date(year, 1, 1), month__lte=date(year, 12, 1))
        .values("pk"),
    )
    if estate_ids is not None:
        wanted = list(estate_ids)
        units = units.filter(estate__in=wanted)
        consulted = consulted.filter(estate__in=wanted)
    occupied = dict(units.values_list("estate_id").annotate(n=Count("pk")).order_by())
    reached = dict(consulted.values_list("estate_id").annotate(n=Count("unit_id", distinct=True)).order_by())
    return {e: Coverage(reached.get(e, 0), n) for e, n in occupied.items()}


def _months(first: date, last: date) -> list[date]:
    months, month = [], date(first.year, first.month, 1)
    while month <= last:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def consultation_facts(estate_ids: Iterable[int] | None, first: date, last: date) -> list[MonthFacts]:
    """Per estate with occupied households and per month from ``first`` to ``last``: its
    counted consultations (households asked and answered) and the distinct households reached.
    Three grouped queries, whatever the number of estates and months."""
    units = Unit.objects.filter(occupied=True, estate__active=True)
    consultations = counted().filter(month__gte=date(first.year, first.month, 1), month__lte=last)
    if estate_ids is not None:
        wanted = list(estate_ids)
        units = units.filter(estate__in=wanted)
        consultations = consultations.filter(estate__in=wanted)
    occupied = dict(units.values_list("estate_id").annotate(n=Count("pk")).order_by())
    per: dict[tuple[int, date], list[ConsultationFacts]] = defaultdict(list)
    rows = (
        consultations.values_list("pk", "number", "method", "status", "estate_id", "month")
        .annotate(
            asked=Count("households", filter=Q(households__asked=True)),
            answered=Count(
                "households", filter=Q(households__asked=True, households__answered_at__isnull=False)
            ),
        )
        .order_by("month", "pk")
    )
    for pk, number, method, status, estate, month, asked, answered in rows:
        per[estate, month].append(ConsultationFacts(pk, number, method, status, asked, answered))
    reached = dict(
        (((estate, month), n))
        for estate, month, n in ConsultedHousehold.objects.filter(
            asked=True, answered_at__isnull=False, consultation__in=consultations.values("pk")
        )
        .values_list("estate_id", "consultation__month")
        .annotate(n=Count("unit_id", distinct=True))
        .order_by()
    )
    return [
        MonthFacts(
            estate,
            month,
            occupied[estate],
            tuple(per.get((estate, month), ())),
            reached.get((estate, month), 0),
        )
        for estate in sorted(occupied)
        for month in _months(first, last)
    ]
