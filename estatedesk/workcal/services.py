"""Every change to the working-day calendar (SPEC P-4).

Two writes: entering a year's State Council notice, and correcting one day. Each is
atomic, stamps who did it on the rows and their history, replaces the region's revision
token (so every process reloads the calendar) and, once committed, asks the registered
providers to recompute the open deadlines of the years that changed.

The rules a notice must satisfy live in ``check_notice``, a pure function, so the notice
page can put each message next to the row it is about and the service refuses the same
input when called from anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.core.actors import Actor, stamp, user_of
from estatedesk.workcal import tasks
from estatedesk.workcal.models import (
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    DayKind,
    Region,
    Source,
    new_token,
)
from estatedesk.workcal.selectors import HolidayRange, MakeUpDay

MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_RANGE_DAYS = 31
NORMAL = "normal"  # correct_day: remove the exception, the day follows Monday–Friday again


# --- Input -------------------------------------------------------------------------------


def as_range(value: HolidayRange | Sequence[Any]) -> HolidayRange:
    if isinstance(value, HolidayRange):
        return value
    hans, hant, en, first, last = value
    return HolidayRange(hans or "", hant or "", en or "", first, last)


def as_make_up(value: MakeUpDay | Sequence[Any]) -> MakeUpDay:
    if isinstance(value, MakeUpDay):
        return value
    day, *names = value
    names = [*names, "", "", ""][:3]
    return MakeUpDay(day, *(n or "" for n in names))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a notice: where (``("range", row, field)``, ``("workday", row, field)``
    or ``None`` for the whole notice) and the message, in the active language."""

    where: tuple[str, int, str] | None
    message: str


def _in_notice(day: date, year: int) -> bool:
    # A notice covers its year and, at most, the December before (the 2012 notice made
    # 31 December 2011 a working day).
    return day.year == year or (day.year == year - 1 and day.month == 12)


def _range_label(item: HolidayRange) -> str:
    name = item.name_zh_hans or item.name_zh_hant or item.name_en
    return f"{name} ({item.first.isoformat()} – {item.last.isoformat()})"


def check_notice(year: int, ranges: Sequence[HolidayRange], workdays: Sequence[MakeUpDay]) -> list[Problem]:
    """Everything wrong with a notice, each problem pointing at its row. Pure."""
    problems: list[Problem] = []
    if not MIN_YEAR <= year <= MAX_YEAR:
        return [Problem(None, _("Choose a year between 1900 and 2200."))]
    outside = _(
        "%(date)s is not in %(year)s. A notice covers its own year (and at most the December before)."
    )
    good_ranges: list[tuple[int, HolidayRange]] = []
    for index, item in enumerate(ranges):
        if not (item.name_zh_hans or item.name_zh_hant or item.name_en).strip():
            problems.append(
                Problem(
                    ("range", index, "name_zh_hans"), _("Give the holiday a name in at least one language.")
                )
            )
        ok = True
        for name, day in (("first", item.first), ("last", item.last)):
            if day is None:
                problems.append(Problem(("range", index, name), _("Enter a date.")))
                ok = False
            elif not _in_notice(day, year):
                problems.append(
                    Problem(("range", index, name), outside % {"date": day.isoformat(), "year": year})
                )
                ok = False
        if not ok:
            continue
        if item.last < item.first:
            problems.append(
                Problem(
                    ("range", index, "last"),
                    _("The last day (%(last)s) is before the first day (%(first)s).")
                    % {"last": item.last.isoformat(), "first": item.first.isoformat()},
                )
            )
            continue
        if (item.last - item.first).days + 1 > MAX_RANGE_DAYS:
            problems.append(
                Problem(
                    ("range", index, "last"),
                    _("A holiday range can be at most %(days)s days long.") % {"days": MAX_RANGE_DAYS},
                )
            )
            continue
        good_ranges.append((index, item))
    for position, (index, item) in enumerate(good_ranges):
        for _other_index, other in good_ranges[:position]:
            if item.first <= other.last and other.first <= item.last:
                problems.append(
                    Problem(
                        ("range", index, "first"),
                        _("This range overlaps %(other)s.") % {"other": _range_label(other)},
                    )
                )
                break
    seen: dict[date, int] = {}
    for index, make_up in enumerate(workdays):
        day = make_up.date
        if day is None:
            problems.append(Problem(("workday", index, "date"), _("Enter a date.")))
            continue
        if not _in_notice(day, year):
            problems.append(
                Problem(("workday", index, "date"), outside % {"date": day.isoformat(), "year": year})
            )
            continue
        if day in seen:
            problems.append(
                Problem(
                    ("workday", index, "date"), _("%(date)s is entered twice.") % {"date": day.isoformat()}
                )
            )
            continue
        seen[day] = index
        if day.weekday() < 5:
            problems.append(
                Problem(
                    ("workday", index, "date"),
                    _(
                        "%(date)s is a weekday, so it is a working day anyway: a make-up working day is a Saturday or a Sunday."
                    )
                    % {"date": day.isoformat()},
                )
            )
            continue
        inside = next((item for _i, item in good_ranges if item.first <= day <= item.last), None)
        if inside is not None:
            problems.append(
                Problem(
                    ("workday", index, "date"),
                    _("%(date)s is inside the holiday range %(range)s.")
                    % {"date": day.isoformat(), "range": _range_label(inside)},
                )
            )
    return problems


