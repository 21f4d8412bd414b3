"""Company-wide figures over a run of months: the quarterly analysis (K-13) and the annual
summary (K-15, I-2).

The counts are those of ``measures``. Like ``figures``, everything is a database aggregate: two GROUP BYs over the period's rows,
each keyed by the month a record was received in (a CASE over received_at): one by
department with every measure, one by category, estate and cause. Totals, months and
departments are sums of the grouped rows, so a year costs a fixed handful of queries
whatever the number of complaints, and nothing but the grouped rows reaches Python.

Not one conditional count per measure and month: at 1,000,000 complaints that aggregate
(130 FILTER clauses, the month's range tested in each, the visit lookup repeated in 13)
took 9-11 s of a year's 14-22 s, and SQLite ran the per-category one once per category;
the grouped form takes what hand-written SQL takes (docs/benchmarks.md, bench/reports.py).

There is no median here: a company-year of reply times would have to be loaded to compute
one; the monthly reports carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import Case, Count, IntegerField, Value, When

from estatedesk.complaints.models import Complaint, Kind
from estatedesk.core.clock import company_zone
from estatedesk.reports import measures, stats
from estatedesk.reports.figures import month_bounds

__all__ = ["PeriodFigures", "months_of_quarter", "months_of_year", "period_figures", "quarter_of"]

Month = tuple[int, int]


def months_of_quarter(year: int, quarter: int) -> list[Month]:
    if not 1 <= quarter <= 4:
        raise ValueError(f"not a quarter: {quarter}")
    first = 3 * (quarter - 1) + 1
    return [(year, first), (year, first + 1), (year, first + 2)]


def months_of_year(year: int) -> list[Month]:
    return [(year, m) for m in range(1, 13)]


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


@dataclass(frozen=True)
class PeriodFigures:
    months: tuple[Month, ...]
    start: datetime
    end: datetime
    totals: dict[str, int]  # measures.COUNTS plus grievances and enquiries
    by_month: tuple[dict[str, int], ...]  # measures.COUNTS per month, in order
    by_department: dict[int, dict[str, int]]  # department id → measures.COUNTS
    department_by_month: dict[int, tuple[int, ...]]  # complaints received per month
    category_by_month: dict[str, tuple[int, ...]]
    estate_by_month: dict[int, tuple[int, ...]]
    by_cause: dict[str, int]
    category_pareto: tuple[stats.ParetoRow[str], ...]
    cause_pareto: tuple[stats.ParetoRow[str], ...]


def month_index(months: list[Month], zone: tzinfo) -> Case:
    """Which of ``months`` (0-based) a record was received in, for records within them."""
    ends = [month_bounds(year, month, zone)[1] for year, month in months[:-1]]
    return Case(
        *[When(received_at__lt=end, then=Value(i)) for i, end in enumerate(ends)],
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )


def period_figures(months: list[Month]) -> PeriodFigures:
    """Company-wide complaint figures over consecutive months (a quarter, a year)."""
    zone = company_zone()
    start = month_bounds(*months[0], zone)[0]
    end = month_bounds(*months[-1], zone)[1]
    records = (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .order_by()
        .annotate(month_index=month_index(months, zone))
    )
    counted = {**measures.count_filters(), **measures.OTHER_KINDS}

    # Department x month with every measure: totals, months and departments are its sums.
    totals = dict.fromkeys(counted, 0)
    by_month = [dict.fromkeys(measures.COUNTS, 0) for _ in months]
    by_department: dict[int, dict[str, int]] = {}
    department_by_month: dict[int, list[int]] = {}
    rows: Any = records.values("department_id", "month_index").annotate(
        **{f"n_{name}": Count("pk", filter=q) for name, q in counted.items()}
    )
    for row in rows:
        department = by_department.setdefault(row["department_id"], dict.fromkeys(measures.COUNTS, 0))
        month = by_month[row["month_index"]]
        for name in counted:
            totals[name] += row[f"n_{name}"]
        for name in measures.COUNTS:
            department[name] += row[f"n_{name}"]
            month[name] += row[f"n_{name}"]
        received = department_by_month.setdefault(row["department_id"], [0] * len(months))
        received[row["month_index"]] += row["n_received"]

    # Complaints by category x estate x cause x month: the three breakdowns are its sums.
    category_by_month: dict[str, list[int]] = {}
    estate_by_month: dict[int, list[int]] = {}
    by_cause: dict[str, int] = {}
    breakdown = (
        records.filter(kind=Kind.COMPLAINT)
        .values_list("category__code", "estate_id", "cause", "month_index")
        .annotate(n=Count("pk"))
    )
    for code, estate_id, cause, index, n in breakdown:
        category_by_month.setdefault(code, [0] * len(months))[index] += n
        estate_by_month.setdefault(estate_id, [0] * len(months))[index] += n
        by_cause[cause] = by_cause.get(cause, 0) + n

    return PeriodFigures(
        months=tuple(months),
        start=start,
        end=end,
        totals=totals,
        by_month=tuple(by_month),
        by_department=by_department,
        # Departments that received complaints (grievances or enquiries alone do not list one).
        department_by_month={k: tuple(v) for k, v in department_by_month.items() if any(v)},
        category_by_month={k: tuple(v) for k, v in category_by_month.items()},
        estate_by_month={k: tuple(v) for k, v in estate_by_month.items()},
        by_cause=by_cause,
        category_pareto=tuple(stats.pareto({code: sum(c) for code, c in category_by_month.items()})),
        cause_pareto=tuple(stats.pareto({k: n for k, n in by_cause.items() if k})),
    )
