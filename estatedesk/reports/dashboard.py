"""The figures of the staff dashboard (SPEC A-1), within the user's complaint scope (P-1).

Everything is counted in the database over ``complaints.selectors.complaints_for(user)``, so
a handler of estate B never counts a complaint of estate A, and the page costs the same
fixed number of queries whatever the number of complaints:

* open work: one aggregate (open records by status, mine, due soon, overdue);
* this month against last month and the 12-month trend: the kept monthly counts
  (``complaints.tally``, moved by triggers in the same transaction as every change) summed by
  month and by category and month, whatever the number of complaints; last month's same
  days from the kept day counts plus the rows of one day; one query for category names;
* company-wide roles: this month by department from the kept counts, the open records by
  department (one GROUP BY) and one query for the names;
* role extras: monthly drafts awaiting submission, the review queue count, overdue
  corrective actions (``improvement.panels``: their count and the five most overdue).

Definitions (the page repeats them)
-----------------------------------
* Open work counts records of every kind (complaints, grievances, enquiries) that are not
  closed, exactly what the complaint list shows for the same filter; "due soon" and
  "overdue" are ``complaints.selectors.due_state_q`` with the company's windows.
* Monthly figures count complaints (kind complaint) by the month they were *received*, in
  the company's time zone, as the monthly report does (``measures``):
  received, valid, on-time replies ÷ replies, satisfied latest answers ÷ answers, reopened.
* "This month" is month to date: from the 1st 00:00 to now. It is compared with the whole
  of last month and with the same days of last month: from the 1st to the same day and
  time (the whole of last month when it is shorter than today's date).
* The trend is the last 12 months including this one (month to date).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from estatedesk.complaints import selectors as complaint_selectors
from estatedesk.complaints.deadlines import DueState, SoonWindows
from estatedesk.complaints.models import (
    DAY_MEASURES,
    MONTH_MEASURES,
    OPEN_STATUSES,
    Category,
    Complaint,
    Kind,
)
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.improvement.panels import overdue_actions_panel
from estatedesk.org.models import Department, Role, Staff
from estatedesk.reports import measures, stats
from estatedesk.reports.figures import previous_month
from estatedesk.reports.models import MonthlyReport, ReportStatus
from estatedesk.reports.selectors import review_queue, reviews_monthly
from estatedesk.surveys import annual as annual_surveys
from estatedesk.surveys import consultation_summary
from estatedesk.surveys.selectors import sees_whole_survey

__all__ = [
    "TREND_MONTHS",
    "Dashboard",
    "DepartmentRow",
    "Figure",
    "OpenWork",
    "Trend",
    "dashboard_for",
    "last_months",
]

Month = tuple[int, int]
TREND_MONTHS = 12
TOP_CATEGORIES = 5
# The counts of the month comparison and the trend (their definitions: measures), the
# halves of its two rates included.
MEASURES = ("received", "valid", "reopened") + tuple(
    name
    for rate in (measures.ON_TIME, measures.FOLLOW_UP_SATISFACTION)
    for name in (rate.numerator, rate.denominator)
)
# Roles that see only their open work: the duty desk, and the developer's and rectification
# people, who are not the company's and are not judged by its monthly figures.
OPEN_WORK_ONLY = frozenset({Role.DUTY_STAFF, Role.DEVELOPER_CS, Role.RECTIFICATION})


# --- time ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Now, the company zone and the due-soon windows, read once per page (one settings query)."""

    now: datetime
    zone: ZoneInfo
    windows: SoonWindows

    @classmethod
    def load(cls) -> Clock:
        company = CompanySettings.load()
        return cls(timezone.now(), company_zone(company), complaint_selectors.soon_windows(company))

    @property
    def local(self) -> datetime:
        return self.now.astimezone(self.zone)

    @property
    def today(self) -> date:
        return self.local.date()


def month_start(zone: ZoneInfo, year: int, month: int) -> datetime:
    """``figures.month_bounds`` without its settings query: the zone is read once per page."""
    return datetime(year, month, 1, tzinfo=zone)


def last_months(year: int, month: int, n: int = TREND_MONTHS) -> list[Month]:
    """The n months ending with (year, month), oldest first."""
    months = [(year, month)]
    while len(months) < n:
        months.insert(0, previous_month(*months[0]))
    return months


def same_days_cut(local_now: datetime) -> datetime:
    """The same day and time of last month; last month's end when it has no such day."""
    year, month = previous_month(local_now.year, local_now.month)
    if local_now.day > calendar.monthrange(year, month)[1]:
        return datetime(local_now.year, local_now.month, 1, tzinfo=local_now.tzinfo)  # last month's end
    return local_now.replace(year=year, month=month)