def _as_validation_error(problems: Iterable[Problem]) -> ValidationError:
    return ValidationError([p.message for p in problems])


# --- Writes ------------------------------------------------------------------------------


@dataclass
class CalendarChange:
    """What a change did; ``recomputed`` is filled once the providers have run after commit."""

    region: str
    years: set[int]
    added: int = 0
    changed: int = 0
    removed: int = 0
    recomputed: dict[str, int] | None = field(default=None)


def _stamp(instance: Any, actor: Actor, reason: str) -> None:
    stamp(instance, actor)
    instance._change_reason = reason[:100]


def _check_region(region: str) -> None:
    if region not in Region.values:
        raise ValidationError(_("Unknown calendar region."))


def _mark_changed(change: CalendarChange) -> None:
    """New revision token now (same transaction); recompute the open deadlines once committed."""
    CalendarRevision.objects.update_or_create(region=change.region, defaults={"token": new_token()})

    def run() -> None:
        # In the worker, so saving a notice stays fast however many complaints are open;
        # with an immediate queue (tests, a one-process run) the counts come back at once.
        result = tasks.recompute_years(sorted(change.years))
        if settings.HUEY.get("immediate"):
            change.recomputed = result.get() if result is not None else None

    transaction.on_commit(run)


def _make_up_names(make_up: MakeUpDay, ranges: Sequence[HolidayRange]) -> tuple[str, str, str]:
    if make_up.name_zh_hans or make_up.name_zh_hant or make_up.name_en:
        return make_up.name_zh_hans, make_up.name_zh_hant, make_up.name_en
    if not ranges:
        return "调休上班", "調休上班", "Make-up working day"
    # Unnamed: it makes up for the nearest holiday range.
    nearest = min(
        ranges, key=lambda r: min(abs((make_up.date - r.first).days), abs((make_up.date - r.last).days))
    )
    return (
        f"{nearest.name_zh_hans or nearest.name_zh_hant}调休上班",
        f"{nearest.name_zh_hant or nearest.name_zh_hans}調休上班",
        f"Make-up working day for {nearest.name_en or nearest.name_zh_hans}",
    )


