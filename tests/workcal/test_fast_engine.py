"""The compiled working-day engine gives the answers a plain day-by-day count gives (SPEC P-4, K-5).

``add_working_days`` answers from arrays compiled per calendar (decision 0056). These tests
ask it, the first time (the long way, which compiles) and again (the fast path), over
random calendars far wider than the tables of test_engine.py, starts given in the office's
zone, in UTC and in other fixed offsets, around local midnight, in the years Shanghai had
daylight saving, and periods from 1 to thousands of working days, and compare every answer
with ``reference``: walk the days one by one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estatedesk.workcal.engine import Calendar, Deadline, OfficeHours, add_business_time, add_working_days
from tests.workcal import china_calendar, days

K5 = pytest.mark.req("K-5")
P4 = pytest.mark.req("P-4")

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_ZONES: list[tzinfo] = [SHANGHAI, ZoneInfo("UTC"), UTC, timezone(timedelta(hours=5, minutes=45))]
START_ZONES: list[tzinfo] = [
    SHANGHAI,
    UTC,
    ZoneInfo("UTC"),
    timezone(timedelta(hours=-9, minutes=-30)),
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=8)),
    ZoneInfo("America/New_York"),
]
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_working_day(cal: Calendar, day: date) -> bool:
    if day in cal.holidays:
        return False
    return day in cal.workdays or day.weekday() < 5


def reference(start: datetime, n: int, cal: Calendar, hours: OfficeHours) -> tuple[datetime, bool]:
    """The Civil Code period walked day by day: (due as local wall time, provisional)."""
    received = start.astimezone(hours.tz).date()
    day = received
    remaining = n
    while remaining:
        day += timedelta(days=1)
        remaining -= reference_working_day(cal, day)
    unconfirmed = any(year not in cal.confirmed_years for year in range(received.year, day.year + 1))
    return datetime.combine(day, hours.periods[-1][1]), unconfirmed


def same(answer: Deadline, expected: tuple[datetime, bool], hours: OfficeHours) -> bool:
    """The same wall time in the office's own zone object, and the same provisional flag."""
    return (
        answer.due.tzinfo is hours.tz
        and answer.due.replace(tzinfo=None) == expected[0]
        and answer.provisional is expected[1]
    )


@st.composite
def calendars(draw, first: int = 1980, last: int = 2070) -> Calendar:
    window = (date(first, 1, 1), date(last, 12, 31))
    holidays: set[date] = set()
    for start, length in draw(st.lists(st.tuples(st.dates(*window), st.integers(1, 12)), max_size=30)):
        holidays |= days(start, start + timedelta(days=length - 1))
    workdays = draw(st.frozensets(st.dates(*window), max_size=30))
    low = draw(st.integers(first, last))
    confirmed = frozenset(draw(st.lists(st.integers(low, low + 12), max_size=8)))
    return Calendar(holidays=frozenset(holidays), workdays=workdays, confirmed_years=confirmed)


@st.composite
def office_hours(draw) -> OfficeHours:
    """One period from midnight: only the closing time matters to the Civil Code count."""
    closes = draw(st.times(min_value=time(0, 1)).map(lambda t: t.replace(microsecond=0)))
    return OfficeHours(periods=((time(0), closes),), tz=draw(st.sampled_from(OFFICE_ZONES)))  # type: ignore[arg-type]


@st.composite
def starts(draw, first: int = 1978, last: int = 2072) -> datetime:
    """A moment in any zone, often within seconds of midnight in Shanghai or in UTC."""
    zone = draw(st.sampled_from(START_ZONES))
    if draw(st.booleans()):
        day = draw(st.dates(date(first, 1, 1), date(last, 12, 31)))
        midnight_in = draw(st.sampled_from([SHANGHAI, UTC]))
        seconds = draw(st.integers(-3, 2))
        moment = datetime.combine(day, time(), midnight_in) + timedelta(seconds=seconds)
        return moment.astimezone(zone)
    naive = draw(st.datetimes(datetime(first, 1, 1), datetime(last, 12, 31)))
    return naive.replace(tzinfo=UTC).astimezone(zone)


