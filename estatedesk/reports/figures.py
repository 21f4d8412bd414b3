"""The figures of one department's monthly complaint report, from the database (SPEC K-12).

Every count is a database aggregate (conditional ``Count`` with ``filter=``, or a GROUP BY
through ``values().annotate()``), so the number of queries and the memory used do not grow
with the number of complaints. The two exceptions are bounded: the reply times of one
department-month (for the median and p90) and the rows of the complainants who complained
at least twice that month (found by a GROUP BY … HAVING in the database first).

Definitions (the report prints them next to the figures)
--------------------------------------------------------
* The month is the company's calendar month: [1st 00:00, next 1st 00:00) in the company's
  time zone. A record belongs to the month in which it was *received*.
* "Complaints" are records of kind complaint; grievances and enquiries are counted on
  their own and take no part in the complaint figures below.
* Validity: valid (company's own cause), invalid (any other cause), undecided (not yet
  assessed). By category, cause (blank = not yet assessed), channel and estate count all
  complaints of the month, valid or not; so do both Pareto charts.
* The counts and the three rates (on-time reply rate, follow-up coverage, follow-up
  satisfaction) are those of ``measures``, where they are defined once for every report.
* Reply time: first reply − received, in seconds; median and nearest-rank p90 over the
  complaints with a first reply (None when there is none).
* Follow-up satisfaction is over the complaints' *latest* answer (``Complaint.satisfaction``,
  written by each visit), one answer per complaint: a complaint visited twice counts once,
  with the customer's final word, so a reopened-then-fixed complaint is not counted as
  both dissatisfied and satisfied.
* Reopened: complaints with reopen_count > 0 (reopened by a dissatisfied visit).
* Repeat complainants: two or more complaints in the month from the same complainant,
  identified by customer record, else by phone (blind index), else by name; complaints
  with none of them (an anonymous suggestion-box note) are not attributed.
* Open items at month end: records of every kind handled by the department, received
  before the month's end and not closed at that moment, approximated from the live record
  as "status is not closed, or it was closed at or after the month's end". Of these,
  ``open_from_earlier`` were received before the month began (carried over twice).

These are live figures: a complaint edited later changes them. Freezing a submitted
report is the report model's job (it stores the figures it was submitted with).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Cast, Concat

from estatedesk.complaints.models import OPEN_STATUSES, Complaint, Kind, Status
from estatedesk.core.clock import company_zone
from estatedesk.reports import measures, stats

__all__ = [
    "MonthlyFigures",
    "compare",
    "month_bounds",
    "monthly_figures",
    "previous_month",
    "same_month_last_year",
]


# --- periods (pure) ------------------------------------------------------------------------


def previous_month(year: int, month: int) -> tuple[int, int]:
    _check_month(year, month)
    return (year - 1, 12) if month == 1 else (year, month - 1)


def same_month_last_year(year: int, month: int) -> tuple[int, int]:
    _check_month(year, month)
    return year - 1, month


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _check_month(year: int, month: int) -> None:
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        raise ValueError(f"not a calendar month: {year}-{month}")


def month_bounds(year: int, month: int, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the company's calendar month, as aware datetimes in the company zone.

    Pass ``zone`` when computing many months: looking it up reads the company settings."""
    _check_month(year, month)
    zone = zone or company_zone()
    next_year, next_month = _next_month(year, month)
    return datetime(year, month, 1, tzinfo=zone), datetime(next_year, next_month, 1, tzinfo=zone)


# --- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyFigures:
    department_id: int
    year: int
    month: int
    start: datetime
    end: datetime
    # complaints received in the month, by validity
    received: int
    valid: int
    invalid: int
    undecided: int
    grievances: int
    enquiries: int
    by_category: dict[str, int]  # category code → complaints
    by_cause: dict[str, int]  # cause code ("" = not yet assessed) → complaints
    by_channel: dict[str, int]
    by_estate: dict[int, int]  # estate id → complaints
    on_time: stats.Rate
    reply_times: stats.Durations  # seconds
    follow_up_coverage: stats.Rate
    satisfaction_counts: dict[str, int]  # latest answer per complaint → complaints
    follow_up_satisfaction: stats.Rate
    reopened: int
    repeat_complainants: tuple[stats.RepeatComplainant[str, int], ...]
    open_at_end: int
    open_from_earlier: int
    category_pareto: tuple[stats.ParetoRow[str], ...]
    cause_pareto: tuple[stats.ParetoRow[str], ...]

    @property
    def reply_median_seconds(self) -> float | None:
        return self.reply_times.median

    @property
    def reply_p90_seconds(self) -> float | None:
        return self.reply_times.p90


