"""The figures of one department's monthly complaint report, from the database (SPEC K-12).

The counts, and the breakdowns by category, estate, cause and channel, are sums of the kept
monthly counts (``complaints.tally``, moved by triggers in the same transaction as every
change), so they do not grow with the number of complaints. Two parts read the
department-month's complaints, each in one query that returns only what it needs (decision
0059): the reply times' median and p90, ranked in the database (three rows come back), and the
repeat complainants (one ordered scan, grouped as it streams; only theirs are held). Both read
columns the database keeps on each complaint, ``reply_us`` and ``complainant`` (stored
generated columns, decision 0068), from the index ``complaint_dept_month`` (department, kind,
received_at, reply_us, complainant, id): nothing is computed per row, and on PostgreSQL no row
is looked up (an index-only scan; SQLite looks the rows up still: it never reads a generated
column from an index). The
open items at month end are kept counts too (``OpenTally``: the department's records by the
month received and the month closed, decision 0066), a few rows whatever the number of records.

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
  as "status is not closed, or it was closed at or after the month's end" (in a later
  company-local month: ``Complaint.closed_on``). Of these, ``open_from_earlier`` were
  received before the month began (carried over twice).

These are live figures: a complaint edited later changes them. Freezing a submitted
report is the report model's job (it stores the figures it was submitted with).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import CharField, Count, F, Func, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from estatedesk.complaints.models import (
    MONTH_MEASURES,
    Category,
    CauseTally,
    Complaint,
    Kind,
    MonthTally,
    OpenTally,
)
from estatedesk.core.clock import company_zone
from estatedesk.reports import measures, stats

__all__ = [
    "MonthHeadline",
    "MonthlyFigures",
    "check_month",
    "compare",
    "month_bounds",
    "month_headline",
    "monthly_figures",
    "previous_month",
    "same_month_last_year",
]


# --- periods (pure) ------------------------------------------------------------------------


def previous_month(year: int, month: int) -> tuple[int, int]:
    check_month(year, month)
    return (year - 1, 12) if month == 1 else (year, month - 1)


def same_month_last_year(year: int, month: int) -> tuple[int, int]:
    check_month(year, month)
    return year - 1, month


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def check_month(year: int, month: int) -> None:
    """ValueError for a (year, month) that is not a calendar month."""
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        raise ValueError(f"not a calendar month: {year}-{month}")


def month_bounds(year: int, month: int, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the company's calendar month, as aware datetimes in the company zone.

    Pass ``zone`` when computing many months: looking it up reads the company settings."""
    check_month(year, month)
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


def monthly_figures(
    *, department_id: int, year: int, month: int, zone: tzinfo | None = None
) -> MonthlyFigures:
    """The K-12 figures of one department for one calendar month (a handful of queries).

    ``zone``: the company's time zone, when the caller has read it (``month_bounds``)."""
    start, end = month_bounds(year, month, zone)
    complaints = _month_complaints(department_id, start, end)
    kept = _kept(department_id, year, month)
    counts = kept.counts
    codes = dict(Category.objects.filter(pk__in=list(kept.by_category_id)).values_list("pk", "code"))
    by_category = {codes[pk]: n for pk, n in kept.by_category_id.items()}
    by_estate = kept.by_estate

    # By cause and channel: the kept counts too (``CauseTally``), a few dozen rows.
    by_cause: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    causes = (
        CauseTally.objects.filter(
            department_id=department_id, month=date(year, month, 1), kind=Kind.COMPLAINT
        )
        .order_by()
        .values_list("cause", "channel")
        .annotate(n=Sum("received"))
    )
    for cause, channel, n in causes:
        if n:  # a key whose complaints all went elsewhere keeps a row of zero
            by_cause[cause] = by_cause.get(cause, 0) + n
            by_channel[channel] = by_channel.get(channel, 0) + n

    reply_times = _reply_times(complaints)

    satisfaction_counts = {
        level: n for level, n in measures.satisfaction_from_month_tally(kept.totals).items() if n
    }
    open_counts = _open_at(department_id=department_id, month=date(year, month, 1))
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
        repeat_complainants=tuple(_repeat_complainants(complaints)),
        open_at_end=open_counts["open_at_end"],
        open_from_earlier=open_counts["open_from_earlier"],
        category_pareto=tuple(stats.pareto(by_category)),
        cause_pareto=tuple(stats.pareto({k: n for k, n in by_cause.items() if k})),
    )


