"""Retention periods in company days (SPEC D-1): when a record's retention ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estatedesk.records import periods

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.req("D-1")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 3, 10), 24, date(2026, 3, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day, a year on: the month's last day
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # four years on: a leap day again
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # end of month into a shorter month
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year
        (date(2026, 5, 31), -3, date(2026, 2, 28)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert periods.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("today", "months", "first_kept"),
    [
        (date(2026, 3, 11), 24, date(2024, 3, 11)),  # kept through 10 March 2026: goes on the 11th
        (date(2026, 3, 10), 24, date(2024, 3, 10)),
        # 28 Feb 2025 keeps everything started on 29 Feb 2024 (its period ends that day)…
        (date(2025, 2, 28), 12, date(2024, 2, 28)),
        # …and the day after, 1 March 2025, 29 Feb 2024 is past it.
        (date(2025, 3, 1), 12, date(2024, 3, 1)),
        # 30 April keeps 31 March and the 30th (both end on 30 April).
        (date(2026, 4, 30), 1, date(2026, 3, 30)),
    ],
)
def test_first_day_kept(today: date, months: int, first_kept: date) -> None:
    assert periods.first_day_kept(today, months) == first_kept


def test_cutoff_is_company_midnight_whatever_the_zone_of_now() -> None:
    # 15:59 UTC on 10 March is 23:59 in Shanghai, still 10 March; 16:00 UTC is 11 March there.
    before = periods.cutoff(datetime(2026, 3, 10, 15, 59, tzinfo=UTC), 24, SHANGHAI)
    after = periods.cutoff(datetime(2026, 3, 10, 16, 0, tzinfo=UTC), 24, SHANGHAI)
    assert before == datetime(2024, 3, 10, tzinfo=SHANGHAI)
    assert after == datetime(2024, 3, 11, tzinfo=SHANGHAI)
    assert after.astimezone(UTC) == datetime(2024, 3, 10, 16, 0, tzinfo=UTC)
    # The same instant written in another zone gives the same cut-off.
    new_york = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))  # 00:00 Shanghai, 11th
    assert periods.cutoff(new_york, 24, SHANGHAI) == after


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
month_counts = st.integers(min_value=1, max_value=240)


@given(today=days, months=month_counts)
def test_first_day_kept_is_the_boundary(today: date, months: int) -> None:
    first = periods.first_day_kept(today, months)
    # Started that day: still kept today. Started the day before: its period ended yesterday.
    assert periods.kept_through(first, months) >= today
    assert periods.kept_through(first - timedelta(days=1), months) < today


@given(
    instant=st.datetimes(
        min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    months=month_counts,
)
def test_a_record_is_past_retention_exactly_when_its_period_has_ended(instant: datetime, months: int) -> None:
    cut = periods.cutoff(instant, months, SHANGHAI)
    today = instant.astimezone(SHANGHAI).date()
    assert cut.timetz().replace(tzinfo=None) == datetime.min.time()
    # A record started the last moment before the cut-off has ended its period before today;
    # one started at the cut-off is kept through today at least.
    last_gone = (cut - timedelta(microseconds=1)).astimezone(SHANGHAI).date()
    assert periods.kept_through(last_gone, months) < today
    assert periods.kept_through(cut.astimezone(SHANGHAI).date(), months) >= today
