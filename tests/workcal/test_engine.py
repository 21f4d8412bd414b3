"""The deadline engine read as a specification (SPEC P-4 working days, K-5 periods).

Tables use office hours 09:00-12:00,13:00-18:00 so a period ends at 18:00, as in the
K-5 examples. Every table runs twice in this process, with the process time zone set to
UTC and to Asia/Shanghai (``process_tz``), and once more in a fresh interpreter launched
with each TZ (``test_tables_in_a_process_started_with_tz``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estatedesk.workcal.engine import (
    Calendar,
    Deadline,
    OfficeHours,
    add_business_time,
    add_clock_hours,
    add_working_days,
    in_office_hours,
    next_opening,
    working_days_between,
)
from tests.workcal import HOLIDAYS_2025_2026, WORKDAYS_2025_2026, china_calendar, days

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = OfficeHours.parse("09:00-12:00,13:00-18:00", "Asia/Shanghai")
DEFAULT_HOURS = OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")
CN = china_calendar()
PLAIN = Calendar(holidays=frozenset(), workdays=frozenset(), confirmed_years=frozenset({2025}))

K5 = pytest.mark.req("K-5")
P4 = pytest.mark.req("P-4")


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


# --- process time zone ---------------------------------------------------------------------

GMT_OFFSETS = {"UTC": 0, "Asia/Shanghai": 8 * 3600}


@pytest.fixture(params=sorted(GMT_OFFSETS))
def process_tz(request: pytest.FixtureRequest):
    """Run the test with the process's local time zone set to UTC, then Asia/Shanghai."""
    wanted = request.param
    launched = os.environ.get("WORKCAL_LAUNCHED_TZ")
    if launched:  # a child started by test_tables_in_a_process_started_with_tz
        if wanted != launched:
            pytest.skip(f"this process was started with TZ={launched}")
        assert clock.localtime(1_750_000_000).tm_gmtoff == GMT_OFFSETS[wanted]
        yield wanted
        return
    previous = os.environ.get("TZ")
    os.environ["TZ"] = wanted
    clock.tzset()
    try:
        assert clock.localtime(1_750_000_000).tm_gmtoff == GMT_OFFSETS[wanted]
        yield wanted
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        clock.tzset()


# --- SPEC K-5 examples ---------------------------------------------------------------------

SPEC_EXAMPLES = [
    # (what, received, expected due with 2 working days)
    ("Monday 10:00 in an ordinary week", "2025-03-10T10:00+08:00", "2025-03-12T18:00+08:00"),
    ("Saturday", "2025-03-15T10:00+08:00", "2025-03-18T18:00+08:00"),
    ("Friday 17:00", "2025-03-14T17:00+08:00", "2025-03-18T18:00+08:00"),
]


@K5
@pytest.mark.parametrize(("what", "received", "due"), SPEC_EXAMPLES, ids=[c[0] for c in SPEC_EXAMPLES])
def test_table_spec_k5_examples(process_tz: str, what: str, received: str, due: str) -> None:
    deadline = add_working_days(at(received), 2, CN, HOURS)
    assert deadline == Deadline(at(due), provisional=False)
    assert deadline.due.tzinfo == SHANGHAI


@K5
def test_table_default_office_hours_end_at_1730(process_tz: str) -> None:
    deadline = add_working_days(at("2025-03-10T10:00+08:00"), 2, CN, DEFAULT_HOURS)
    assert deadline.due == at("2025-03-12T17:30+08:00")


# --- 2025 and 2026 holidays ----------------------------------------------------------------

