"""The time a step happens, and the company's own time zone.

Every service stamps its records with ``now()``. The demo loader replays a year through the
same services inside ``clock_at(when)``, so what it writes carries the replayed time.
``company_zone`` is the zone the company works in (company settings, else Asia/Shanghai):
dates, months and document years are counted in it, whatever the server's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from estatedesk.core.models import CompanySettings

DEFAULT_TIME_ZONE = "Asia/Shanghai"

_clock: ContextVar[datetime | None] = ContextVar("estatedesk_clock", default=None)


def now() -> datetime:
    """The current time, or the time set by ``clock_at``."""
    return _clock.get() or timezone.now()


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    token = _clock.set(when)
    try:
        yield
    finally:
        _clock.reset(token)


def zone_named(name: str) -> ZoneInfo:
    """The zone of that name; the default one for a blank or unknown name."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def company_zone(company: CompanySettings | None = None) -> ZoneInfo:
    company = company or CompanySettings.load()
    return zone_named(company.time_zone)


def company_now(company: CompanySettings | None = None) -> datetime:
    """The current time in the company's zone; like ``now``, it follows ``clock_at`` (the demo
    replays its history in the past)."""
    return now().astimezone(company_zone(company))


def company_today(company: CompanySettings | None = None) -> date:
    return company_now(company).date()