periods = st.one_of(st.integers(1, 5), st.integers(1, 300), st.integers(1, 5000))


@P4
@K5
@PROPERTY
@given(cal=calendars(1993, 2070), start=starts(1990, 2075), n=periods, hours=office_hours())
def test_property_compiled_answers_equal_a_day_by_day_count(cal, start, n, hours) -> None:
    expected = reference(start, n, cal, hours)
    first = add_working_days(start, n, cal, hours)  # the long way; compiles the calendar
    again = add_working_days(start, n, cal, hours)  # the arrays
    assert same(first, expected, hours), (first, expected)
    assert same(again, expected, hours), (again, expected)


@P4
@K5
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cal=calendars(1993, 2070),
    questions=st.lists(st.tuples(starts(), periods), min_size=1, max_size=8),
    hours=office_hours(),
    other=office_hours(),
)
def test_property_one_calendar_many_questions_and_two_offices(cal, questions, hours, other) -> None:
    """A compiled calendar serves one office's hours after another's without mixing them up."""
    for start, n in questions:
        for office in (hours, other, hours):
            assert same(add_working_days(start, n, cal, office), reference(start, n, cal, office), office)


@P4
@K5
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cal=calendars(2000, 2040), start=starts(2000, 2040), hours=office_hours())
def test_property_every_period_from_one_start(cal, start, hours) -> None:
    """N = 1..700 from one start: every working day over about three years is an answer once,
    the last one of each run of confirmed years and the first one after it among them."""
    add_working_days(start, 1, cal, hours)  # compiled and ready for these hours
    received = start.astimezone(hours.tz).date()
    day = received
    for n in range(1, 701):
        day += timedelta(days=1)
        while not reference_working_day(cal, day):
            day += timedelta(days=1)
        unconfirmed = any(year not in cal.confirmed_years for year in range(received.year, day.year + 1))
        expected = (datetime.combine(day, hours.periods[-1][1]), unconfirmed)
        assert same(add_working_days(start, n, cal, hours), expected, hours), (n, expected)


@P4
@K5
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=starts(1985, 1993), n=st.integers(1, 40), cal=calendars(1984, 1994))
def test_property_shanghai_daylight_saving_years(start, n, cal) -> None:
    """Shanghai kept summer time 1986-1991: a start given in UTC must still fall on its local day."""
    hours = OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")
    for _ in range(2):
        assert same(add_working_days(start, n, cal, hours), reference(start, n, cal, hours), hours)


@P4
@K5
def test_a_changed_calendar_is_never_answered_from_the_old_arrays() -> None:
    hours = OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")
    start = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)  # a Monday
    before = china_calendar()
    assert add_working_days(start, 2, before, hours).due == datetime(2026, 3, 4, 17, 30, tzinfo=SHANGHAI)
    assert add_working_days(start, 2, before, hours).due == datetime(2026, 3, 4, 17, 30, tzinfo=SHANGHAI)
    # The administrator marks Tuesday 3 March a holiday: a new calendar, a later deadline.
    after = Calendar(
        holidays=before.holidays | {date(2026, 3, 3)},
        workdays=before.workdays,
        confirmed_years=before.confirmed_years,
    )
    assert add_working_days(start, 2, after, hours).due == datetime(2026, 3, 5, 17, 30, tzinfo=SHANGHAI)
    assert add_working_days(start, 2, after, hours).due == datetime(2026, 3, 5, 17, 30, tzinfo=SHANGHAI)
    # Confirming 2027 turns a deadline over New Year from provisional to final.
    new_year = datetime(2026, 12, 30, 16, tzinfo=UTC)
    assert add_working_days(new_year, 3, before, hours).provisional is True
    confirmed = Calendar(
        holidays=before.holidays, workdays=before.workdays, confirmed_years=before.confirmed_years | {2027}
    )
    assert add_working_days(new_year, 3, confirmed, hours).provisional is False
    # The last working day of a confirmed run is final; the next one is not.
    december = datetime(2026, 12, 29, 10, tzinfo=SHANGHAI)  # a Tuesday
    assert add_working_days(december, 2, before, hours) == Deadline(
        datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI), False
    )
    assert add_working_days(december, 3, before, hours) == Deadline(
        datetime(2027, 1, 1, 17, 30, tzinfo=SHANGHAI), True
    )
    assert add_working_days(new_year, 3, confirmed, hours).provisional is False
    # The last working day of a confirmed run is final; the next one is not.
    december = datetime(2026, 12, 29, 10, tzinfo=SHANGHAI)  # a Tuesday
    assert add_working_days(december, 2, before, hours) == Deadline(
        datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI), False
    )
    assert add_working_days(december, 3, before, hours) == Deadline(
        datetime(2027, 1, 1, 17, 30, tzinfo=SHANGHAI), True
    )


