"""Working days, office hours and deadlines (SPEC P-4, K-5).

Pure: no ORM, no Django settings, no clock. The calendar, the office hours and the moment
are passed in, so the same answer comes out whether the server runs in UTC or local time.

How periods are counted
-----------------------
* Every start is first converted to the office's time zone (``OfficeHours.tz``); the
  local date decides which day it was received on. 2026-02-12T16:30Z is 00:30 on the
  13th in Shanghai, so it was received on the 13th.
* Working-day periods (``add_working_days``) follow the Civil Code (arts. 201, 203): the
  day of receipt is not counted, whatever the hour and whether or not it is a working
  day; counting starts on the next working day; the period ends when office hours end
  (the end of the last period) on the Nth working day.
* Business time (``add_business_time``): N × the length of a working day, counted only
  inside office hours on working days, from the start (or the next opening if the office
  is closed). A result that lands exactly on the end of a period stays there (12:00, not
  13:00 after lunch).
* Clock hours (``add_clock_hours``): N real hours, 24/7, computed in UTC so a daylight
  saving change cannot stretch or shrink them.
* N = 0 is "no time at all": every function returns the start itself (converted to the
  office's time zone for the working-day functions), not provisional. Negative N raises
  ``ValueError``.
* ``provisional`` is True when a year from the start's local date to the due date is not
  confirmed: such years fall back to Monday-Friday (nothing is stored for them), so the
  answer may move when the year's notice is entered.
* Office hours are wall-clock periods. Zones with daylight saving are accepted, but a
  transition inside office hours is not specially handled (China has none).

Speed: each ``Calendar`` compiles itself, the first time it is asked, into arrays over a
window of days around its stored exceptions and confirmed years: for every day, how many
working days the window holds up to it; for every working day, its date. "The n-th
working day after a day" is then one subtraction and one index, anywhere: before and
after the window the week is plain Monday-Friday and counts by arithmetic. For each
(office zone, closing time) the compiled calendar also holds the finished Civil Code
answers, one per working day of the window (confirmed and provisional), so
``add_working_days`` reads the start's local day and returns an entry. Nothing is
remembered per question. The compiled form lives on the ``Calendar`` object, which is
frozen: a corrected calendar is a new object, compiled afresh, so a change can never be
answered from stale arrays. See docs/decisions/0056-fast-working-day-engine.md.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from estatedesk.core import officehours

__all__ = [
    "DEFAULT_TIME_ZONE",
    "Calendar",
    "Deadline",
    "OfficeHours",
    "add_business_time",
    "add_clock_hours",
    "add_working_days",
    "in_office_hours",
    "next_opening",
    "working_days_between",
]

DEFAULT_TIME_ZONE = "Asia/Shanghai"
NAIVE_MESSAGE = "timezone-aware datetime required"
_ONE_DAY = timedelta(days=1)
_MAX_ORDINAL = date.max.toordinal()
_WINDOW_YEARS = 400  # the longest compiled window; a wider calendar is walked day by day


@dataclass(frozen=True)
class Calendar:
    """Monday-Friday plus the stored exceptions.

    A day listed in both ``holidays`` and ``workdays`` (a data error) counts as a holiday.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    confirmed_years: frozenset[int]
    # Derived in __post_init__; not part of equality, hash or repr.
    _exceptions: dict[date, bool] = field(init=False, repr=False, compare=False)
    _lost: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _gained: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _last_exception: date = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)
    _compiled: _Compiled | None = field(init=False, repr=False, compare=False)
    # The arrays ``add_working_days`` reads for the office hours it was last asked about.
    _hot: _Hot | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("holidays", "workdays", "confirmed_years"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        status = dict.fromkeys(self.workdays, True)
        status.update(dict.fromkeys(self.holidays, False))
        # Keep only real exceptions: a holiday on a Saturday changes nothing.
        exceptions = {day: works for day, works in status.items() if works != (day.weekday() < 5)}
        object.__setattr__(self, "_exceptions", exceptions)
        object.__setattr__(self, "_lost", tuple(sorted(d for d, w in exceptions.items() if not w)))
        object.__setattr__(self, "_gained", tuple(sorted(d for d, w in exceptions.items() if w)))
        object.__setattr__(self, "_last_exception", max(exceptions, default=date.min))
        object.__setattr__(self, "_hash", hash((self.holidays, self.workdays, self.confirmed_years)))
        object.__setattr__(self, "_compiled", None)
        object.__setattr__(self, "_hot", None)

    def __hash__(self) -> int:
        return self._hash

    def is_working_day(self, day: date) -> bool:
        works = self._exceptions.get(day)
        if works is None:
            return day.weekday() < 5
        return works

    def is_confirmed(self, day: date) -> bool:
        return day.year in self.confirmed_years

    def compiled(self) -> _Compiled:
        """The calendar as arrays (built once per ``Calendar`` object; see the module's notes)."""
        found = self._compiled
        if found is None:
            found = _Compiled(self)
            object.__setattr__(self, "_compiled", found)
        return found


def _plain_count(ordinal: int) -> int:
    """Monday-Friday days with ordinals 1..ordinal (ordinal 1, 1 January of year 1, was a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + (rest if rest < 5 else 5)


def _plain_nth(count: int) -> int:
    """The ordinal of the count-th Monday-Friday day from ordinal 1 (count >= 1)."""
    weeks, rest = divmod(count - 1, 5)
    return 7 * weeks + rest + 1


# For one calendar and one office's hours, what the fast path of ``add_working_days`` reads,
# as one tuple (so threads never see the hours of one with the arrays of another):
# (hours, office zone, the zone's fixed offset in seconds or None, lo, cum, confirmed_to,
#  answers ending on each working day of the window, the same answers marked provisional).
_Hot = tuple["OfficeHours", tzinfo, int | None, int, list[int], list[int], list["Deadline"], list["Deadline"]]
# Seconds east of UTC of the fixed-offset zones starts are given in (UTC above all).
_SECONDS: dict[tzinfo, int] = {}


class _Compiled:
    """One calendar as arrays over ``[lo, lo + size)`` (day ordinals); see the module's notes.

    ``cum[i]``: working days in the window up to and including day ``lo + i``;
    ``days[j]``: the j-th working day of the window (``days[0]`` is unused);
    ``confirmed_to[i]``: the last j still inside the run of confirmed years that holds
    day ``lo + i`` (0 if its year is not confirmed): an answer after it is provisional.
    Outside the window there is no stored exception, so W(o), the number of working days
    up to ordinal o, is the plain Monday-Friday count (plus ``delta`` after the window).
    """

    __slots__ = (
        "base",
        "confirmed_to",
        "count",
        "cum",
        "days",
        "delta",
        "lo",
        "size",
        "tables",
        "walk",
    )

    def __init__(self, cal: Calendar) -> None:
        self.tables: dict[tuple[tzinfo, time], tuple[list[Deadline], list[Deadline], int | None]] = {}
        self.cum: list[int] = []
        self.days: list[date | None] = [None]
        self.confirmed_to: list[int] = []
        exception_years = {day.year for day in cal._exceptions}
        years = exception_years | set(cal.confirmed_years)
        if years and max(years) - min(years) > _WINDOW_YEARS:
            years = exception_years
        self.walk = bool(years) and max(years) - min(years) > _WINDOW_YEARS
        if not years or self.walk:
            self.lo, self.size, self.base, self.delta = 1, 0, 0, 0
            self.count = 1
            return
        first = date(max(1, min(years) - 1), 1, 1).toordinal()
        last = date(min(9999, max(years) + 2), 12, 31).toordinal()
        self.lo, self.size = first, last - first + 1
        self.base = _plain_count(first - 1)
        # Ordinal 1 (1 January of year 1) was a Monday: an ordinal's weekday is (ordinal - 1) % 7.
        exceptions = {day.toordinal(): works for day, works in cal._exceptions.items()}
        cum: list[int] = []
        working: list[int] = []
        for ordinal in range(first, last + 1):
            works = exceptions.get(ordinal)
            if works is None:
                works = (ordinal - 1) % 7 < 5
            if works:
                working.append(ordinal)
            cum.append(len(working))
        days: list[date | None] = [None]
        days.extend(map(date.fromordinal, working))
        self.cum, self.days, self.count = cum, days, len(days)
        self.delta = self.base + cum[-1] - _plain_count(last)
        confirmed = cal.confirmed_years
        confirmed_to: list[int] = []
        for year in range(date.fromordinal(first).year, date.fromordinal(last).year + 1):
            value = 0
            if year in confirmed:
                end = year
                while end + 1 in confirmed:
                    end += 1
                end_ordinal = date(end, 12, 31).toordinal()
                value = cum[end_ordinal - first] if end_ordinal < last else self.count
            confirmed_to.extend([value] * (366 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 365))
        self.confirmed_to = confirmed_to

    def working_up_to(self, ordinal: int) -> int:
        """W(ordinal): working days from ordinal 1 up to and including ``ordinal``."""
        i = ordinal - self.lo
        if i < 0:
            return _plain_count(ordinal)
        if i < self.size:
            return self.base + self.cum[i]
        return _plain_count(ordinal) + self.delta

    def nth(self, count: int) -> int:
        """The ordinal of the count-th working day from ordinal 1 (the inverse of W)."""
        j = count - self.base
        if j <= 0:
            return _plain_nth(count)
        if j < self.count:
            day = self.days[j]
            assert day is not None
            return day.toordinal()
        return _plain_nth(count - self.delta)

    def civil_table(self, hours: OfficeHours) -> _Hot | None:
        """Civil Code answers ending on each working day of the window, for these office hours.

        None if the office's zone is not a ``ZoneInfo`` or ``timezone`` (whose offsets are
        never None: other zones go the long way, which checks every start).
        """
        tz, closes = hours.tz, hours.periods[-1][1]
        if tz.__class__ not in _ALWAYS_AWARE:
            return None
        key = (tz, closes)
        table = self.tables.get(key)
        if table is None:
            moments = [datetime.combine(day, closes, tz) if day is not None else None for day in self.days]
            table = (
                [Deadline(moment, False) for moment in moments],  # type: ignore[arg-type]
                [Deadline(moment, True) for moment in moments],  # type: ignore[arg-type]
                self._fixed_offset(tz),
            )
            self.tables[key] = table
        confirmed, provisional, offset = table
        return (hours, tz, offset, self.lo, self.cum, self.confirmed_to, confirmed, provisional)

    def _fixed_offset(self, tz: tzinfo) -> int | None:
        if not self.size:
            return None
        key = (tz, self.lo, self.size)
        if key not in _FIXED:
            _FIXED[key] = _fixed_offset(tz, self.lo, self.lo + self.size)
        return _FIXED[key]


# The zone's fixed offset over a window: a fact about the zone, kept per (zone, window).
_FIXED: dict[tuple[tzinfo, int, int], int | None] = {}


def _fixed_offset(tz: tzinfo, first: int, end: int) -> int | None:
    """The zone's UTC offset in whole seconds if it is one offset over the days, else None.

    Read every six hours from a day before ``first`` to the day after ``end``: a zone that
    changed its offset and changed it back within six hours would be missed (tzdata has
    none).
    """
    offsets: set[timedelta | None] = set()
    moment = datetime.combine(date.fromordinal(max(1, first - 1)), time(), UTC)
    stop = datetime.combine(date.fromordinal(min(_MAX_ORDINAL - 1, end)), time(), UTC)
    step = timedelta(hours=6)
    try:
        while moment <= stop and len(offsets) < 2:
            offsets.add(moment.astimezone(tz).utcoffset())
            moment += step
    except OverflowError:  # a window at the very ends of the calendar: take the long way
        return None
    (offset,) = offsets if len(offsets) == 1 else (None,)
    if offset is None or offset.microseconds:
        return None
    return offset.days * 86400 + offset.seconds


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc


def _micros(t: time | datetime) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


@dataclass(frozen=True)
class OfficeHours:
    """Local wall-clock office periods, the same on every working day."""

    periods: tuple[tuple[time, time], ...]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIME_ZONE))
    # Derived in __post_init__: periods as microseconds after midnight.
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _layout: tuple[tuple[int, int, time], ...] = field(init=False, repr=False, compare=False)
    _day_us: int = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("office hours need at least one period")
        previous_end: time | None = None
        for start, end in periods:
            if not (isinstance(start, time) and isinstance(end, time)):
                raise ValueError("office-hour periods are pairs of times")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office-hour periods are local wall-clock times without a time zone")
            if end <= start:
                raise ValueError(f"office-hour period ends before it starts: {start}-{end}")
            if previous_end is not None and start < previous_end:
                raise ValueError("office-hour periods must be in time order and must not overlap")
            previous_end = end
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "tz", _zone(self.tz))
        spans = tuple((_micros(start), _micros(end)) for start, end in periods)
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(
            self,
            "_layout",
            tuple((start, end, period[1]) for (start, end), period in zip(spans, periods, strict=True)),
        )
        object.__setattr__(self, "_day_us", sum(end - start for start, end in spans))
        object.__setattr__(self, "_hash", hash((self.periods, self.tz)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def parse(cls, text: str, tz: str | ZoneInfo = DEFAULT_TIME_ZONE) -> OfficeHours:
        """``OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")``."""
        try:
            periods = officehours.parse(text)
        except ValueError as exc:
            raise ValueError(
                f"office hours must be periods in time order, for example 08:30-12:00,13:30-17:30; got {text!r}"
            ) from exc
        return cls(periods=tuple(periods), tz=cast(ZoneInfo, _zone(tz)))

    @property
    def day_length(self) -> timedelta:
        return timedelta(microseconds=self._day_us)

    @property
    def opens(self) -> time:
        return self.periods[0][0]

    @property
    def closes(self) -> time:
        return self.periods[-1][1]


