"""Company-wide figures over a run of months: the quarterly analysis (K-13) and the annual
summary (K-15, I-2).

Like ``figures``, everything is a database aggregate. Each breakdown by month is one
GROUP BY over its key (department, category, estate, cause) with one conditional count per
month, so a year costs a fixed handful of queries whatever the number of complaints, and
nothing but the grouped rows reaches Python. There is no median here: a company-year of
reply times would have to be loaded to compute one; the monthly reports carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from estatedesk.complaints.models import Complaint, Kind, Visit
from estatedesk.reports import stats
from estatedesk.reports.figures import month_bounds
from estatedesk.workcal.selectors import company_zone

__all__ = ["PeriodFigures", "months_of_quarter", "months_of_year", "period_figures", "quarter_of"]

Month = tuple[int, int]

# The measures kept per group (department, month): counts only; rates are derived.
MEASURES = (
    "received",
    "valid",
    "invalid",
    "undecided",
    "replied",
    "on_time",
    "valid_visited",
    "answered",
    "satisfied",
    "reopened",
)


def months_of_quarter(year: int, quarter: int) -> list[Month]:
    if not 1 <= quarter <= 4:
        raise ValueError(f"not a quarter: {quarter}")
    first = 3 * (quarter - 1) + 1
    return [(year, first), (year, first + 1), (year, first + 2)]


def months_of_year(year: int) -> list[Month]:
    return [(year, m) for m in range(1, 13)]


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def measure_filters(extra: Q | None = None) -> dict[str, Q]:
    complaint = Q(kind=Kind.COMPLAINT)
    if extra is not None:
        complaint &= extra
    satisfied_levels = stats.SATISFACTION_LEVELS[:2]
    return {
        "received": complaint,
        "valid": complaint & Q(valid=True),
        "invalid": complaint & Q(valid=False),
        "undecided": complaint & Q(valid__isnull=True),
        "replied": complaint & Q(first_replied_at__isnull=False),
        "on_time": complaint & Q(first_replied_at__isnull=False, on_time=True),
        "valid_visited": complaint & Q(valid=True, visited=True),
        "answered": complaint & ~Q(satisfaction=""),
        "satisfied": complaint & Q(satisfaction__in=satisfied_levels),
        "reopened": complaint & Q(reopen_count__gt=0),
    }


def rates(counts: dict[str, int]) -> dict[str, stats.Rate]:
    return {
        "on_time": stats.on_time_rate(counts["on_time"], counts["replied"]),
        "follow_up_coverage": stats.follow_up_coverage(counts["valid_visited"], counts["valid"]),
        "follow_up_satisfaction": stats.Rate(counts["satisfied"], counts["answered"]),
    }


@dataclass(frozen=True)
class PeriodFigures:
    months: tuple[Month, ...]
    start: datetime
    end: datetime
    totals: dict[str, int]  # MEASURES plus grievances and enquiries
    by_month: tuple[dict[str, int], ...]  # MEASURES per month, in order
    by_department: dict[int, dict[str, int]]  # department id → MEASURES
    department_by_month: dict[int, tuple[int, ...]]  # complaints received per month
    category_by_month: dict[str, tuple[int, ...]]
    estate_by_month: dict[int, tuple[int, ...]]
    by_cause: dict[str, int]
    category_pareto: tuple[stats.ParetoRow[str], ...]
    cause_pareto: tuple[stats.ParetoRow[str], ...]


def _records(start: datetime, end: datetime) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(visited=Exists(Visit.objects.filter(complaint_id=OuterRef("pk"))))
        .order_by()
    )


def month_filters(months: list[Month]) -> list[Q]:
    filters = []
    zone = company_zone()
    for year, month in months:
        m_start, m_end = month_bounds(year, month, zone)
        filters.append(Q(received_at__gte=m_start, received_at__lt=m_end))
    return filters


def received_by_month(records: QuerySet[Complaint], key: str, month_q: list[Q]) -> dict[Any, tuple[int, ...]]:
    complaint = Q(kind=Kind.COMPLAINT)
    aggregates = {f"m{i}": Count("pk", filter=complaint & q) for i, q in enumerate(month_q)}
    rows = records.filter(kind=Kind.COMPLAINT).values(key).annotate(**aggregates)
    return {row[key]: tuple(row[f"m{i}"] for i in range(len(month_q))) for row in rows}


def period_figures(months: list[Month]) -> PeriodFigures:
    """Company-wide complaint figures over consecutive months (a quarter, a year)."""
    start = month_bounds(*months[0])[0]
    end = month_bounds(*months[-1])[1]
    records = _records(start, end)
    month_q = month_filters(months)
    measure_q = measure_filters()

    # Totals and the per-month measures in one aggregate.
    aggregates: dict[str, Count] = {f"t_{name}": Count("pk", filter=q) for name, q in measure_q.items()}
    aggregates["t_grievances"] = Count("pk", filter=Q(kind=Kind.GRIEVANCE))
    aggregates["t_enquiries"] = Count("pk", filter=Q(kind=Kind.ENQUIRY))
    for i, mq in enumerate(month_q):
        for name, q in measure_q.items():
            aggregates[f"m{i}_{name}"] = Count("pk", filter=q & mq)
    row = records.aggregate(**aggregates)
    totals = {name: row[f"t_{name}"] for name in (*MEASURES, "grievances", "enquiries")}
    by_month = tuple({name: row[f"m{i}_{name}"] for name in MEASURES} for i in range(len(months)))

    department_rows: Any = records.values("department_id").annotate(
        **{f"d_{name}": Count("pk", filter=q) for name, q in measure_q.items()}
    )
    by_department = {
        r["department_id"]: {name: r[f"d_{name}"] for name in MEASURES}
        for r in department_rows
        if r["department_id"] is not None
    }
    by_cause = {
        r["cause"]: r["n"]
        for r in records.filter(kind=Kind.COMPLAINT).values("cause").annotate(n=Count("pk"))
    }
    category_by_month = {
        code: counts for code, counts in received_by_month(records, "category__code", month_q).items()
    }
    return PeriodFigures(
        months=tuple(months),
        start=start,
        end=end,
        totals=totals,
        by_month=by_month,
        by_department=by_department,
        department_by_month={
            k: v for k, v in received_by_month(records, "department_id", month_q).items() if k is not None
        },
        category_by_month=category_by_month,
        estate_by_month=received_by_month(records, "estate_id", month_q),
        by_cause=by_cause,
        category_pareto=tuple(stats.pareto({code: sum(c) for code, c in category_by_month.items()})),
        cause_pareto=tuple(stats.pareto({k: n for k, n in by_cause.items() if k})),
    )