def monthly_figures(*, department_id: int, year: int, month: int) -> MonthlyFigures:
    """The K-12 figures of one department for one calendar month (a handful of queries)."""
    start, end = month_bounds(year, month)
    month_records = Complaint.objects.filter(
        department_id=department_id, received_at__gte=start, received_at__lt=end
    )
    complaints = month_records.filter(kind=Kind.COMPLAINT)

    is_complaint = Q(kind=Kind.COMPLAINT)
    satisfaction_filters = {
        f"n_sat_{level}": Count("pk", filter=is_complaint & Q(satisfaction=level))
        for level in stats.SATISFACTION_LEVELS
    }
    # The counts of measures (their definitions), in one aggregate. Aggregate names start
    # with n_: an alias equal to a field name (valid, on_time) would shadow the field inside
    # the other filters.
    counted = {**measures.count_filters(), **measures.OTHER_KINDS}
    row = month_records.aggregate(
        **{f"n_{name}": Count("pk", filter=q) for name, q in counted.items()}, **satisfaction_filters
    )
    counts = {name: row[f"n_{name}"] for name in counted}

    # One GROUP BY over the four keys: its rows are bounded by the combinations that occur,
    # not by the number of complaints; the four breakdowns are summed from them.
    by_category: dict[str, int] = {}
    by_cause: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    by_estate: dict[int, int] = {}
    breakdown = (
        complaints.order_by()
        .values_list("category__code", "cause", "channel", "estate_id")
        .annotate(n=Count("pk"))
    )
    for category, cause, channel, estate_id, n in breakdown:
        by_category[category] = by_category.get(category, 0) + n
        by_cause[cause] = by_cause.get(cause, 0) + n
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_estate[estate_id] = by_estate.get(estate_id, 0) + n

    # Bounded: the replied complaints of one department in one month; streamed, so only
    # their durations are held, and unordered (the model's ordering would sort them).
    replies = (
        complaints.filter(first_replied_at__isnull=False)
        .order_by()
        .values_list("first_replied_at", "received_at")
        .iterator(chunk_size=2000)
    )
    reply_times = stats.durations(replied - received for replied, received in replies if replied is not None)

    satisfaction_counts = {
        level: row[f"n_sat_{level}"] for level in stats.SATISFACTION_LEVELS if row[f"n_sat_{level}"]
    }
    open_counts = _open_at(department_id=department_id, start=start, end=end)
    return MonthlyFigures(
        department_id=department_id,
        year=year,
        month=month,
        start=start,
        end=end,
        received=counts["received"],
        valid=counts["valid"],
        invalid=counts["invalid"],
        undecided=counts["undecided"],
        grievances=counts["grievances"],
        enquiries=counts["enquiries"],
        by_category=by_category,
        by_cause=by_cause,
        by_channel=by_channel,
        by_estate=by_estate,
        on_time=measures.ON_TIME.of(counts),
        reply_times=reply_times,
        follow_up_coverage=measures.FOLLOW_UP_COVERAGE.of(counts),
        satisfaction_counts=satisfaction_counts,
        follow_up_satisfaction=measures.FOLLOW_UP_SATISFACTION.of(counts),
        reopened=counts["reopened"],
        repeat_complainants=tuple(_repeat_complainants(complaints, start=start, end=end)),
        open_at_end=open_counts["open_at_end"],
        open_from_earlier=open_counts["open_from_earlier"],
        category_pareto=tuple(stats.pareto(by_category)),
        cause_pareto=tuple(stats.pareto({k: n for k, n in by_cause.items() if k})),
    )


def _complainant_key() -> Case:
    """customer:<id>, else phone:<blind index>, else name:<name>; NULL when none is known."""
    return Case(
        When(
            customer_id__isnull=False,
            then=Concat(Value("customer:"), Cast("customer_id", output_field=CharField())),
        ),
        When(~Q(phone_index=""), then=Concat(Value("phone:"), F("phone_index"))),
        When(~Q(complainant_name=""), then=Concat(Value("name:"), F("complainant_name"))),
        default=Value(None),
        output_field=CharField(),
    )


def _repeat_complainants(
    complaints: Any, *, start: datetime, end: datetime
) -> list[stats.RepeatComplainant[str, int]]:
    keyed = complaints.annotate(complainant=_complainant_key())
    # The database finds the keys seen twice or more; only their rows are loaded.
    repeated = (
        keyed.filter(complainant__isnull=False)
        .order_by()
        .values("complainant")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("complainant")
    )
    rows = (  # streamed: only the repeat complainants' ids are held
        keyed.filter(complainant__in=repeated)
        .values_list("complainant", "pk", "received_at")
        .iterator(chunk_size=2000)
    )
    return stats.repeat_complainants(rows, start=start, end=end)


def _open_at(*, department_id: int, start: datetime, end: datetime) -> dict[str, int]:
    # Open at the month's end: not closed now, or closed at or after the end. Counted as two
    # disjoint parts so that both databases read them from the index complaint_dept_open
    # alone; with the one OR, PostgreSQL read the table (0.2 s, SQLite 0.4 s, at 1,000,000).
    # Still every record the department received before the end, but index entries only.
    mine = Complaint.objects.filter(department_id=department_id, received_at__lt=end).order_by()
    earlier = Q(received_at__lt=start)
    parts = [
        mine.filter(status__in=OPEN_STATUSES).aggregate(n=Count("pk"), e=Count("pk", filter=earlier)),
        mine.filter(status=Status.CLOSED, closed_at__gte=end).aggregate(
            n=Count("pk"), e=Count("pk", filter=earlier)
        ),
    ]
    return {"open_at_end": sum(p["n"] for p in parts), "open_from_earlier": sum(p["e"] for p in parts)}


# --- comparison ----------------------------------------------------------------------------

_HEADLINE_COUNTS = (
    "received",
    "valid",
    "invalid",
    "undecided",
    "grievances",
    "enquiries",
    "reopened",
    "open_at_end",
)
_HEADLINE_RATES = tuple(rate.name for rate in measures.RATES)


def compare(
    current: MonthlyFigures, previous: MonthlyFigures
) -> dict[str, stats.CountChange | stats.RateChange]:
    """The headline figures against an earlier month (previous month, same month last year)."""
    changes: dict[str, stats.CountChange | stats.RateChange] = {
        name: stats.CountChange(getattr(current, name), getattr(previous, name)) for name in _HEADLINE_COUNTS
    }
    changes["repeat_complainants"] = stats.CountChange(
        len(current.repeat_complainants), len(previous.repeat_complainants)
    )
    for name in _HEADLINE_RATES:
        changes[name] = stats.RateChange(getattr(current, name), getattr(previous, name))
    return changes