@dataclass(frozen=True, slots=True)
class Deadline:
    due: datetime
    provisional: bool


# --- helpers -------------------------------------------------------------------------------

# Zone classes whose utcoffset() is never None: checking the class is cheaper than asking.
_ALWAYS_AWARE = frozenset({ZoneInfo, timezone})


def _local(moment: datetime, tz: tzinfo) -> datetime:
    zone = moment.tzinfo
    if zone is None or (zone.__class__ not in _ALWAYS_AWARE and moment.utcoffset() is None):
        raise ValueError(NAIVE_MESSAGE)
    return moment.astimezone(tz)


def _count(n: int) -> int:
    n = operator.index(n)
    if n < 0:
        raise ValueError("the number of working days must be 0 or more")
    return n


def _out_of_range() -> ValueError:
    return ValueError("the deadline falls outside the supported date range")


def _working_day_after(cal: Calendar, day: date, k: int) -> date:
    """The k-th working day strictly after ``day`` (k >= 1)."""
    compiled = cal.compiled()
    if compiled.walk:
        return _walk(cal, day, k)
    ordinal = compiled.nth(compiled.working_up_to(day.toordinal()) + k)
    if ordinal > _MAX_ORDINAL:
        raise OverflowError("date value out of range")
    return date.fromordinal(ordinal)


