"""Where the monthly consultations' figures meet the other reports (SPEC S-4, A-1, K-14, I-2):
the dashboard's monthly trend and flags, a month's section of the monthly report, and the
year's summary in the annual pack / management-review pack.

The arithmetic is the consultations' own (``consultation_results``): answers pooled, a
questionnaire's households asked and answered as its returns, any other method answered on
the spot, the company's return-rate rule and the targets per estate; the flags are
``consultation_flags.flags`` over ``consultation_facts``.

* The dashboard's trend pools each estate's counted consultations per month in two grouped
  queries for all estates and months (``pooled_results`` per month would cost a dozen
  queries per page); the arithmetic is ``figures.figure`` on the same counts, so a point equals
  ``pooled_results`` of that month's consultations (a test holds them together).
* The monthly report and the annual pack store their section as counts (JSON) when drafted,
  so a submitted report or an issued pack does not change afterwards; the words are rebuilt
  from the counts in the reader's language (``*_from_json``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import pgettext

from estatedesk.core.models import CompanySettings
from estatedesk.core.prepared import Prepared
from estatedesk.org.models import Estate
from estatedesk.surveys.consultation_flags import (
    LOW_RETURN,
    MISSING,
    UNDER_SHARE,
    ConsultationFacts,
    Flag,
    MonthFacts,
    flags,
)
from estatedesk.surveys.consultation_overview import add_months
from estatedesk.surveys.consultation_overview import flag_text as overview_flag_text
from estatedesk.surveys.consultation_results import (
    Coverage,
    company_rule,
    company_targets,
    consultation_facts,
    consultation_results,
    counted,
    coverage,
    pooled_results,
    rule_of,
)
from estatedesk.surveys.figures import Figure, ReturnRule, Returns, Tally, figure
from estatedesk.surveys.models import (
    ConsultationAnswer,
    ConsultationMethod,
    ConsultedHousehold,
)
from estatedesk.surveys.report import Line, category_label
from estatedesk.surveys.results import Targets
from estatedesk.surveys.wording import percent_text

__all__ = [
    "Board",
    "EstateMonths",
    "MonthConsultations",
    "YearConsultations",
    "board",
    "flag_text",
    "month_from_json",
    "month_json",
    "year_from_json",
    "year_json",
]

TREND_MONTHS = 12


def _settings() -> tuple[ReturnRule, Targets]:
    """The company's rule and targets, with one settings query."""
    company = CompanySettings.load()
    return company_rule(company), company_targets(company)


def flag_text(flag: Flag) -> str:
    """A flag with its month in front: "2026-02: no consultation held (…)"."""
    return f"{flag.month:%Y-%m}{pgettext('label: value', ': ')}{overview_flag_text(flag)}"


# --- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EstateMonths:
    estate_id: int
    name: str
    points: tuple[Figure | None, ...]  # per month, oldest first; None: no answer that month
    held: tuple[int, ...]  # consultations under way or finished, per month
    coverage: Coverage | None  # this year's
    flags: tuple[Flag, ...]  # of last month and this month

    @property
    def flag_texts(self) -> list[str]:
        return [flag_text(f) for f in self.flags]


@dataclass(frozen=True)
class Board:
    months: tuple[date, ...]
    estates: tuple[EstateMonths, ...]


def _month_points(
    estate_ids: Collection[int] | None, months: list[date], rule: ReturnRule, targets: Targets
) -> dict[tuple[int, date], Figure]:
    consultations = counted().filter(month__gte=months[0], month__lte=months[-1])
    if estate_ids is not None:
        consultations = consultations.filter(estate__in=list(estate_ids))
    ids = consultations.values("pk")
    tallies: dict[tuple[int, date], Tally] = defaultdict(Tally)
    for estate, month, valid, satisfied, score_sum in (
        ConsultationAnswer.objects.filter(consultation__in=ids, score__isnull=False)
        .values_list("estate_id", "consultation__month")
        .annotate(valid=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True)), score_sum=Sum("score"))
        .order_by()
    ):
        tallies[estate, month] += Tally(valid, satisfied, int(score_sum or 0))
    returns: dict[tuple[int, date], Returns] = defaultdict(Returns)
    for estate, month, method, asked, answered in (
        ConsultedHousehold.objects.filter(consultation__in=ids, asked=True)
        .values_list("estate_id", "consultation__month", "consultation__method")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    ):
        distributed = asked if method == ConsultationMethod.QUESTIONNAIRE else answered
        returns[estate, month] += Returns(distributed, answered)
    return {
        key: figure(t, returns.get(key, Returns()), rule, targets(key[0], None))
        for key, t in tallies.items()
        if t.valid
    }


