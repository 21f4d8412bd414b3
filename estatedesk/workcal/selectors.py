"""Reads of the working-day calendar (SPEC P-4).

``load_calendar`` turns the table into the engine's pure ``Calendar``. It is cached in each
process, and every call first reads the region's revision token (one primary-key look-up),
so a change saved by another process or worker is seen by the very next deadline computed.
The calendar is the same for every staff member: it needs no user scope.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.workcal import engine
from estatedesk.workcal.models import CalendarDay, CalendarRevision, CalendarYear, DayKind, Source

DEFAULT_REGION = "CN"
# From this day of November an unconfirmed next year is an administrator's to-do (SPEC P-4).
UPKEEP_FROM = (11, 15)

_lock = threading.Lock()
_cache: dict[str, tuple[str, engine.Calendar]] = {}


def _revision(region: str) -> str:
    return CalendarRevision.objects.filter(region=region).values_list("token", flat=True).first() or ""


def load_calendar(region: str = DEFAULT_REGION) -> engine.Calendar:
    # The token is read before the rows: if a change lands in between, the rows are newer
    # than the token they are cached under, and the next call simply loads them again.
    token = _revision(region)
    cached = _cache.get(region)
    if cached is not None and cached[0] == token:
        return cached[1]
    rows = CalendarDay.objects.filter(region=region).values_list("date", "kind")
    holidays = frozenset(day for day, kind in rows if kind == DayKind.HOLIDAY)
    workdays = frozenset(day for day, kind in rows if kind == DayKind.WORKDAY)
    confirmed = frozenset(
        CalendarYear.objects.filter(region=region, confirmed=True).values_list("year", flat=True)
    )
    calendar = engine.Calendar(holidays=holidays, workdays=workdays, confirmed_years=confirmed)
    with _lock:
        _cache[region] = (token, calendar)
    return calendar


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# --- Company time and office hours -------------------------------------------------------


def office_hours_for(estate: Any = None, *, company: CompanySettings | None = None) -> engine.OfficeHours:
    """The estate's own office hours, else the company's default; always in the company's zone."""
    company = company or CompanySettings.load()
    text = (getattr(estate, "office_hours", "") or "").strip() or company.office_hours
    return engine.OfficeHours.parse(text, company_zone(company))


# --- Years -------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearStatus:
    region: str
    year: int
    confirmed: bool
    source: str = ""
    reference: str = ""
    confirmed_by: Any = None
    confirmed_at: datetime | None = None
    record: CalendarYear | None = field(default=None, compare=False)


def year_status(region: str, year: int) -> YearStatus:
    record = CalendarYear.objects.select_related("confirmed_by").filter(region=region, year=year).first()
    if record is None:
        return YearStatus(region, year, confirmed=False)
    return YearStatus(
        region,
        year,
        confirmed=record.confirmed,
        source=record.source,
        reference=record.reference,
        confirmed_by=record.confirmed_by,
        confirmed_at=record.confirmed_at,
        record=record,
    )


def days_in_year(region: str, year: int) -> list[CalendarDay]:
    """The stored days dated in ``year`` (a calendar page or the API's view of a year)."""
    return list(CalendarDay.objects.filter(region=region, date__year=year).order_by("date"))


def days_between(region: str, first: date, last: date) -> list[CalendarDay]:
    """The stored days from ``first`` to ``last``: a year's holiday spans may start in the one before."""
    return list(CalendarDay.objects.filter(region=region, date__range=(first, last)).order_by("date"))


def day_record(region: str, day: date) -> CalendarDay | None:
    return CalendarDay.objects.filter(region=region, date=day).first()


def day_history(region: str, day: date) -> list[Any]:
    """Every version of one day's row, newest first, including removals."""
    return list(
        CalendarDay.history.filter(region=region, date=day)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:50]
    )


def years_needing_notice(today: date, region: str = DEFAULT_REGION) -> list[int]:
    """Years an administrator should enter now: this year if unconfirmed, and next year from 15 November."""
    candidates = [today.year]
    if (today.month, today.day) >= UPKEEP_FROM:
        candidates.append(today.year + 1)
    confirmed = set(
        CalendarYear.objects.filter(region=region, year__in=candidates, confirmed=True).values_list(
            "year", flat=True
        )
    )
    return [year for year in candidates if year not in confirmed]


# --- The notice of a year, as ranges (to fill the form again) ----------------------------


@dataclass
class HolidayRange:
    name_zh_hans: str
    name_zh_hant: str
    name_en: str
    first: date
    last: date


@dataclass
class MakeUpDay:
    date: date
    name_zh_hans: str = ""
    name_zh_hant: str = ""
    name_en: str = ""


def notice_of_year(region: str, year: int) -> tuple[list[HolidayRange], list[MakeUpDay]]:
    """The official days of a year's notice, with runs of same-named days off as ranges.

    A run continues over a weekend (seeded years store only the weekdays of a range).
    """
    rows = list(CalendarDay.objects.filter(region=region, year=year, source=Source.OFFICIAL).order_by("date"))
    workday_dates = {row.date for row in rows if row.kind == DayKind.WORKDAY}
    ranges: list[HolidayRange] = []
    for row in rows:
        if row.kind != DayKind.HOLIDAY:
            continue
        last = ranges[-1] if ranges else None
        if (
            last is not None
            and last.name_zh_hans == row.name_zh_hans
            and _only_rest_between(last.last, row.date, workday_dates)
        ):
            last.last = row.date
            continue
        ranges.append(HolidayRange(row.name_zh_hans, row.name_zh_hant, row.name_en, row.date, row.date))
    workdays = [
        MakeUpDay(row.date, row.name_zh_hans, row.name_zh_hant, row.name_en)
        for row in rows
        if row.kind == DayKind.WORKDAY
    ]
    return ranges, workdays


def _only_rest_between(before: date, after: date, workdays: set[date]) -> bool:
    day = before + timedelta(days=1)
    while day < after:
        if day.weekday() < 5 or day in workdays:
            return False
        day += timedelta(days=1)
    return True