def _walk(cal: Calendar, day: date, k: int) -> date:
    """``_working_day_after`` for a calendar too wide to compile: day by day, whole weeks at the end."""
    remaining = k
    last = cal._last_exception
    exceptions = cal._exceptions
    while remaining:
        if remaining > 5 and day >= last:
            # Past the last stored exception the week is plain Mon-Fri: 7 days hold 5.
            weeks = (remaining - 1) // 5
            day += timedelta(days=7 * weeks)
            remaining -= 5 * weeks
            continue
        day += _ONE_DAY
        works = exceptions.get(day)
        if works is None:
            works = day.weekday() < 5
        if works:
            remaining -= 1
    return day


def _provisional(cal: Calendar, first: date, last: date) -> bool:
    confirmed = cal.confirmed_years
    if first.year == last.year:
        return first.year not in confirmed
    return any(year not in confirmed for year in range(first.year, last.year + 1))


# --- public functions ----------------------------------------------------------------------


def add_working_days(start: datetime, n: int, cal: Calendar, hours: OfficeHours) -> Deadline:
    """End of a period of ``n`` working days counted as the Civil Code counts (SPEC K-5)."""
    # The fast path: a start in the office's zone (or in a fixed-offset zone such as UTC,
    # where the office's zone keeps one offset over the whole window), a whole n >= 1, the
    # calendar compiled for these office hours and an answer inside the window. Indexing
    # past the end of the arrays raises IndexError: that answer is worked out the long way.
    hot = cal._hot
    if hot is not None and n.__class__ is int and n > 0 and (hot[0] is hours or hot[0] == hours):
        _hours, tz, offset, lo, cum, confirmed_to, confirmed, provisional = hot
        zone = start.tzinfo
        if zone is tz:
            i = start.toordinal() - lo
        elif zone is UTC and offset is not None:
            # A start in UTC: its local day by arithmetic, not astimezone.
            i = (
                start.toordinal()
                + (start.hour * 3600 + start.minute * 60 + start.second + offset) // 86400
                - lo
            )
        elif zone.__class__ is timezone and offset is not None:
            # Another fixed-offset start: the same, from its own offset.
            seconds = _SECONDS.get(zone)
            if seconds is None:
                seconds = _seconds_east(zone)
            if seconds is None:
                i = -1
            else:
                local = start.hour * 3600 + start.minute * 60 + start.second + offset - seconds
                i = start.toordinal() + local // 86400 - lo
        else:
            i = -1
        if i >= 0:
            try:
                j = cum[i] + n
                return provisional[j] if j > confirmed_to[i] else confirmed[j]
            except IndexError:
                pass
    return _add_working_days(start, n, cal, hours)


