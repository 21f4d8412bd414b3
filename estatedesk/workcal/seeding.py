"""The official calendar of mainland China for the years whose notice is published (SPEC P-4).

The data comes from the ``holidays`` package, which transcribes every State Council notice
since 2001: the statutory days (``China(observed=False)``), the extra days off the notice
moves onto weekdays (observed days and the "day off, substituted from …" entries) and,
in ``ChinaStaticHolidays.special_public_holidays``, the weekend day worked in exchange for
each substituted day. ``tests/workcal/test_calendar_db.py`` cross-checks every day of the
seeded years against the independent ``chinese_calendar`` package.

Only years listed in ``SEEDED_YEARS`` are seeded: the package also *estimates* future years,
and an estimate must never pass for a confirmed year (the engine marks deadlines in an
unconfirmed year provisional instead).

The seed runs inside ``migrate`` on every fresh install, so it is one pass over the package
and two bulk inserts (well under a second).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.apps import apps as django_apps

REGION = "CN"
SEEDED_YEARS = range(2010, 2027)

# The package's language codes for our three languages.
LANGUAGES = {"zh_hans": "zh_CN", "zh_hant": "zh_TW", "en": "en_US"}


@dataclass(frozen=True)
class SeedDay:
    date: date
    year: int  # the notice the day belongs to
    kind: str  # "holiday" | "workday"
    name_zh_hans: str
    name_zh_hant: str
    name_en: str


def _holiday_tables(years: range, *, observed: bool) -> dict[str, Any]:
    # The holidays package is imported only when seeding: it is large, and a running site
    # never needs it.
    from holidays.countries.china import China

    # One year either side: a block of days off can straddle New Year.
    span = range(years.start - 1, years.stop + 1)
    return {key: China(years=span, language=code, observed=observed) for key, code in LANGUAGES.items()}


def _substitutions() -> dict[date, tuple[date, int]]:
    """Day off → (the weekend day worked for it, the notice year), from the package's notices."""
    from holidays.countries.china import ChinaStaticHolidays  # only when seeding: see _holiday_tables

    result: dict[date, tuple[date, int]] = {}
    for notice_year, entries in ChinaStaticHolidays.special_public_holidays.items():
        for entry in entries if isinstance(entries[0], tuple) else (entries,):
            # (month, day, worked month, worked day[, worked year]); 3-tuples are named extra days.
            if len(entry) >= 4 and isinstance(entry[2], int):
                worked_year = entry[4] if len(entry) == 5 else notice_year
                result[date(notice_year, entry[0], entry[1])] = (
                    date(worked_year, entry[2], entry[3]),
                    notice_year,
                )
    return result


def published_years() -> set[int]:
    """Years for which the package transcribes a notice (it has its special days)."""
    from holidays.countries.china import ChinaStaticHolidays  # only when seeding: see _holiday_tables

    return set(ChinaStaticHolidays.special_public_holidays)


def official_days(years: range = SEEDED_YEARS) -> list[SeedDay]:
    """Every holiday and make-up working day of ``years`` (only those the package transcribes)."""
    full = _holiday_tables(years, observed=True)
    statutory = _holiday_tables(years, observed=False)
    substitutions = _substitutions()
    worked = {workday for workday, _year in substitutions.values()}
    wanted = set(years) & published_years()

    def named(day: date) -> bool:
        # A day carrying its own festival's name (not an observed or substituted day off).
        return day in statutory["en"] and day not in substitutions

    def off(day: date) -> bool:
        return day in full["en"] or (day.weekday() >= 5 and day not in worked)

    def block_name(day: date) -> tuple[str, str, str]:
        """The festival a moved day off belongs to: the commonest name in its run of days off."""
        run = [day]
        for step in (-1, 1):
            other = day + timedelta(days=step)
            while off(other):
                run.append(other)
                other += timedelta(days=step)
        names = [d for d in sorted(run) if named(d)]
        if not names:
            return (full["zh_hans"][day], full["zh_hant"][day], full["en"][day])
        counts = Counter(statutory["en"][d] for d in names)
        best = max(names, key=lambda d: (counts[statutory["en"][d]], -names.index(d)))
        return (statutory["zh_hans"][best], statutory["zh_hant"][best], statutory["en"][best])

    days: list[SeedDay] = []
    for day in sorted(full["en"]):
        if day.year not in wanted:
            continue
        if named(day):
            names = (statutory["zh_hans"][day], statutory["zh_hant"][day], statutory["en"][day])
        else:
            names = block_name(day)
        days.append(SeedDay(day, day.year, "holiday", *names))
    for day_off, (workday, notice_year) in sorted(substitutions.items()):
        if notice_year not in wanted:
            continue
        hans, hant, en = block_name(day_off)
        days.append(
            SeedDay(
                workday,
                notice_year,
                "workday",
                f"{hans}调休上班",
                f"{hant}調休上班",
                f"Make-up working day for {en}",
            )
        )
    return sorted(days, key=lambda d: d.date)


