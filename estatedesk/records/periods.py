"""When a record's retention ends, in company days (pure; SPEC D-1).

A record whose period started on company day D (closed, issued, sent …) is kept through the
company day D + period, and may be disposed of from the next midnight in company time. Two
years from 10 March 2024 keeps it through 10 March 2026; it goes on 11 March. A period that
ends on a day the month lacks ends on the month's last day (29 February + 12 months is
28 February).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kept_through(started: date, months: int) -> date:
    """The last company day a record whose period started on ``started`` is kept."""
    return add_months(started, months)


def first_day_kept(today: date, months: int) -> date:
    """The earliest start day still inside retention on ``today``: earlier days are past it.

    The smallest D with kept_through(D, months) >= today.
    """
    day = add_months(today, -months)
    # add_months clamps month ends, so the day before may also still be kept (31 May - 3
    # months is 28 February, and 29-31 May … ), or this one may fall one short.
    while kept_through(day - timedelta(days=1), months) >= today:
        day -= timedelta(days=1)
    while kept_through(day, months) < today:
        day += timedelta(days=1)
    return day


def cutoff(now: datetime, months: int, zone: ZoneInfo) -> datetime:
    """Records whose period started before this instant are past retention at ``now``.

    Midnight, in company time, of the first start day still kept.
    """
    today = now.astimezone(zone).date()
    return datetime.combine(first_day_kept(today, months), time.min, tzinfo=zone)