def _seconds_east(zone: timezone) -> int | None:
    """A fixed zone's offset in whole seconds (remembered), or None if it has a fraction."""
    offset = zone.utcoffset(None)
    if offset.microseconds:
        return None
    seconds = offset.days * 86400 + offset.seconds
    _SECONDS[zone] = seconds
    return seconds


def _add_working_days(start: datetime, n: int, cal: Calendar, hours: OfficeHours) -> Deadline:
    tz = hours.tz
    local = _local(start, tz)
    n = _count(n)
    if n == 0:
        return Deadline(local, False)
    received = local.date()
    try:
        last = _working_day_after(cal, received, n)
    except OverflowError as exc:
        raise _out_of_range() from exc
    hot = cal._hot
    if hot is None or hot[0] != hours:
        # Ready the fast path for these office hours (a calendar keeps one set at a time).
        object.__setattr__(cal, "_hot", cal.compiled().civil_table(hours))
    return Deadline(datetime.combine(last, hours.periods[-1][1], tz), _provisional(cal, received, last))


def add_business_time(start: datetime, n: int, cal: Calendar, hours: OfficeHours) -> Deadline:
    """End of ``n`` × the working-day length counted inside office hours on working days.

    Counting n whole days of office time from a moment lands at the same office position
    n working days later: the same wall time if the start is inside a period, otherwise
    the end of the last period that had passed (the close, if none had started yet: then
    the receipt day itself is the first of the n days).
    """
    tz = hours.tz
    local = _local(start, tz)
    n = _count(n)
    if n == 0:
        return Deadline(local, False)
    received = local.date()
    works = cal._exceptions.get(received)
    if works is None:
        works = received.weekday() < 5
    at: time | None = None
    if works:
        us = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        for span_start, span_end, period_end in hours._layout:
            if us <= span_start:
                break
            if us < span_end:
                at = local.time()
                break
            at = period_end
    try:
        if at is None:
            # Nothing of the receipt day was used (closed all day, or before the opening).
            at = hours.periods[-1][1]
            if works:
                day = received if n == 1 else _working_day_after(cal, received, n - 1)
            else:
                day = _working_day_after(cal, received, n)
        else:
            day = _working_day_after(cal, received, n)
    except OverflowError as exc:
        raise _out_of_range() from exc
    return Deadline(datetime.combine(day, at, tz), _provisional(cal, received, day))