HOLIDAY_CASES = [
    # (what, received, n, expected due)
    ("2025 Friday before the make-up Sunday 26 Jan", "2025-01-24T10:00+08:00", 2, "2025-01-27T18:00+08:00"),
    (
        "2025 on the make-up Sunday before Spring Festival",
        "2025-01-26T10:00+08:00",
        2,
        "2025-02-05T18:00+08:00",
    ),
    ("2025 inside Spring Festival", "2025-01-30T11:00+08:00", 2, "2025-02-06T18:00+08:00"),
    (
        "2025 Friday before the make-up Saturday 8 Feb, 1 day",
        "2025-02-07T16:00+08:00",
        1,
        "2025-02-08T18:00+08:00",
    ),
    ("2025 Friday before the make-up Saturday 8 Feb", "2025-02-07T16:00+08:00", 2, "2025-02-10T18:00+08:00"),
    ("2025 on the make-up Saturday 8 Feb", "2025-02-08T09:30+08:00", 2, "2025-02-11T18:00+08:00"),
    ("2025 Friday before Labour Day's make-up Sunday", "2025-04-25T10:00+08:00", 2, "2025-04-28T18:00+08:00"),
    ("2025 day before Labour Day", "2025-04-30T10:00+08:00", 2, "2025-05-07T18:00+08:00"),
    ("2025 day before Dragon Boat", "2025-05-30T10:00+08:00", 1, "2025-06-03T18:00+08:00"),
    ("2025 Friday before the make-up Sunday 28 Sep", "2025-09-26T15:00+08:00", 2, "2025-09-29T18:00+08:00"),
    ("2025 day before National Day", "2025-09-30T10:00+08:00", 2, "2025-10-10T18:00+08:00"),
    ("2025 inside National Day", "2025-10-03T14:00+08:00", 2, "2025-10-10T18:00+08:00"),
    (
        "2025 inside National Day, 3 days: make-up Saturday",
        "2025-10-03T14:00+08:00",
        3,
        "2025-10-11T18:00+08:00",
    ),
    ("2025 after National Day", "2025-10-09T10:00+08:00", 2, "2025-10-11T18:00+08:00"),
    ("New Year's Eve 2025 into 2026's make-up Sunday", "2025-12-31T10:00+08:00", 2, "2026-01-05T18:00+08:00"),
    (
        "2026 Friday before Spring Festival, make-up Sat 14 Feb",
        "2026-02-13T10:00+08:00",
        2,
        "2026-02-24T18:00+08:00",
    ),
    ("2026 00:30 local Friday = Thursday in UTC", "2026-02-12T16:30:00+00:00", 2, "2026-02-24T18:00+08:00"),
    ("2026 23:30 local Thursday given in UTC", "2026-02-12T15:30:00+00:00", 2, "2026-02-14T18:00+08:00"),
    ("2026 on the make-up Saturday 14 Feb", "2026-02-14T10:00+08:00", 2, "2026-02-25T18:00+08:00"),
    ("2026 inside Spring Festival", "2026-02-18T10:00+08:00", 1, "2026-02-24T18:00+08:00"),
    ("2026 Friday before the make-up Saturday 28 Feb", "2026-02-27T10:00+08:00", 1, "2026-02-28T18:00+08:00"),
    ("2026 Friday before Qingming", "2026-04-03T10:00+08:00", 1, "2026-04-07T18:00+08:00"),
    ("2026 Friday before the make-up Saturday 9 May", "2026-05-08T10:00+08:00", 1, "2026-05-09T18:00+08:00"),
    ("2026 Friday before the make-up Sunday 20 Sep", "2026-09-18T10:00+08:00", 2, "2026-09-21T18:00+08:00"),
    ("2026 day before Mid-Autumn", "2026-09-24T10:00+08:00", 2, "2026-09-29T18:00+08:00"),
    ("2026 day before National Day", "2026-09-30T10:00+08:00", 2, "2026-10-09T18:00+08:00"),
    (
        "2026 day before National Day, 3 days: make-up Saturday",
        "2026-09-30T10:00+08:00",
        3,
        "2026-10-10T18:00+08:00",
    ),
    ("2026 inside National Day", "2026-10-05T09:00+08:00", 1, "2026-10-08T18:00+08:00"),
]