@dataclass(frozen=True)
class _Kept:
    totals: dict[str, int]  # summed MonthTally columns of complaints
    counts: dict[str, int]  # measures.COUNTS, grievances and enquiries
    by_category_id: dict[int, int]
    by_estate: dict[int, int]


def _kept(department_id: int, year: int, month: int) -> _Kept:
    """The counts, by category and by estate, from the kept monthly counts (complaints.tally):
    a few dozen rows whatever the number of complaints."""
    rows: Any = (
        MonthTally.objects.filter(department_id=department_id, month=date(year, month, 1))
        .order_by()
        .values("kind", "category_id", "estate_id")
        .annotate(**{name: Sum(name) for name in MONTH_MEASURES})
    )
    totals: dict[str, int] = dict.fromkeys(MONTH_MEASURES, 0)
    by_kind: dict[str, int] = {}
    by_category_id: dict[int, int] = {}
    by_estate: dict[int, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + int(row["received"] or 0)
        if row["kind"] != Kind.COMPLAINT or not row["received"]:
            continue
        for name in MONTH_MEASURES:
            totals[name] += int(row[name] or 0)
        by_category_id[row["category_id"]] = by_category_id.get(row["category_id"], 0) + row["received"]
        by_estate[row["estate_id"]] = by_estate.get(row["estate_id"], 0) + row["received"]
    counts = measures.from_month_tally(totals)
    counts["grievances"] = by_kind.get(Kind.GRIEVANCE, 0)
    counts["enquiries"] = by_kind.get(Kind.ENQUIRY, 0)
    return _Kept(totals, counts, by_category_id, by_estate)


@dataclass(frozen=True)
class MonthHeadline:
    """What the report compares a month with (the previous month, the same month last year):
    the headline of ``MonthlyFigures`` without its breakdowns, Pareto charts or the repeat
    complainants' rows (only how many there were)."""

    counts: dict[str, int]  # measures.COUNTS, grievances and enquiries
    reply_times: stats.Durations
    repeat_complainants: int
    open_at_end: int
    open_from_earlier: int


def month_headline(*, department_id: int, year: int, month: int, zone: tzinfo | None = None) -> MonthHeadline:
    """``MonthHeadline`` of one department-month in five queries, the same figures as
    ``monthly_figures`` (``tests/reports/test_figures.py`` compares them)."""
    start, end = month_bounds(year, month, zone)
    complaints = _month_complaints(department_id, start, end)
    repeated = _repeated_keys(complaints)
    open_counts = _open_at(department_id=department_id, month=date(year, month, 1))
    return MonthHeadline(
        counts=_kept(department_id, year, month).counts,
        reply_times=_reply_times(complaints),
        repeat_complainants=repeated.count(),
        open_at_end=open_counts["open_at_end"],
        open_from_earlier=open_counts["open_from_earlier"],
    )


def _month_complaints(department_id: int, start: datetime, end: datetime) -> Any:
    return Complaint.objects.filter(
        department_id=department_id, received_at__gte=start, received_at__lt=end, kind=Kind.COMPLAINT
    )


def _repeated_keys(complaints: Any) -> Any:
    """The complainants (``Complaint.complainant``) with two or more of ``complaints``."""
    return (
        complaints.filter(complainant__isnull=False)
        .order_by()
        .values("complainant")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )


def _reply_times(complaints: Any) -> stats.Durations:
    """Count, median and nearest-rank p90 of first reply − received, exactly as
    ``stats.durations`` computes them from the rows, but ranked in the database: one query
    returns the two middle ranks and the p90 rank, not every reply time of the month."""
    ranked = (
        complaints.filter(reply_us__isnull=False)
        .order_by()
        .annotate(rank=Window(RowNumber(), order_by=F("reply_us").asc()), n=Window(Count("pk")))
    )
    n = F("n")
    wanted = Q(rank=(n + 1) / 2) | Q(rank=n / 2 + 1) | Q(rank=(9 * n + 9) / 10)  # ceil(0.9 n)
    rows = list(ranked.filter(wanted).values_list("rank", "n", "reply_us"))
    if not rows:
        return stats.Durations(0, None, None)
    count = rows[0][1]
    seconds = {rank: us / 1_000_000 for rank, _n, us in rows}  # = timedelta.total_seconds()
    low, high = seconds[(count + 1) // 2], seconds[count // 2 + 1]
    median = low if (count + 1) // 2 == count // 2 + 1 else (low + high) / 2  # = statistics.median
    return stats.Durations(count, median, seconds[(9 * count + 9) // 10])


def _repeat_complainants(complaints: Any) -> list[stats.RepeatComplainant[str, int]]:
    """The complainants seen twice or more, in one query: the month's complaints with a
    complainant, ordered by complainant and time of receipt, grouped here as they stream by.

    Read through a plain cursor: a time of receipt is turned into a datetime only for the
    first and the last complaint of a repeat complainant. One ordered scan is cheaper than
    letting the database find the repeaters first (a GROUP BY … HAVING or a window over the
    complainant: 1.5–2.5 times as long on SQLite at 100,000 complaints)."""
    keyed = (
        complaints.filter(complainant__isnull=False)
        # Ties in time of receipt: newer id first, as the model's ordering gave them before.
        .order_by("complainant", "received_at", "-pk")
        .values_list("complainant", "pk", _AsStored("received_at"))
    )
    sql, params = keyed.query.sql_with_params()
    connection = connections[keyed.db]
    found: list[stats.RepeatComplainant[str, int]] = []

    def done(key: str, ids: list[int], first: Any, last: Any) -> None:
        if len(ids) >= 2:
            when = [_db_datetime(connection, first), _db_datetime(connection, last)]
            found.append(stats.RepeatComplainant(key, len(ids), tuple(ids), when[0], when[1]))

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        key: str | None = None
        ids: list[int] = []
        first = last = None
        while chunk := cursor.fetchmany(2000):
            for complainant, pk, received in chunk:
                if complainant != key:
                    if key is not None:
                        done(key, ids, first, last)
                    key, ids, first = complainant, [], received
                ids.append(pk)
                last = received
        if key is not None:
            done(key, ids, first, last)
    return sorted(found, key=lambda r: (-r.count, r.key))


class _AsStored(Func):
    """A datetime column as text, not converted row by row: the drivers turn every value of a
    datetime column into a ``datetime`` (26,575 of them for a busy month: a third of the
    repeat complainants' read on SQLite, and two thirds on PostgreSQL, whose loader for them
    is Python), while only each repeater's first and last are wanted (``_db_datetime``).
    SQLite: an expression has no declared type, so the stored UTC text comes back as it is.
    PostgreSQL: the UTC time written out in a fixed format (not the server's DateStyle)."""

    template = "%(expressions)s"

    def __init__(self, column: str) -> None:
        super().__init__(F(column), output_field=CharField())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _db_datetime(connection: Any, value: Any) -> datetime:
    """A datetime column read through a plain cursor, as the ORM would give it: aware, in the
    connection's zone (SQLite's driver gives naive UTC datetimes or text)."""
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    if value is None:
        raise ValueError("not a datetime")
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


def _open_at(*, department_id: int, month: date) -> dict[str, int]:
    """Open at the end of ``month`` (its 1st): received in it or before, and not closed, or
    closed after it — from the kept counts by month received and month closed (``OpenTally``:
    a record not closed is closed "after every month"), one row per (department, month
    received, month closed) whatever the number of records. Closed at or after the month's
    end in the company's time zone is the same as closed in a later company-local month."""
    mine = OpenTally.objects.filter(department_id=department_id, month__lte=month, closed_month__gt=month)
    sums = mine.order_by().aggregate(n=Sum("received"), e=Sum("received", filter=Q(month__lt=month)))
    return {"open_at_end": sums["n"] or 0, "open_from_earlier": sums["e"] or 0}


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