def add_clock_hours(start: datetime, n: int | float) -> Deadline:
    """``n`` real hours after ``start`` (24/7), in the start's time zone. Never provisional."""
    zone = start.tzinfo
    if zone is None or start.utcoffset() is None:
        raise ValueError(NAIVE_MESSAGE)
    if isinstance(n, bool) or not isinstance(n, int | float):
        raise TypeError("the number of hours must be a number")
    if not n >= 0 or math.isinf(n):  # also rejects NaN
        raise ValueError("the number of hours must be 0 or more")
    try:
        due = (start.astimezone(UTC) + timedelta(hours=n)).astimezone(zone)
    except OverflowError as exc:
        raise _out_of_range() from exc
    return Deadline(due, False)


def in_office_hours(moment: datetime, cal: Calendar, hours: OfficeHours) -> bool:
    """Inside a period (start included, end excluded) on a working day, in the office's zone."""
    local = _local(moment, hours.tz)
    if not cal.is_working_day(local.date()):
        return False
    us = _micros(local)
    return any(start <= us < end for start, end in hours._spans)


def next_opening(moment: datetime, cal: Calendar, hours: OfficeHours) -> datetime:
    """The moment itself (in the office's zone) if the office is open, else the next opening."""
    tz = hours.tz
    local = _local(moment, tz)
    today = local.date()
    if cal.is_working_day(today):
        us = _micros(local)
        for (start, end), (opening, _closing) in zip(hours._spans, hours.periods, strict=True):
            if us < end:
                if us >= start:
                    return local
                return datetime.combine(today, opening, tz)
    try:
        day = _working_day_after(cal, today, 1)
    except OverflowError as exc:
        raise _out_of_range() from exc
    return datetime.combine(day, hours.periods[0][0], tz)


def working_days_between(start: date, end: date, cal: Calendar) -> int:
    """Working days in (start, end]: the days a period from ``start`` to ``end`` counts."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    weekday = start.weekday()
    count = 5 * weeks + sum(1 for i in range(1, extra + 1) if (weekday + i) % 7 < 5)
    count -= bisect_right(cal._lost, end) - bisect_right(cal._lost, start)
    count += bisect_right(cal._gained, end) - bisect_right(cal._gained, start)
    return count