@P4
@K5
@pytest.mark.parametrize(("what", "received", "n", "due"), HOLIDAY_CASES, ids=[c[0] for c in HOLIDAY_CASES])
def test_table_holidays_2025_2026(process_tz: str, what: str, received: str, n: int, due: str) -> None:
    start = at(received)
    deadline = add_working_days(start, n, CN, HOURS)
    assert deadline == Deadline(at(due), provisional=False)
    assert deadline.due.utcoffset() == timedelta(hours=8)
    # The same moment written in another zone is the same receipt.
    assert add_working_days(start.astimezone(ZoneInfo("America/Los_Angeles")), n, CN, HOURS) == deadline
    # ... and the period holds exactly n working days after the day of receipt.
    assert working_days_between(start.astimezone(SHANGHAI).date(), deadline.due.date(), CN) == n


BUSINESS_CASES = [
    # (what, received, n, expected due); a working day is 8 hours
    ("SPEC week: Monday 10:00", "2025-03-10T10:00+08:00", 2, "2025-03-12T10:00+08:00"),
    ("SPEC week: Saturday", "2025-03-15T10:00+08:00", 2, "2025-03-18T18:00+08:00"),
    ("SPEC week: Friday 17:00", "2025-03-14T17:00+08:00", 2, "2025-03-18T17:00+08:00"),
    ("2025 day before National Day", "2025-09-30T10:00+08:00", 2, "2025-10-10T10:00+08:00"),
    ("2025 inside National Day", "2025-10-03T14:00+08:00", 1, "2025-10-09T18:00+08:00"),
    ("2026 Friday 15:00 into the make-up Saturday", "2026-02-13T15:00+08:00", 1, "2026-02-14T15:00+08:00"),
    (
        "2026 Friday lunch break: ends at the morning's close",
        "2026-02-13T12:30+08:00",
        1,
        "2026-02-14T12:00+08:00",
    ),
    (
        "2026 make-up Saturday before opening: that day counts",
        "2026-02-14T08:00+08:00",
        1,
        "2026-02-14T18:00+08:00",
    ),
    ("2026 00:30 local Friday = Thursday in UTC", "2026-02-12T16:30:00+00:00", 2, "2026-02-14T18:00+08:00"),
    ("New Year's Eve 17:30 into 2026", "2025-12-31T17:30+08:00", 2, "2026-01-05T17:30+08:00"),
]


@P4
@K5
@pytest.mark.parametrize(("what", "received", "n", "due"), BUSINESS_CASES, ids=[c[0] for c in BUSINESS_CASES])
def test_table_business_time(process_tz: str, what: str, received: str, n: int, due: str) -> None:
    assert add_business_time(at(received), n, CN, HOURS) == Deadline(at(due), provisional=False)


OPENING_CASES = [
    # (what, moment, open now?, next opening)
    ("make-up Saturday before opening", "2026-02-14T08:00+08:00", False, "2026-02-14T09:00+08:00"),
    ("Friday at closing time", "2026-02-13T18:00+08:00", False, "2026-02-14T09:00+08:00"),
    (
        "make-up Saturday evening before Spring Festival",
        "2026-02-14T19:00+08:00",
        False,
        "2026-02-24T09:00+08:00",
    ),
    ("inside Spring Festival", "2026-02-18T10:00+08:00", False, "2026-02-24T09:00+08:00"),
    ("exactly 12:00: the morning has ended", "2026-02-24T12:00+08:00", False, "2026-02-24T13:00+08:00"),
    ("exactly 13:00: open", "2026-02-24T13:00+08:00", True, "2026-02-24T13:00+08:00"),
    ("mid-morning", "2026-02-24T10:00+08:00", True, "2026-02-24T10:00+08:00"),
    ("09:30 local given in UTC", "2026-02-13T01:30:00+00:00", True, "2026-02-13T09:30+08:00"),
    (
        "18:00 local before National Day given in UTC",
        "2025-09-30T10:00:00+00:00",
        False,
        "2025-10-09T09:00+08:00",
    ),
]