# --- open work -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenWork:
    total: int
    by_status: dict[str, int]  # every open status, in workflow order, zeros included
    due_soon: int
    overdue: int
    mine: int | None  # open records the user is the handler of; None for roles without


def _open_work(scoped: QuerySet[Complaint], clock: Clock, staff: Staff | None, with_mine: bool) -> OpenWork:
    """Three index reads, none of them of the records' rows: the open ones by status (the open
    records' partial index), the due ones (the partial index of those awaiting a reply, from
    the oldest deadline to the end of the "due soon" window) and the user's own."""
    aggregates: dict[str, Count] = {f"s_{s}": Count("pk", filter=Q(status=s)) for s in OPEN_STATUSES}
    row = scoped.filter(open=True).order_by().aggregate(**aggregates)
    by_status = {str(s): row[f"s_{s}"] for s in OPEN_STATUSES}
    due_state = complaint_selectors.deadline_q  # the query holds only records awaiting a reply
    window_end = clock.now + max(clock.windows.urgent, clock.windows.normal)
    due = (
        scoped.filter(awaiting_reply=True, reply_due__lte=window_end)
        .order_by()
        .aggregate(
            n_due_soon=Count("pk", filter=due_state(DueState.DUE_SOON, clock.now, clock.windows)),
            n_overdue=Count("pk", filter=due_state(DueState.OVERDUE, clock.now, clock.windows)),
        )
    )
    mine = None
    if with_mine and staff is not None:
        mine = scoped.filter(open=True, handler=staff).order_by().count()
    return OpenWork(
        total=sum(by_status.values()),
        by_status=by_status,
        due_soon=due["n_due_soon"],
        overdue=due["n_overdue"],
        mine=mine,
    )


# --- this month against last month, and the trend ------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One headline figure: month to date against the whole last month and its same days."""

    name: str  # received / valid / on_time / satisfaction / reopened
    current: int | stats.Rate
    last_month: int | stats.Rate
    same_days: int | stats.Rate
    vs_last_month: stats.CountChange | stats.RateChange
    vs_same_days: stats.CountChange | stats.RateChange


@dataclass(frozen=True)
class Trend:
    months: tuple[Month, ...]
    by_month: tuple[dict[str, int], ...]  # MEASURES per month, oldest first
    same_days: dict[str, int]  # MEASURES over [last month's 1st, same_days_end)
    month_start: datetime  # this month's 1st, company time
    now: datetime
    same_days_start: datetime
    same_days_end: datetime
    categories: tuple[tuple[str, str, tuple[int, ...]], ...]  # (code, name, per month); top first
    other_categories: tuple[int, ...]  # the rest, per month

    def on_time(self, counts: dict[str, int]) -> stats.Rate:
        return measures.ON_TIME.of(counts)

    def satisfaction(self, counts: dict[str, int]) -> stats.Rate:
        return measures.FOLLOW_UP_SATISFACTION.of(counts)

    def figures(self) -> list[Figure]:
        current, last, same = self.by_month[-1], self.by_month[-2], self.same_days
        rows: list[Figure] = []
        for name in ("received", "valid", "reopened"):
            rows.append(
                Figure(
                    name,
                    current[name],
                    last[name],
                    same[name],
                    stats.CountChange(current[name], last[name]),
                    stats.CountChange(current[name], same[name]),
                )
            )
        for name, rate in (("on_time", self.on_time), ("satisfaction", self.satisfaction)):
            rows.append(
                Figure(
                    name,
                    rate(current),
                    rate(last),
                    rate(same),
                    stats.RateChange(rate(current), rate(last)),
                    stats.RateChange(rate(current), rate(same)),
                )
            )
        order = ("received", "valid", "on_time", "satisfaction", "reopened")
        return sorted(rows, key=lambda f: order.index(f.name))


MONTH_SUMS = {name: Sum(name) for name in MONTH_MEASURES}
DAY_SUMS = {name: Sum(name) for name in DAY_MEASURES}