def _package_version() -> str:
    import holidays  # only when seeding: see _holiday_tables

    return str(getattr(holidays, "__version__", "?"))


def seed(apps: Any = None, schema_editor: Any = None, *, years: range = SEEDED_YEARS) -> int:
    """Store the official calendar of ``years`` as confirmed; returns the number of days stored.

    Callable as a ``RunPython`` step (``apps`` is then the migration state) or directly. Days
    and years already present are left as they are, so running it twice changes nothing.
    """
    if apps is None:
        apps = django_apps
    Year = apps.get_model("workcal", "CalendarYear")
    Day = apps.get_model("workcal", "CalendarDay")
    HistoricalYear = apps.get_model("workcal", "HistoricalCalendarYear")
    HistoricalDay = apps.get_model("workcal", "HistoricalCalendarDay")
    Revision = apps.get_model("workcal", "CalendarRevision")

    now = datetime.now(UTC)
    reason = f"Seeded from the holidays package {_package_version()}"
    days = official_days(years)
    seeded_years = sorted({d.year for d in days})
    existing_years = set(
        Year.objects.filter(region=REGION, year__in=seeded_years).values_list("year", flat=True)
    )
    existing_days = set(
        Day.objects.filter(region=REGION, year__in=seeded_years).values_list("date", flat=True)
    )

    new_years = [
        Year(
            region=REGION,
            year=year,
            confirmed=True,
            confirmed_at=now,
            source="official",
            reference=f"国务院办公厅关于{year}年部分节假日安排的通知",
        )
        for year in seeded_years
        if year not in existing_years
    ]
    new_days = [
        Day(
            region=REGION,
            date=d.date,
            year=d.year,
            kind=d.kind,
            name_zh_hans=d.name_zh_hans[:100],
            name_zh_hant=d.name_zh_hant[:100],
            name_en=d.name_en[:100],
            source="official",
        )
        for d in days
        if d.date not in existing_days
    ]
    Year.objects.bulk_create(new_years)
    Day.objects.bulk_create(new_days)
    _record_history(HistoricalYear, Year, [y.year for y in new_years], now, reason, key="year")
    _record_history(HistoricalDay, Day, [d.date for d in new_days], now, reason, key="date")
    Revision.objects.update_or_create(region=REGION, defaults={"token": _token()})
    return len(new_days)


def _token() -> str:
    return uuid.uuid4().hex


def _record_history(
    historical: Any, model: Any, keys: Iterable[Any], now: datetime, reason: str, *, key: str
) -> None:
    """A "created" history row for each seeded record, saying where the data came from."""
    keys = list(keys)
    if not keys:
        return
    fields = [f.attname for f in model._meta.concrete_fields]
    rows = model.objects.filter(region=REGION, **{f"{key}__in": keys})
    historical.objects.bulk_create(
        [
            historical(
                **{name: getattr(row, name) for name in fields},
                history_date=now,
                history_type="+",
                history_change_reason=reason,
            )
            for row in rows
        ],
        batch_size=500,
    )