@P4
@pytest.mark.parametrize(
    ("what", "moment", "is_open", "opening"), OPENING_CASES, ids=[c[0] for c in OPENING_CASES]
)
def test_table_office_hours_and_next_opening(
    process_tz: str, what: str, moment: str, is_open: bool, opening: str
) -> None:
    assert in_office_hours(at(moment), CN, HOURS) is is_open
    result = next_opening(at(moment), CN, HOURS)
    assert result == at(opening)
    assert result.tzinfo == SHANGHAI


BETWEEN_CASES = [
    ("2025-09-30", "2025-10-10", 2),
    ("2026-02-13", "2026-02-24", 2),
    ("2026-02-13", "2026-02-14", 1),
    ("2026-02-14", "2026-02-14", 0),
    ("2026-02-24", "2026-02-13", 0),
    ("2024-12-31", "2025-12-31", 248),  # working days in 2025
    ("2025-12-31", "2026-12-31", 248),  # working days in 2026
]


@P4
@pytest.mark.parametrize(("start", "end", "count"), BETWEEN_CASES)
def test_table_working_days_between(process_tz: str, start: str, end: str, count: int) -> None:
    assert working_days_between(date.fromisoformat(start), date.fromisoformat(end), CN) == count


CLOCK_CASES = [
    ("holidays do not matter", "2026-02-14T23:00+08:00", 2, "2026-02-15T01:00+08:00"),
    ("UTC stays UTC", "2026-02-12T16:30:00+00:00", 2, "2026-02-12T18:30:00+00:00"),
    ("fractions of an hour", "2026-02-13T10:00+08:00", 1.5, "2026-02-13T11:30+08:00"),
]


@K5
@pytest.mark.parametrize(("what", "received", "n", "due"), CLOCK_CASES, ids=[c[0] for c in CLOCK_CASES])
def test_table_clock_hours(process_tz: str, what: str, received: str, n: float, due: str) -> None:
    deadline = add_clock_hours(at(received), n)
    assert deadline == Deadline(at(due), provisional=False)
    assert deadline.due.utcoffset() == at(received).utcoffset()


@K5
def test_clock_hours_are_real_hours_across_daylight_saving() -> None:
    new_york = ZoneInfo("America/New_York")
    start = datetime(2025, 3, 9, 1, 30, tzinfo=new_york)  # clocks jump 02:00 -> 03:00
    due = add_clock_hours(start, 1).due
    # Same-zone subtraction is wall-clock in Python; measure real time in UTC.
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=1)
    assert due.astimezone(UTC) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    assert (due.hour, due.tzinfo) == (3, new_york)


PROVISIONAL_CASES = [
    # (what, function, received, n, confirmed years, expected due, provisional)
    ("2027 start, 2027 unconfirmed", add_working_days, "2027-01-01T10:00+08:00", 2, (2025, 2026), "2027-01-05T18:00+08:00", True),
    ("due falls in unconfirmed 2027", add_working_days, "2026-12-30T10:00+08:00", 2, (2025, 2026), "2027-01-01T18:00+08:00", True),
    ("due still in 2026", add_working_days, "2026-12-28T10:00+08:00", 2, (2025, 2026), "2026-12-30T18:00+08:00", False),
    ("2027 confirmed with no exceptions", add_working_days, "2027-01-01T10:00+08:00", 2, (2025, 2026, 2027), "2027-01-05T18:00+08:00", False),
    ("business time into 2027", add_business_time, "2026-12-31T10:00+08:00", 1, (2025, 2026), "2027-01-01T10:00+08:00", True),
    ("business time inside 2026", add_business_time, "2026-12-30T10:00+08:00", 1, (2025, 2026), "2026-12-31T10:00+08:00", False),
]  # fmt: skip