def _same_days(user: Actor, scoped: QuerySet[Complaint], clock: Clock, cut: datetime) -> dict[str, int]:
    """Last month from its 1st to the same day and time: whole days from the kept day counts,
    and the part of the last day before that time from the complaints themselves (one day's
    rows at most)."""
    first = date(cut.year, cut.month, 1)
    cut_day = cut.date()
    row = (
        complaint_selectors.day_tallies_for(user)
        .filter(kind=Kind.COMPLAINT, day__gte=first, day__lt=cut_day)
        .aggregate(**DAY_SUMS)
    )
    counts = {name: int(row[name] or 0) for name in MEASURES}
    day_start = datetime(cut_day.year, cut_day.month, cut_day.day, tzinfo=clock.zone)
    if cut > day_start:
        measure_q = {name: q for name, q in measures.count_filters().items() if name in MEASURES}
        part = scoped.filter(received_at__gte=day_start, received_at__lt=cut).aggregate(
            **{f"n_{name}": Count("pk", filter=q) for name, q in measure_q.items()}
        )
        for name in MEASURES:
            counts[name] += part[f"n_{name}"]
    return counts


def _trend(user: Actor, scoped: QuerySet[Complaint], clock: Clock) -> Trend:
    """The 12 months from the kept monthly counts (``complaints.tally``): a few hundred rows
    whatever the number of complaints, and as fresh as the last committed change."""
    local = clock.local
    months = last_months(local.year, local.month)
    starts = [month_start(clock.zone, y, m) for y, m in months]
    this_start = starts[-1]
    firsts = [date(y, m, 1) for y, m in months]
    index = {first: i for i, first in enumerate(firsts)}
    cut = same_days_cut(local)
    counted = (
        complaint_selectors.month_tallies_for(user)
        .filter(kind=Kind.COMPLAINT, month__gte=firsts[0], month__lte=firsts[-1])
        .order_by()
    )
    # One GROUP BY month and category: the months are the sums of their categories' rows.
    by_month = [dict.fromkeys(MEASURES, 0) for _m in months]
    per_category_id: dict[Any, list[int]] = {}
    for row in counted.values("month", "category_id").annotate(**MONTH_SUMS):
        i = index[row["month"]]
        counts = measures.from_month_tally(row)
        for name in MEASURES:
            by_month[i][name] += counts[name]
        per_category_id.setdefault(row["category_id"], [0] * len(months))[i] += counts["received"]
    # Cut at this month's 1st: last month is shorter than today's date, so all of it.
    same_days = dict(by_month[-2]) if cut >= this_start else _same_days(user, scoped, clock, cut)

    codes = dict(Category.objects.filter(pk__in=[k for k in per_category_id if k]).values_list("pk", "code"))
    per_category: dict[str | None, tuple[int, ...]] = {
        codes.get(k): tuple(v) for k, v in per_category_id.items()
    }
    # The catch-all category 其他 (and complaints without one) is never a "top" category of
    # its own: it goes into "Other categories", the last band, as on the Pareto chart.
    ranked = sorted(
        ((code, counts) for code, counts in per_category.items() if code and code != stats.OTHER_KEY),
        key=lambda kv: (-sum(kv[1]), kv[0]),
    )
    top = [(code, counts) for code, counts in ranked[:TOP_CATEGORIES] if sum(counts)]
    rest = [c for _k, c in ranked[TOP_CATEGORIES:]]
    rest += [c for code, c in per_category.items() if not code or code == stats.OTHER_KEY]
    other = [sum(column) for column in zip(*rest, strict=True)]
    names = {c.code: str(c) for c in Category.objects.filter(code__in=[code for code, _c in top])}
    return Trend(
        months=tuple(months),
        by_month=tuple(by_month),
        same_days=same_days,
        month_start=this_start,
        now=clock.now,
        same_days_start=starts[-2],
        same_days_end=cut,
        categories=tuple(
            (code or "", names.get(code or "") or code or "", tuple(counts)) for code, counts in top
        ),
        other_categories=tuple(other) if other else tuple(0 for _m in months),
    )


# --- company-wide: per department ----------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    department_id: int | None
    name: str
    received: int  # complaints received this month, to date
    on_time: stats.Rate  # of this month's complaints replied so far
    open: int  # records of every kind, now
    overdue: int  # now


