"""The figures of one department's monthly complaint report, from the database (SPEC K-12).

The counts, and the breakdowns by category, estate, cause and channel, are sums of the kept
monthly counts (``complaints.tally``, moved by triggers in the same transaction as every
change), so they do not grow with the number of complaints. So are the open items at month
end (``OpenTally``: the department's records by the month received and the month closed,
decision 0066). The reply times and the repeat complainants are read from rows the same
triggers keep per complaint, keyed by department and company-local month (decision 0072):
the median and p90 at their ranks from ``ReplyTime``'s index, ordered by time (two short
reads); how many repeat complainants there are from ``RepeatTally`` (those with two or more);
and who they are, with their complaints, from one walk of ``RepeatRow``'s index, already in
complainant and time order. No query reads the month's complaint rows.

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
from django.db.models import CharField, F, Func, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from estatedesk.complaints.models import (
    MONTH_MEASURES,
    Category,
    CauseTally,
    Kind,
    MonthTally,
    OpenTally,
    RepeatRow,
    RepeatTally,
    ReplyTime,
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
    first = date(year, month, 1)
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

    reply_times = _reply_times(department_id, first, kept.totals["replied"])

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
        repeat_complainants=tuple(_repeat_complainants(department_id, first)),
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


def month_headline(*, department_id: int, year: int, month: int) -> MonthHeadline:
    """``MonthHeadline`` of one department-month in a few small queries of kept rows, keyed by
    company-local month, the same figures as ``monthly_figures``
    (``tests/reports/test_figures.py`` compares them)."""
    first = date(year, month, 1)
    open_counts = _open_at(department_id=department_id, month=first)
    kept = _kept(department_id, year, month)
    return MonthHeadline(
        counts=kept.counts,
        reply_times=_reply_times(department_id, first, kept.totals["replied"]),
        repeat_complainants=_repeaters(department_id, first).count(),
        open_at_end=open_counts["open_at_end"],
        open_from_earlier=open_counts["open_from_earlier"],
    )


def _repeaters(department_id: int, month: date) -> Any:
    """The complainants (``Complaint.complainant``) with two or more complaints in the
    department-month: a range of the kept ``RepeatTally``'s index, whatever the number of
    complaints."""
    return RepeatTally.objects.filter(department_id=department_id, month=month, received__gte=2)


def _reply_times(department_id: int, month: date, count: int) -> stats.Durations:
    """Count, median and nearest-rank p90 of first reply − received, exactly as
    ``stats.durations`` computes them from the rows, read at their ranks from the kept
    ``ReplyTime`` rows in the order of their index (``reply_time_rank``): one query of two
    short reads that stop at their rank, not a sort of the month's complaints.

    ``count``: the month's replied complaints, from the kept counts (``MonthTally.replied``:
    the same rows, kept by the same kind of trigger; ``tests/complaints/test_tally.py``)."""
    if not count:
        return stats.Durations(0, None, None)
    low, high, p90 = (count + 1) // 2, count // 2 + 1, (9 * count + 9) // 10  # ranks from 1; ceil(0.9 n)
    ordered = (
        ReplyTime.objects.filter(department_id=department_id, month=month)
        .order_by("reply_us")
        .values_list("reply_us", flat=True)
    )
    middle, p90th = (ordered[a:b].query.sql_with_params() for a, b in ((low - 1, high), (p90 - 1, p90)))
    # SQLite takes no LIMIT in a branch of a compound query unless it is a subquery; each row
    # says which read it came from, as a compound query keeps no order of its own.
    sql = f"SELECT 0, r.reply_us FROM ({middle[0]}) r UNION ALL SELECT 1, r.reply_us FROM ({p90th[0]}) r"  # noqa: S608 - compiled by the ORM
    with connections[ordered.db].cursor() as cursor:
        cursor.execute(sql, (*middle[1], *p90th[1]))
        found = [us / 1_000_000 for _part, us in sorted(cursor.fetchall())]
    if len(found) != high - low + 2:
        raise RuntimeError("the kept reply times and the kept counts disagree")  # never, by the tests
    median = found[0] if low == high else (found[0] + found[1]) / 2  # = statistics.median
    return stats.Durations(count, median, found[-1])  # seconds, = timedelta.total_seconds()


def _repeat_complainants(department_id: int, month: date) -> list[stats.RepeatComplainant[str, int]]:
    """The complainants seen twice or more in the department-month, with their complaints in
    time order (newer complaint first on a tie, as the model's ordering gives them), from the
    kept ``RepeatRow``: its index holds a department-month in complainant and time order.

    A time of receipt is turned into a datetime only for the first and the last complaint of
    a repeat complainant. PostgreSQL groups in the database (one row a repeater, its ids as
    an array in the order asked); SQLite streams the index's rows and they are grouped here,
    as a repeater's complaints are consecutive (its ``group_concat`` promises no order
    before 3.44)."""
    mine = RepeatRow.objects.filter(department_id=department_id, month=month)
    connection = connections[mine.db]
    if connection.vendor == "postgresql":
        found = _repeaters_grouped(connection, department_id, month)
    else:
        found = _repeaters_streamed(connection, mine)
    return sorted(found, key=lambda r: (-r.count, r.key))


def _repeaters_grouped(
    connection: Any, department_id: int, month: date
) -> list[stats.RepeatComplainant[str, int]]:
    table = connection.ops.quote_name(RepeatRow._meta.db_table)
    when = _PG_UTC_TEXT.format("{}(received_at)")
    sql = (
        f"SELECT complainant, array_agg(complaint_id ORDER BY received_at, complaint_id DESC), "  # noqa: S608 - our own names
        f"{when.format('min')}, {when.format('max')} FROM {table} "
        "WHERE department_id = %s AND month = %s GROUP BY complainant HAVING count(*) >= 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (department_id, month))
        return [
            stats.RepeatComplainant(
                key, len(ids), tuple(ids), _db_datetime(connection, first), _db_datetime(connection, last)
            )
            for key, ids, first, last in cursor.fetchall()
        ]


def _repeaters_streamed(connection: Any, mine: Any) -> list[stats.RepeatComplainant[str, int]]:
    keyed = mine.order_by("complainant", "received_at", "-complaint_id").values_list(
        "complainant", "complaint_id", _AsStored("received_at")
    )
    sql, params = keyed.query.sql_with_params()
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
    return found


# A PostgreSQL timestamptz written out as UTC text in a fixed format (not the server's
# DateStyle), which ``_db_datetime`` reads back as SQLite's stored text.
_PG_UTC_TEXT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"


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
        template = _PG_UTC_TEXT.format("%(expressions)s")
        return self.as_sql(compiler, connection, template=template, **extra)


def _db_datetime(connection: Any, value: Any) -> datetime:
    """A datetime column read through a plain cursor, as the ORM would give it: aware, in the
    connection's zone (SQLite's driver gives naive UTC datetimes or text)."""
    if not isinstance(value, datetime):
        try:  # the text the database wrote, in one C call (a regex parse: 3 µs each, 2,058 a month)
            value = datetime.fromisoformat(value)
        except (TypeError, ValueError):
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