@P4
@pytest.mark.parametrize(
    ("what", "function", "received", "n", "confirmed", "due", "provisional"),
    PROVISIONAL_CASES,
    ids=[c[0] for c in PROVISIONAL_CASES],
)
def test_table_provisional(process_tz: str, what, function, received, n, confirmed, due, provisional) -> None:
    cal = china_calendar(confirmed=confirmed)
    assert function(at(received), n, cal, HOURS) == Deadline(at(due), provisional=provisional)


@P4
@K5
@pytest.mark.slow
@pytest.mark.parametrize("tz", sorted(GMT_OFFSETS))
def test_tables_in_a_process_started_with_tz(tz: str) -> None:
    """The tables again, in an interpreter whose TZ (and Django's TIME_ZONE) was set at launch."""
    if os.environ.get("WORKCAL_LAUNCHED_TZ"):
        pytest.skip("already inside a launched process")
    env = dict(os.environ, TZ=tz, TIME_ZONE=tz, WORKCAL_LAUNCHED_TZ=tz)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            __file__,
            "-k",
            "table",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


# --- the calendar data itself --------------------------------------------------------------


@P4
def test_table_calendar_matches_packages() -> None:
    """CHINA_2025_2026 agrees with the `holidays` package and chinesecalendar on every day."""
    import holidays

    china = holidays.China(years=(2025, 2026))
    weekend_workdays = getattr(china, "weekend_workdays", set())
    try:
        import chinese_calendar
    except ImportError:  # a test dependency; without it only `holidays` is consulted
        chinese_calendar = None
    for day in sorted(days(date(2025, 1, 1), date(2026, 12, 31))):
        expected = (day.weekday() < 5 and day not in china) or day in weekend_workdays
        assert CN.is_working_day(day) is expected, day
        if chinese_calendar is not None:
            assert CN.is_working_day(day) is chinese_calendar.is_workday(day), day
    assert set(weekend_workdays) >= WORKDAYS_2025_2026 or not weekend_workdays
    assert all(day.weekday() >= 5 for day in WORKDAYS_2025_2026)
    assert not HOLIDAYS_2025_2026 & WORKDAYS_2025_2026


@P4
def test_calendar_rules() -> None:
    cal = Calendar(
        holidays=frozenset({date(2030, 1, 7), date(2030, 1, 12)}),
        workdays=frozenset({date(2030, 1, 5), date(2030, 1, 12)}),
        confirmed_years=frozenset({2030}),
    )
    assert cal.is_working_day(date(2030, 1, 4))  # Friday
    assert not cal.is_working_day(date(2030, 1, 6))  # Sunday
    assert cal.is_working_day(date(2030, 1, 5))  # make-up Saturday
    assert not cal.is_working_day(date(2030, 1, 7))  # holiday Monday
    assert not cal.is_working_day(date(2030, 1, 12))  # in both lists: the holiday wins
    assert cal.is_confirmed(date(2030, 6, 1)) and not cal.is_confirmed(date(2031, 1, 1))
    # Value semantics: equal data, equal calendars, one hash; any iterable is accepted.
    same = Calendar(holidays={date(2030, 1, 7), date(2030, 1, 12)}, workdays=[date(2030, 1, 5), date(2030, 1, 12)], confirmed_years={2030})  # type: ignore[arg-type]  # fmt: skip
    assert same == cal and hash(same) == hash(cal) and isinstance(same.holidays, frozenset)


# --- bad input -----------------------------------------------------------------------------


@K5
@pytest.mark.parametrize(
    "call",
    [
        lambda s: add_working_days(s, 2, CN, HOURS),
        lambda s: add_business_time(s, 2, CN, HOURS),
        lambda s: add_clock_hours(s, 2),
        lambda s: in_office_hours(s, CN, HOURS),
        lambda s: next_opening(s, CN, HOURS),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:
    with pytest.raises(ValueError, match="timezone-aware datetime required"):
        call(datetime(2026, 2, 13, 10, 0))


class _NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> None:
        return None


@K5
def test_a_tzinfo_without_offset_counts_as_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 2, 13, 10, tzinfo=_NoOffset()), 2, CN, HOURS)