def _departments(
    user: Actor, scoped: QuerySet[Complaint], clock: Clock, start: datetime
) -> list[DepartmentRow]:
    """This month's complaints by department from the kept counts; open and overdue records
    from the open records themselves (status is indexed: they are the open work, not the
    history)."""
    on_time = measures.ON_TIME
    halves = (on_time.numerator, on_time.denominator)
    month = date(start.year, start.month, 1)
    counted: dict[int | None, dict[str, int]] = {}
    is_complaint = Q(kind=Kind.COMPLAINT)
    monthly: Any = (
        complaint_selectors.month_tallies_for(user)
        .filter(month=month)
        .order_by()
        .values("department_id")
        .annotate(
            any_kind=Sum("received"),
            **{name: Sum(name, filter=is_complaint) for name in ("received", *halves)},
        )
    )
    for row in monthly:
        if row["any_kind"]:  # records of any kind this month list the department, as open ones do
            counted[row["department_id"]] = {name: int(row[name] or 0) for name in ("received", *halves)}
    # Open records by department, and the overdue ones: each from its partial index alone.
    open_rows: Any = scoped.filter(open=True).order_by().values("department_id").annotate(n=Count("pk"))
    overdue_rows: Any = (
        complaint_selectors.filter_due_state(scoped, DueState.OVERDUE, clock.now, clock.windows)
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    overdue = {r["department_id"]: r["n"] for r in overdue_rows}
    opened = {r["department_id"]: (r["n"], overdue.get(r["department_id"], 0)) for r in open_rows}
    keys = list({**counted, **opened})
    names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    result = [
        DepartmentRow(
            department_id=k,
            name=names.get(k, ""),
            received=counted.get(k, {}).get("received", 0),
            on_time=on_time.of(counted.get(k, {})),
            open=opened.get(k, (0, 0))[0],
            overdue=opened.get(k, (0, 0))[1],
        )
        for k in keys
    ]
    # Most overdue first: the table is read to see where to push.
    return sorted(result, key=lambda d: (-d.overdue, -d.open, d.name))


# --- the whole dashboard -------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    clock: Clock
    role: str | None
    sees_all: bool
    open_work: OpenWork
    trend: Trend | None  # None for roles that see only their open work
    departments: list[DepartmentRow] | None  # company-wide roles only
    drafts_awaiting: list[MonthlyReport] | None  # department heads only
    review_queue: int | None  # the deputy GM and the GM only
    overdue_actions: dict[str, Any] | None  # improvement.panels.overdue_actions_panel: count, rows, url
    # The closed annual surveys' overall satisfaction, oldest year first (S-7, A-1); empty: none
    # has results yet (nothing is shown then); None for roles that see only their open work.
    survey_trend: list[annual_surveys.YearFigure] | None = None
    # The monthly consultations of the estates in scope, the last 12 months (S-4, A-1): the
    # pooled rate per month, the flags of last month and this one, the year's coverage; None:
    # no consultation in those months (nothing is shown) or a role that sees only open work.
    consultations: consultation_summary.Board | None = None

    @property
    def figures(self) -> list[Figure]:
        return self.trend.figures() if self.trend is not None else []


def _drafts_awaiting(staff: Staff, clock: Clock) -> list[MonthlyReport]:
    """Drafts of ended months in the head's departments (a month is reported once it is over)."""
    today = clock.today
    ended = Q(year__lt=today.year) | Q(year=today.year, month__lt=today.month)
    return list(
        MonthlyReport.objects.filter(department__in=staff.departments.all(), status=ReportStatus.DRAFT)
        .filter(ended)
        .select_related("department")
        .order_by("year", "month", "department__name")
    )


def _consultations(user: Actor, clock: Clock) -> consultation_summary.Board | None:
    """The consultations of the user's estates (all of them for the survey team and those who
    see the whole company), as the consultation pages scope them."""
    estate_ids = None if sees_whole_survey(user) else (policy.estate_ids(user) or frozenset())
    return consultation_summary.board(estate_ids, clock.today)


def dashboard_for(user: Actor) -> Dashboard:
    """The dashboard of a signed-in staff member; everything counted within their scope."""
    clock = Clock.load()
    staff = policy.staff_of(user)
    role = policy.role_of(user)
    everything = policy.sees_all(user)
    scoped = complaint_selectors.complaints_for(user)
    full = everything or (role is not None and role not in OPEN_WORK_ONLY)
    # "Mine" is for the people who handle complaints; the leadership's own work is the table.
    with_mine = staff is not None and full and not everything
    local = clock.local
    return Dashboard(
        clock=clock,
        role=role,
        sees_all=everything,
        open_work=_open_work(scoped, clock, staff, with_mine),
        trend=_trend(user, scoped, clock) if full else None,
        departments=(
            _departments(user, scoped, clock, month_start(clock.zone, local.year, local.month))
            if everything
            else None
        ),
        drafts_awaiting=(
            _drafts_awaiting(staff, clock) if staff is not None and role == Role.DEPARTMENT_HEAD else None
        ),
        review_queue=review_queue(user).count() if reviews_monthly(user) else None,
        overdue_actions=overdue_actions_panel(user, clock.today) if full else None,
        survey_trend=annual_surveys.trend() if full else None,
        consultations=_consultations(user, clock) if full else None,
    )