@transaction.atomic
def enter_year_notice(
    *,
    actor: Actor,
    region: str,
    year: int,
    holiday_ranges: Sequence[HolidayRange | Sequence[Any]],
    workdays: Sequence[MakeUpDay | Sequence[Any]],
    reference: str = "",
) -> CalendarChange:
    """Replace a year's official days with those of its notice and mark the year confirmed.

    Manual corrections of days the notice does not mention are kept; where the notice names
    a day, the notice wins. Raises ``ValidationError`` (all problems at once) on bad input.
    """
    _check_region(region)
    ranges = [as_range(r) for r in holiday_ranges]
    make_ups = [as_make_up(w) for w in workdays]
    problems = check_notice(year, ranges, make_ups)
    if problems:
        raise _as_validation_error(problems)

    reason = f"notice {year}"
    record, _created = CalendarYear.objects.select_for_update().get_or_create(region=region, year=year)
    wanted: dict[date, tuple[str, tuple[str, str, str]]] = {}
    for item in ranges:
        day = item.first
        while day <= item.last:
            wanted[day] = (DayKind.HOLIDAY, (item.name_zh_hans, item.name_zh_hant, item.name_en))
            day += timedelta(days=1)
    for make_up in make_ups:
        wanted[make_up.date] = (DayKind.WORKDAY, _make_up_names(make_up, ranges))

    change = CalendarChange(region=region, years={year} | {day.year for day in wanted})
    existing = CalendarDay.objects.select_for_update().filter(region=region)
    rows = {row.date: row for row in existing.filter(year=year, source=Source.OFFICIAL)}
    rows.update({row.date: row for row in existing.filter(date__in=list(wanted))})
    confirmer = user_of(actor)
    for day, row in sorted(rows.items()):
        if day not in wanted:
            _stamp(row, actor, reason)
            row.delete()
            change.removed += 1
    for day, (kind, (hans, hant, en)) in sorted(wanted.items()):
        values = {
            "year": year,
            "kind": kind,
            "name_zh_hans": hans[:100],
            "name_zh_hant": hant[:100],
            "name_en": en[:100],
            "source": Source.OFFICIAL,
            "confirmed_by": confirmer,
            "note": "",
        }
        current = rows.get(day)
        if current is None:
            current = CalendarDay(region=region, date=day, **values)
            change.added += 1
        elif all(getattr(current, name) == value for name, value in values.items()):
            continue
        else:
            for name, value in values.items():
                setattr(current, name, value)
            change.changed += 1
        _stamp(current, actor, reason)
        current.save()

    record.confirmed = True
    record.confirmed_by = confirmer
    record.confirmed_at = timezone.now()
    record.source = Source.OFFICIAL
    record.reference = reference.strip()
    _stamp(record, actor, reason)
    record.save()
    _mark_changed(change)
    return change


DAY_KINDS = (DayKind.HOLIDAY.value, DayKind.WORKDAY.value, NORMAL)


@transaction.atomic
def correct_day(
    *,
    actor: Actor,
    region: str,
    day: date,
    kind: str,
    names: Sequence[str] = ("", "", ""),
    note: str = "",
) -> CalendarChange:
    """Make one day a holiday, a make-up working day, or an ordinary day again (``"normal"``)."""
    _check_region(region)
    if kind not in DAY_KINDS:
        raise ValidationError(_("Choose holiday, make-up working day or ordinary day."))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(_("Choose a year between 1900 and 2200."))
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError(
            _(
                "%(date)s is a weekday, so it is a working day anyway: a make-up working day is a Saturday or a Sunday."
            )
            % {"date": day.isoformat()}
        )
    note = note.strip()
    if not note:
        raise ValidationError(_("Say why the day is corrected: the note is kept in the calendar's history."))
    hans, hant, en = [*(n.strip() for n in names), "", "", ""][:3]
    change = CalendarChange(region=region, years={day.year})
    row = CalendarDay.objects.select_for_update().filter(region=region, date=day).first()
    reason = f"correction {day.isoformat()}"
    if kind == NORMAL:
        if row is not None:
            _stamp(row, actor, reason)
            row.note = note
            row.delete()
            change.removed = 1
    else:
        values = {
            "year": day.year if row is None else row.year,
            "kind": kind,
            "name_zh_hans": hans[:100],
            "name_zh_hant": hant[:100],
            "name_en": en[:100],
            "source": Source.MANUAL,
            "confirmed_by": user_of(actor),
            "note": note,
        }
        if row is None:
            row = CalendarDay(region=region, date=day, **values)
            change.added = 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            change.changed = 1
        _stamp(row, actor, reason)
        row.save()
    if change.added or change.changed or change.removed:
        _mark_changed(change)
    return change