@K5
@pytest.mark.parametrize("function", [add_working_days, add_business_time])
def test_negative_or_fractional_working_days_are_refused(function) -> None:
    start = at("2026-02-13T10:00+08:00")
    with pytest.raises(ValueError, match="0 or more"):
        function(start, -1, CN, HOURS)
    with pytest.raises(TypeError):
        function(start, 1.5, CN, HOURS)


@K5
def test_negative_clock_hours_are_refused() -> None:
    start = at("2026-02-13T10:00+08:00")
    for bad in (-1, -0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="0 or more"):
            add_clock_hours(start, bad)


@K5
def test_zero_is_the_start_itself() -> None:
    start = at("2026-02-14T20:00:00+00:00")  # 04:00 Sunday 15 Feb in Shanghai, a holiday
    local = start.astimezone(SHANGHAI)
    assert add_working_days(start, 0, CN, HOURS) == Deadline(local, False)
    assert add_business_time(start, 0, CN, HOURS) == Deadline(local, False)
    assert add_clock_hours(start, 0) == Deadline(start, False)
    assert add_working_days(start, 0, CN, HOURS).due.tzinfo == SHANGHAI


@K5
def test_far_future_is_a_clear_error_not_a_crash() -> None:
    start = at("9999-12-20T10:00+08:00")
    with pytest.raises(ValueError, match="supported date range"):
        add_working_days(start, 30, CN, HOURS)
    with pytest.raises(ValueError, match="supported date range"):
        add_clock_hours(start, 24 * 400)
    # A long period far from any stored exception is computed by whole weeks, quickly.
    assert add_working_days(at("2027-01-01T10:00+08:00"), 5 * 100_000, PLAIN, HOURS).due.date() == date(
        2027, 1, 1
    ) + timedelta(weeks=100_000)