def board(estate_ids: Collection[int] | None, today: date) -> Board | None:
    """The last 12 months of each estate's consultations (None: no consultation in them)."""
    this = date(today.year, today.month, 1)
    months = [add_months(this, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    held_any = counted().filter(month__gte=months[0], month__lte=months[-1])
    if estate_ids is not None:
        held_any = held_any.filter(estate__in=list(estate_ids))
    if not held_any.exists():  # one query for the many pages of a company without consultations
        return None
    facts = consultation_facts(estate_ids, months[0], months[-1])
    rule, targets = _settings()
    points = _month_points(estate_ids, months, rule, targets)
    held: dict[int, dict[date, int]] = defaultdict(dict)
    for f in facts:
        held[f.estate][f.month] = len(f.consultations)
    recent = [f for f in facts if f.month >= months[-2]]
    found = flags(recent, today)
    names = dict(Estate.objects.filter(pk__in=list(held)).values_list("pk", "name"))
    year_coverage = coverage(today.year, list(held))
    return Board(
        months=tuple(months),
        estates=tuple(
            EstateMonths(
                estate_id=e,
                name=names.get(e, str(e)),
                points=tuple(points.get((e, m)) for m in months),
                held=tuple(held[e].get(m, 0) for m in months),
                coverage=year_coverage.get(e),
                flags=tuple(f for f in found if f.estate == e),
            )
            for e in sorted(held, key=lambda e: names.get(e, str(e)))
        ),
    )


# --- counts as JSON, and back ----------------------------------------------------------------


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


def _figure(data: Mapping[str, Any], rule: ReturnRule) -> Figure:
    return figure(
        Tally(int(data.get("valid", 0)), int(data.get("satisfied", 0)), int(data.get("score_sum", 0))),
        Returns(int(data.get("distributed", 0)), int(data.get("returned", 0))),
        rule,
        Fraction(str(data.get("target", "90"))),
    )


def _flag_json(flag: Flag) -> dict[str, Any]:
    return {
        "kind": flag.kind,
        "estate": flag.estate,
        "month": flag.month.isoformat(),
        "consultation": flag.consultation,
        "number": flag.number,
        "reached": flag.reached,
        "needed": flag.needed,
        "rate": None if flag.rate is None else str(flag.rate),
    }


def _flag_of(data: Mapping[str, Any]) -> Flag:
    rate = data.get("rate")
    return Flag(
        kind=str(data.get("kind", "")),
        estate=int(data.get("estate", 0)),
        month=date.fromisoformat(str(data.get("month"))),
        consultation=data.get("consultation"),
        number=str(data.get("number", "")),
        reached=int(data.get("reached", 0)),
        needed=int(data.get("needed", 0)),
        rate=None if rate is None else Fraction(str(rate)),
    )


# --- a month (the monthly report) --------------------------------------------------------------


# An estate's name, whether it is active, and its occupied households: compiled once.
_ESTATE: Prepared[tuple[str, bool, int]] = Prepared(
    lambda *, estate_id: (
        Estate.objects.filter(pk=estate_id)
        .order_by()
        .annotate(occupied=Count("units", filter=Q(units__occupied=True)))
        .values_list("name", "active", "occupied")
    ),
    estate_id=-424_242,
)


def month_json(estate_id: int | None, year: int, month: int, today: date) -> dict[str, Any] | None:
    """A month of one estate's consultations as counts; None without an estate with occupied
    households (a department that is not a management office).

    The figures of ``consultation_facts`` for one estate and month, and the year's coverage
    up to its end (the report's "so far"), in three queries rather than six and two more a
    consultation (every monthly draft computes it, decision 0071): the estate's name with its
    occupied households, the month's counted consultations with their households asked and
    answered, and the households reached in the month with those reached so far this year."""
    if estate_id is None:
        return None
    first = date(year, month, 1)
    estate = _ESTATE.first(estate_id=estate_id)
    if estate is None or not estate[1] or not estate[2]:
        return None  # as ``consultation_facts``: only active estates with occupied households
    name, _active, occupied = estate
    consultations = list(
        counted()
        .filter(estate=estate_id, month=first)
        .annotate(
            asked=Count("households", filter=Q(households__asked=True)),
            answered=Count(
                "households", filter=Q(households__asked=True, households__answered_at__isnull=False)
            ),
        )
        .order_by("pk")
    )
    year_so_far = counted().filter(month__gte=date(year, 1, 1), month__lte=first)
    households = ConsultedHousehold.objects.filter(
        estate=estate_id, asked=True, answered_at__isnull=False, consultation__in=year_so_far.values("pk")
    ).aggregate(
        reached=Count(
            "unit_id", distinct=True, filter=Q(consultation__month=first, consultation__estate=estate_id)
        ),
        consulted=Count("unit_id", distinct=True),
    )
    held = tuple(
        ConsultationFacts(c.pk, c.number, c.method, c.status, c.asked, c.answered) for c in consultations
    )
    fact = MonthFacts(estate_id, first, occupied, held, households["reached"])
    rows = []
    for c in consultations:
        found = consultation_results(c)
        rows.append(
            {
                "id": c.pk,
                "number": c.number,
                "method": c.method,
                "status": c.status,
                "topics": list(c.topics),
                "asked": c.asked,
                "answered": c.answered,
                "rule": _rule_json(rule_of(c)),
                "overall": _figure_json(found.overall),
                "by_topic": [
                    {"code": code, **_figure_json(found.by_category[code])}
                    for code in c.topics
                    if code in found.by_category
                ],
            }
        )
    return {
        "estate": estate_id,
        "estate_name": name or "",
        "year": year,
        "month": month,
        "occupied": occupied,
        "reached": fact.reached,
        "consultations": rows,
        "flags": [_flag_json(f) for f in flags([fact], today)],
        "coverage": {"consulted": households["consulted"], "occupied": occupied},
    }


@dataclass(frozen=True)
class HeldConsultation:
    id: int
    number: str
    method: str
    status: str
    topics: list[str]
    asked: int
    answered: int
    overall: Line
    by_topic: list[Line]

    @property
    def method_label(self) -> str:
        return str(ConsultationMethod(self.method).label) if self.method in ConsultationMethod.values else ""

    @property
    def topic_labels(self) -> str:
        return "、".join(category_label(t) for t in self.topics)


@dataclass(frozen=True)
class MonthConsultations:
    estate: str
    year: int
    month: int
    occupied: int
    reached: int
    consultations: list[HeldConsultation]
    flags: list[Flag]
    coverage: Coverage

    @property
    def flag_texts(self) -> list[str]:
        return [flag_text(f) for f in self.flags]

    @property
    def coverage_text(self) -> str:
        return percent_text(self.coverage.rate)


def month_from_json(data: Mapping[str, Any] | None) -> MonthConsultations | None:
    if not data or "consultations" not in data:
        return None
    held = []
    for c in data.get("consultations") or []:
        rule = _rule_of(c.get("rule"))
        held.append(
            HeldConsultation(
                id=int(c.get("id", 0)),
                number=str(c.get("number", "")),
                method=str(c.get("method", "")),
                status=str(c.get("status", "")),
                topics=[str(t) for t in c.get("topics") or []],
                asked=int(c.get("asked", 0)),
                answered=int(c.get("answered", 0)),
                overall=Line(str(c.get("number", "")), _figure(c.get("overall") or {}, rule)),
                by_topic=[
                    Line(
                        category_label(str(t.get("code", ""))),
                        _figure(t, rule),
                        category=category_label(str(t.get("code", ""))),
                    )
                    for t in c.get("by_topic") or []
                ],
            )
        )
    cover = data.get("coverage") or {}
    return MonthConsultations(
        estate=str(data.get("estate_name", "")),
        year=int(data.get("year", 0)),
        month=int(data.get("month", 0)),
        occupied=int(data.get("occupied", 0)),
        reached=int(data.get("reached", 0)),
        consultations=held,
        flags=[_flag_of(f) for f in data.get("flags") or []],
        coverage=Coverage(int(cover.get("consulted", 0)), int(cover.get("occupied", 0))),
    )


# --- a year (the annual pack) ----------------------------------------------------------------


def year_json(year: int, today: date, estate_ids: Collection[int] | None = None) -> dict[str, Any] | None:
    """Per estate: consultations held, months missed, coverage, the pooled rate; None: no
    consultation was held in the year."""
    first, last = date(year, 1, 1), date(year, 12, 1)
    facts = consultation_facts(estate_ids, first, last)
    if not any(f.consultations for f in facts):
        return None
    rule, targets = _settings()
    judged = flags(facts, min(today, date(year, 12, 31)))
    consultations = counted().filter(month__gte=first, month__lte=last)
    pooled = pooled_results(consultations, estate_ids=estate_ids, targets=targets, rule=rule)
    estates = sorted({f.estate for f in facts})
    names = dict(Estate.objects.filter(pk__in=estates).values_list("pk", "name"))
    cover = coverage(year, estates)
    rows = []
    for e in estates:
        mine = [f for f in facts if f.estate == e]
        found = pooled.by_estate.get(e)
        reached = cover.get(e)
        rows.append(
            {
                "id": e,
                "name": names.get(e, str(e)),
                "held": sum(len(f.consultations) for f in mine),
                "missed": [f.month.month for f in judged if f.estate == e and f.kind == MISSING],
                "under_share": [f.month.month for f in judged if f.estate == e and f.kind == UNDER_SHARE],
                "low_return": sum(1 for f in judged if f.estate == e and f.kind == LOW_RETURN),
                "coverage": {
                    "consulted": reached.consulted if reached else 0,
                    "occupied": reached.occupied if reached else mine[0].occupied,
                },
                "figure": _figure_json(found) if found is not None else None,
            }
        )
    return {"year": year, "rule": _rule_json(rule), "estates": rows}


@dataclass(frozen=True)
class EstateYear:
    name: str
    held: int
    missed: list[int]
    under_share: list[int]
    low_return: int
    coverage: Coverage
    line: Line | None

    @property
    def coverage_text(self) -> str:
        return percent_text(self.coverage.rate)

    @property
    def missed_text(self) -> str:
        return "、".join(str(m) for m in self.missed) or "—"


@dataclass(frozen=True)
class YearConsultations:
    year: int
    estates: list[EstateYear]


def year_from_json(data: Mapping[str, Any] | None) -> YearConsultations | None:
    if not data or not data.get("estates"):
        return None
    rule = _rule_of(data.get("rule"))
    rows = []
    for e in data["estates"]:
        cover = e.get("coverage") or {}
        fig = e.get("figure")
        name = str(e.get("name", ""))
        rows.append(
            EstateYear(
                name=name,
                held=int(e.get("held", 0)),
                missed=[int(m) for m in e.get("missed") or []],
                under_share=[int(m) for m in e.get("under_share") or []],
                low_return=int(e.get("low_return", 0)),
                coverage=Coverage(int(cover.get("consulted", 0)), int(cover.get("occupied", 0))),
                line=Line(name, _figure(fig, rule), estate=name) if fig else None,
            )
        )
    return YearConsultations(int(data.get("year", 0)), rows)