@P4
@K5
def test_a_calendar_too_wide_to_compile_is_counted_day_by_day() -> None:
    hours = OfficeHours.parse("09:00-18:00", "Asia/Shanghai")
    cal = Calendar(
        # Monday 4 January 1700, Friday 3 January 2200: 500 years apart
        holidays=frozenset({date(1700, 1, 4), date(2200, 1, 3)}),
        workdays=frozenset(),
        confirmed_years=frozenset({1700}),
    )
    for start, n in [
        (datetime(1700, 1, 1, 12, tzinfo=SHANGHAI), 3),  # Friday: Mon 4 is a holiday
        (datetime(2200, 1, 1, 12, tzinfo=UTC), 1),  # Wednesday: Thu 2, then Fri 3 is a holiday
        (datetime(2199, 12, 31, 12, tzinfo=SHANGHAI), 2),
    ]:
        for _ in range(2):
            assert same(add_working_days(start, n, cal, hours), reference(start, n, cal, hours), hours)
    friday = datetime(1700, 1, 1, 12, tzinfo=SHANGHAI)
    assert add_working_days(friday, 1, cal, hours).due.date() == date(1700, 1, 5)


@K5
def test_business_time_still_counts_from_the_compiled_calendar() -> None:
    """Business time walks working days through the same compiled arrays (SPEC K-5)."""
    hours = OfficeHours.parse("09:00-12:00,13:00-18:00", "Asia/Shanghai")
    cal = china_calendar()
    # Thursday 30 April 2026 15:00: Labour Day 1-5 May, Saturday 9 May is a make-up working day.
    start = datetime(2026, 4, 30, 15, tzinfo=SHANGHAI)
    assert add_business_time(start, 1, cal, hours).due == datetime(2026, 5, 6, 15, tzinfo=SHANGHAI)
    assert add_business_time(start, 3, cal, hours).due == datetime(2026, 5, 8, 15, tzinfo=SHANGHAI)
    assert add_business_time(start, 4, cal, hours).due == datetime(2026, 5, 9, 15, tzinfo=SHANGHAI)


@P4
@K5
def test_calendars_at_the_ends_of_the_supported_dates() -> None:
    """Years 1 and 9999 compile (an office west of UTC included) and answer as a plain count."""
    hours = OfficeHours.parse("09:00-17:00", "America/New_York")
    first = Calendar(
        holidays=frozenset({date(1, 1, 3)}), workdays=frozenset(), confirmed_years=frozenset({1})
    )
    last = Calendar(
        holidays=frozenset({date(9999, 12, 28)}), workdays=frozenset(), confirmed_years=frozenset({9999})
    )
    for cal, start, n in [
        (first, datetime(1, 1, 2, 12, tzinfo=UTC), 1),
        (first, datetime(1, 1, 2, 12, tzinfo=UTC), 40),
        (last, datetime(9999, 12, 24, 12, tzinfo=UTC), 1),
        (last, datetime(9999, 12, 24, 12, tzinfo=UTC), 2),
    ]:
        for _ in range(2):
            assert same(add_working_days(start, n, cal, hours), reference(start, n, cal, hours), hours)
    with pytest.raises(ValueError, match="supported date range"):
        add_working_days(datetime(9999, 12, 24, 12, tzinfo=UTC), 10, last, hours)