@P4
def test_office_hours_parse_and_validate() -> None:
    hours = OfficeHours.parse("08:30-12:00，13:30-17:30", "Asia/Shanghai")
    assert hours.periods == ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
    assert hours.tz == SHANGHAI
    assert hours.day_length == timedelta(hours=7, minutes=30)
    assert OfficeHours.parse("09:00-17:00").tz == SHANGHAI  # the default zone
    assert OfficeHours.parse("09:00-17:00", ZoneInfo("UTC")).tz == ZoneInfo("UTC")
    assert hash(hours) == hash(OfficeHours(periods=hours.periods, tz=SHANGHAI))
    for bad in ("", "12:00-08:00", "08:00-12:00,11:00-13:00", "8 to 5"):
        with pytest.raises(ValueError, match="office hours must be periods"):
            OfficeHours.parse(bad, "Asia/Shanghai")
    with pytest.raises(ValueError, match="unknown time zone"):
        OfficeHours.parse("09:00-17:00", "Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="in time order"):
        OfficeHours(periods=((time(13), time(14)), (time(9), time(10))), tz=SHANGHAI)
    with pytest.raises(ValueError, match="at least one period"):
        OfficeHours(periods=(), tz=SHANGHAI)


@P4
def test_engine_imports_without_django_settings() -> None:
    code = (
        "import sys; import estatedesk.workcal.engine, estatedesk.workcal.deadlines; "
        "assert 'django.conf' not in sys.modules, 'settings touched'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# --- properties ----------------------------------------------------------------------------

ZONES: list[tzinfo] = [
    SHANGHAI,
    ZoneInfo("UTC"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Asia/Hong_Kong"),
    timezone(timedelta(hours=-9, minutes=-30)),
]
WINDOW = (date(2024, 12, 1), date(2027, 12, 31))


@st.composite
def office_hours(draw) -> OfficeHours:
    count = draw(st.integers(1, 3))
    marks = sorted(
        draw(st.lists(st.integers(0, 24 * 60 - 1), min_size=2 * count, max_size=2 * count, unique=True))
    )
    periods = tuple(
        (time(marks[i] // 60, marks[i] % 60), time(marks[i + 1] // 60, marks[i + 1] % 60))
        for i in range(0, len(marks), 2)
    )
    return OfficeHours(periods=periods, tz=draw(st.sampled_from(ZONES)))  # type: ignore[arg-type]


@st.composite
def generated_calendars(draw) -> Calendar:
    holidays: set[date] = set()
    for first, length in draw(st.lists(st.tuples(st.dates(*WINDOW), st.integers(1, 10)), max_size=25)):
        holidays |= days(first, first + timedelta(days=length - 1))
    workdays = draw(st.frozensets(st.dates(*WINDOW), max_size=25))
    confirmed = draw(st.frozensets(st.integers(2024, 2028)))
    return Calendar(holidays=frozenset(holidays), workdays=workdays, confirmed_years=confirmed)


calendars = st.one_of(
    st.just(CN), st.just(china_calendar(confirmed=(2024, 2025, 2026, 2027))), generated_calendars()
)
all_hours = st.one_of(st.just(HOURS), st.just(DEFAULT_HOURS), office_hours())
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.sampled_from(ZONES)
)
period_functions = st.sampled_from([add_working_days, add_business_time])
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_working_day(cal: Calendar, day: date) -> bool:
    if day in cal.holidays:
        return False
    return day in cal.workdays or day.weekday() < 5


def reference_nth_working_day_after(cal: Calendar, day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        n -= reference_working_day(cal, day)
    return day


def reference_office_time(cal: Calendar, hours: OfficeHours, a: datetime, b: datetime) -> timedelta:
    """Office time in [a, b], walking the office's days one by one (wall clock)."""
    a_local = a.astimezone(hours.tz).replace(tzinfo=None)
    b_local = b.astimezone(hours.tz).replace(tzinfo=None)
    total = timedelta()
    for day in sorted(days(a_local.date(), b_local.date())):
        if not reference_working_day(cal, day):
            continue
        for opening, closing in hours.periods:
            lo = max(a_local, datetime.combine(day, opening))
            hi = min(b_local, datetime.combine(day, closing))
            if hi > lo:
                total += hi - lo
    return total


def at_office(due: datetime, cal: Calendar, hours: OfficeHours) -> bool:
    """Inside a period, or exactly at the end of one, on a working day."""
    local = due.astimezone(hours.tz)
    wall = local.time().replace(tzinfo=None)
    return reference_working_day(cal, local.date()) and any(
        opening < wall <= closing for opening, closing in hours.periods
    )


@P4
@K5
@PROPERTY
@given(start=moments, n=st.integers(0, 8), cal=calendars, hours=all_hours, hours_n=st.floats(0, 500))
def test_property_never_before_start(start, n, cal, hours, hours_n) -> None:
    assert add_working_days(start, n, cal, hours).due >= start
    assert add_business_time(start, n, cal, hours).due >= start
    assert add_clock_hours(start, hours_n).due >= start


@P4
@K5
@PROPERTY
@given(start=moments, n=st.integers(1, 8), cal=calendars, hours=all_hours, function=period_functions)
def test_property_due_inside_office_hours_on_a_working_day(start, n, cal, hours, function) -> None:
    deadline = function(start, n, cal, hours)
    assert at_office(deadline.due, cal, hours)
    assert deadline.due.tzinfo == hours.tz


@P4
@K5
@PROPERTY
@given(
    first=moments,
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    n=st.integers(0, 8),
    cal=calendars,
    hours=all_hours,
    function=period_functions,
)
def test_property_later_start_never_earlier_deadline(first, gap, n, cal, hours, function) -> None:
    assert function(first, n, cal, hours).due <= function(first + gap, n, cal, hours).due


@P4
@K5
@PROPERTY
@given(start=moments, n=st.integers(1, 8), cal=calendars, hours=all_hours, function=period_functions)
def test_property_one_more_day_ends_on_a_later_working_day(start, n, cal, hours, function) -> None:
    shorter = function(start, n, cal, hours).due.astimezone(hours.tz).date()
    longer = function(start, n + 1, cal, hours).due.astimezone(hours.tz).date()
    assert longer > shorter
    assert reference_working_day(cal, longer)


@P4
@K5
@PROPERTY
@given(start=moments, n=st.integers(1, 8), cal=calendars, hours=all_hours)
def test_property_working_days_match_brute_force(start, n, cal, hours) -> None:
    received = start.astimezone(hours.tz).date()
    deadline = add_working_days(start, n, cal, hours)
    due_day = reference_nth_working_day_after(cal, received, n)
    assert deadline.due == datetime.combine(due_day, hours.periods[-1][1], hours.tz)
    assert working_days_between(received, deadline.due.date(), cal) == n
    unconfirmed = [y for y in range(received.year, due_day.year + 1) if y not in cal.confirmed_years]
    assert deadline.provisional is bool(unconfirmed)


@P4
@K5
@PROPERTY
@given(start=moments, n=st.integers(1, 6), cal=calendars, hours=all_hours)
def test_property_business_time_counts_n_days_of_office_time(start, n, cal, hours) -> None:
    deadline = add_business_time(start, n, cal, hours)
    assert reference_office_time(cal, hours, start, deadline.due) == n * hours.day_length
    # The earliest such moment: it is inside a period or at its end (checked above), so
    # any earlier moment has less office time behind it.
    received = start.astimezone(hours.tz).date()
    due_day = deadline.due.astimezone(hours.tz).date()
    assert working_days_between(received, due_day, cal) in (n - 1, n)
    unconfirmed = [y for y in range(received.year, due_day.year + 1) if y not in cal.confirmed_years]
    assert deadline.provisional is bool(unconfirmed)


@P4
@PROPERTY
@given(moment=moments, cal=calendars, hours=all_hours)
def test_property_office_hours_and_next_opening(moment, cal, hours) -> None:
    local = moment.astimezone(hours.tz)
    wall = local.time().replace(tzinfo=None)
    expected = reference_working_day(cal, local.date()) and any(
        opening <= wall < closing for opening, closing in hours.periods
    )
    assert in_office_hours(moment, cal, hours) is expected
    opening = next_opening(moment, cal, hours)
    assert opening >= moment
    assert in_office_hours(opening, cal, hours)
    assert reference_office_time(cal, hours, moment, opening) == timedelta(0)
    assert (opening == moment) is expected


@P4
@PROPERTY
@given(start=st.dates(*WINDOW), length=st.integers(-10, 400), cal=calendars)
def test_property_working_days_between_counts_working_days(start, length, cal) -> None:
    end = start + timedelta(days=length)
    expected = sum(reference_working_day(cal, day) for day in days(start + timedelta(days=1), end))
    assert working_days_between(start, end, cal) == expected


@P4
@PROPERTY
@given(day=st.dates(*WINDOW), cal=calendars)
def test_property_calendar_rules(day, cal) -> None:
    assert cal.is_working_day(day) is reference_working_day(cal, day)
    assert cal.is_confirmed(day) is (day.year in cal.confirmed_years)


@P4
@K5
@PROPERTY
@given(
    start=moments, n=st.integers(0, 6), cal=calendars, zone=st.sampled_from(ZONES), function=period_functions
)
def test_property_same_moment_in_any_zone_same_deadline(start, n, cal, zone, function) -> None:
    assert function(start, n, cal, HOURS) == function(start.astimezone(zone), n, cal, HOURS)
