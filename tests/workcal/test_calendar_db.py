"""The calendar table, its seed, its upkeep and the recompute hook (SPEC P-4).

The seed runs in the test database's migrations, exactly as on a fresh install (and
tests/conftest.py puts it back after a ``transaction=True`` test has emptied the tables).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from estatedesk.core.models import CompanySettings
from estatedesk.org import hooks
from estatedesk.org import services as org_services
from estatedesk.workcal import recompute, seeding, selectors, services, tasks
from estatedesk.workcal.models import CalendarDay, CalendarRevision, CalendarYear
from estatedesk.workcal.selectors import HolidayRange, MakeUpDay

pytestmark = pytest.mark.req("P-4")

SEEDED = range(2010, 2027)

# The 2027 notice as a test fixture only: it follows the usual pattern, not a real notice.
NOTICE_2027 = dict(
    holiday_ranges=[
        ("元旦", "元旦", "New Year's Day", date(2027, 1, 1), date(2027, 1, 3)),
        ("春节", "春節", "Spring Festival", date(2027, 2, 5), date(2027, 2, 12)),
        ("国庆节", "國慶節", "National Day", date(2027, 10, 1), date(2027, 10, 7)),
    ],
    workdays=[
        (date(2027, 2, 13), "春节调休上班", "春節調休上班", "Make-up working day for Spring Festival"),
        (date(2027, 9, 26), "", "", ""),
        (date(2027, 10, 9), "国庆节调休上班", "國慶節調休上班", "Make-up working day for National Day"),
    ],
    reference="国办发明电〔2026〕99号（测试）",
)


@pytest.fixture
def provider_calls():
    calls: list[set[int]] = []

    def provider(years: set[int]) -> int:
        calls.append(years)
        return 3

    recompute.register(provider)
    yield calls
    recompute.unregister(provider)


# --- Seed --------------------------------------------------------------------------------


def test_every_published_year_from_2010_to_2026_is_seeded_and_confirmed(db):
    years = CalendarYear.objects.filter(region="CN")
    assert sorted(years.values_list("year", flat=True)) == list(SEEDED)
    assert all(y.confirmed and y.source == "official" for y in years)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarRevision.objects.filter(region="CN").exists()


@pytest.mark.parametrize(
    ("day", "kind", "names"),
    [
        (date(2026, 10, 1), "holiday", ("国庆节", "國慶節", "National Day")),
        (date(2026, 10, 7), "holiday", ("国庆节", "國慶節", "National Day")),  # a moved day off
        (
            date(2026, 10, 10),
            "workday",
            ("国庆节调休上班", "國慶節調休上班", "Make-up working day for National Day"),
        ),
        (date(2026, 2, 14), "workday", ("春节调休上班", "春節調休上班", None)),
        (date(2026, 2, 17), "holiday", ("春节", "春節", "Chinese New Year (Spring Festival)")),
        (date(2025, 1, 26), "workday", ("春节调休上班", "春節調休上班", None)),
        (date(2015, 9, 3), "holiday", (None, None, None)),  # the one-off Victory Day holiday
    ],
)
def test_seeded_days_carry_their_names_in_three_languages(db, day, kind, names):
    row = CalendarDay.objects.get(region="CN", date=day)
    assert row.kind == kind and row.source == "official"
    for expected, actual in zip(names, (row.name_zh_hans, row.name_zh_hant, row.name_en), strict=True):
        assert actual, "every seeded day has a name in each language"
        if expected is not None:
            assert actual == expected


def test_a_make_up_day_of_the_december_before_belongs_to_the_next_years_notice(db):
    # The 2012 notice made Saturday 31 December 2011 a working day.
    row = CalendarDay.objects.get(region="CN", date=date(2011, 12, 31))
    assert (row.kind, row.year) == ("workday", 2012)


def test_only_named_days_are_stored_never_ordinary_ones(db):
    for row in CalendarDay.objects.filter(region="CN"):
        if row.kind == "workday":
            assert row.date.weekday() >= 5, row.date
    # An ordinary Wednesday and an ordinary Saturday are not in the table.
    assert not CalendarDay.objects.filter(date__in=[date(2026, 3, 11), date(2026, 3, 14)]).exists()


def test_every_day_2010_to_2026_matches_the_chinese_calendar_package(db):
    chinese_calendar = pytest.importorskip(
        "chinese_calendar", reason="the cross-check needs the chinesecalendar package (test extra)"
    )
    cal = selectors.load_calendar("CN")
    day, last = date(2010, 1, 1), date(2026, 12, 31)
    wrong = []
    while day <= last:
        if cal.is_working_day(day) != chinese_calendar.is_workday(day):
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []
    assert all(cal.is_confirmed(date(y, 6, 1)) for y in SEEDED)


def test_the_seed_is_fast_and_running_it_again_changes_nothing(db):
    with transaction.atomic():
        CalendarDay.objects.all().delete()
        CalendarYear.objects.all().delete()
        started = time.perf_counter()
        stored = seeding.seed()
        elapsed = time.perf_counter() - started
        assert stored == CalendarDay.objects.count() > 400
        assert elapsed < 2, f"seeding took {elapsed:.2f} s"
        assert seeding.seed() == 0
        transaction.set_rollback(True)


def test_seeded_rows_have_a_history_saying_where_they_came_from(db):
    row = CalendarDay.objects.get(region="CN", date=date(2026, 10, 1))
    first = row.history.earliest("history_date")
    assert first.history_type == "+"
    assert first.history_change_reason.startswith("Seeded from the holidays package")


def test_a_year_the_package_only_estimates_is_not_seeded(db):
    assert seeding.official_days(range(2100, 2101)) == []


# --- Reading the calendar ----------------------------------------------------------------


def test_an_unconfirmed_year_falls_back_to_monday_to_friday(db):
    cal = selectors.load_calendar()
    assert not cal.is_confirmed(date(2027, 10, 1))
    assert cal.is_working_day(date(2027, 10, 1))  # a Friday: National Day is not entered yet
    assert not cal.is_working_day(date(2027, 10, 2))  # Saturday
    assert selectors.year_status("CN", 2027).confirmed is False


def test_the_cached_calendar_costs_one_query_and_follows_changes_made_elsewhere(db):
    first = selectors.load_calendar()
    with CaptureQueriesContext(connection) as queries:
        again = selectors.load_calendar()
    assert again is first and len(queries) == 1
    # Another process changes the table: it replaces the revision token in the same
    # transaction. No in-process hook runs here, yet the next read sees the change.
    CalendarDay.objects.filter(date=date(2026, 10, 1)).delete()
    CalendarRevision.objects.filter(region="CN").update(token="changed-by-another-process")
    assert selectors.load_calendar().is_working_day(date(2026, 10, 1))


def test_office_hours_come_from_the_estate_or_else_the_company(world):
    CompanySettings.objects.filter(pk=1).update(office_hours="09:00-17:00", time_zone="Asia/Hong_Kong")
    world.estate_a.office_hours = "08:00-12:00,13:00-20:00"
    world.estate_a.save()
    company = selectors.office_hours_for()
    assert company.tz == ZoneInfo("Asia/Hong_Kong") and company.closes.hour == 17
    estate = selectors.office_hours_for(world.estate_a)
    assert estate.tz == ZoneInfo("Asia/Hong_Kong") and estate.closes.hour == 20 and len(estate.periods) == 2
    assert selectors.office_hours_for(world.estate_b).closes.hour == 17  # no hours of its own


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 14), []),
        (date(2026, 11, 15), [2027]),
        (date(2026, 12, 31), [2027]),
        (date(2027, 1, 5), [2027]),
    ],
)
def test_the_years_an_administrator_must_enter(db, today, expected):
    assert selectors.years_needing_notice(today) == expected


def test_a_seeded_notice_reads_back_as_ranges(db):
    ranges, workdays = selectors.notice_of_year("CN", 2026)
    national = next(r for r in ranges if r.name_en == "National Day")
    assert (national.first, national.last) == (date(2026, 10, 1), date(2026, 10, 7))
    assert date(2026, 10, 10) in [w.date for w in workdays]


# --- Entering a notice -------------------------------------------------------------------


def test_entering_a_notice_confirms_the_year_and_recomputes_its_deadlines(
    world, provider_calls, django_capture_on_commit_callbacks
):
    admin = world.users["admin"]
    assert selectors.load_calendar().is_working_day(date(2027, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        change = services.enter_year_notice(actor=admin, region="CN", year=2027, **NOTICE_2027)
    cal = selectors.load_calendar()
    assert cal.is_confirmed(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 10, 1))
    assert cal.is_working_day(date(2027, 10, 9))  # a Saturday worked
    assert provider_calls == [{2027}]
    assert sum(change.recomputed.values()) == 3
    status = selectors.year_status("CN", 2027)
    assert status.confirmed and status.confirmed_by == admin and status.reference.startswith("国办发明电")
    assert CalendarYear.history.filter(year=2027).latest("history_date").history_user == admin
    day = CalendarDay.objects.get(date=date(2027, 10, 1))
    assert day.history.latest("history_date").history_user == admin
    # Weekend days inside a range are stored, so the range reads back as announced.
    assert CalendarDay.objects.get(date=date(2027, 10, 2)).kind == "holiday"
    # An unnamed make-up day is named after the nearest range.
    assert CalendarDay.objects.get(date=date(2027, 9, 26)).name_zh_hans == "国庆节调休上班"


def test_entering_a_notice_again_replaces_its_official_days_and_keeps_other_corrections(world):
    admin = world.users["admin"]
    services.enter_year_notice(actor=admin, region="CN", year=2027, **NOTICE_2027)
    services.correct_day(
        actor=admin, region="CN", day=date(2027, 5, 10), kind="holiday", names=("校庆", "", ""), note="local"
    )
    services.correct_day(
        actor=admin, region="CN", day=date(2027, 10, 8), kind="holiday", names=("", "", ""), note="typo?"
    )
    shorter = dict(
        NOTICE_2027,
        holiday_ranges=NOTICE_2027["holiday_ranges"][:1]
        + [
            ("国庆节", "國慶節", "National Day", date(2027, 10, 1), date(2027, 10, 8)),
        ],
        workdays=[],
    )
    change = services.enter_year_notice(actor=admin, region="CN", year=2027, **shorter)
    assert change.removed > 0
    kinds = dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "source"))
    assert date(2027, 2, 8) not in kinds  # Spring Festival left the notice
    assert date(2027, 10, 9) not in kinds  # so did the make-up day
    assert kinds[date(2027, 5, 10)] == "manual"  # a correction the notice does not touch stays
    assert kinds[date(2027, 10, 8)] == "official"  # the notice now names that day itself


def test_a_notice_with_mistakes_is_refused_whole(world):
    with pytest.raises(ValidationError) as caught:
        services.enter_year_notice(
            actor=world.users["admin"],
            region="CN",
            year=2027,
            holiday_ranges=[("国庆节", "", "", date(2027, 10, 7), date(2027, 10, 1))],
            workdays=[(date(2027, 10, 11), "", "", "")],
            reference="",
        )
    assert len(caught.value.messages) == 2
    assert not CalendarYear.objects.filter(year=2027).exists()


def _where(problems):
    return sorted((p.where or ("notice", 0, ""))[::2] for p in problems)


@pytest.mark.parametrize(
    ("ranges", "workdays", "expected"),
    [
        ([("a", date(2027, 10, 7), date(2027, 10, 1))], [], [("range", "last")]),  # last before first
        (
            [("a", date(2027, 10, 1), date(2027, 10, 7))],
            [date(2027, 10, 11)],
            [("workday", "date")],
        ),  # a Monday
        (
            [("a", date(2027, 10, 1), date(2027, 10, 7))],
            [date(2027, 10, 2)],
            [("workday", "date")],
        ),  # inside the range
        (
            [("a", date(2027, 10, 1), date(2027, 10, 7)), ("b", date(2027, 10, 5), date(2027, 10, 9))],
            [],
            [("range", "first")],
        ),  # overlap
        (
            [("a", date(2028, 1, 1), date(2028, 1, 2))],
            [],
            [("range", "first"), ("range", "last")],
        ),  # next year
        ([("a", date(2026, 11, 30), date(2026, 11, 30))], [], [("range", "first"), ("range", "last")]),
        ([("", date(2027, 1, 1), date(2027, 1, 1))], [], [("range", "name_zh_hans")]),  # no name
        ([("a", date(2027, 1, 1), date(2027, 3, 1))], [], [("range", "last")]),  # far too long
        (
            [("a", date(2027, 1, 1), date(2027, 1, 3))],
            [date(2027, 1, 9), date(2027, 1, 9)],
            [("workday", "date")],
        ),
        # The December before is allowed: the 2012 notice used it.
        ([("a", date(2026, 12, 31), date(2027, 1, 2))], [date(2026, 12, 26)], []),
    ],
)
def test_notice_rules(ranges, workdays, expected):
    problems = services.check_notice(
        2027,
        [HolidayRange(name, "", "", first, last) for name, first, last in ranges],
        [MakeUpDay(day) for day in workdays],
    )
    assert _where(problems) == sorted(expected), [p.message for p in problems]


# --- Correcting a day --------------------------------------------------------------------


def test_correcting_a_day_and_putting_it_back(world, provider_calls, django_capture_on_commit_callbacks):
    admin = world.users["admin"]
    day = date(2026, 12, 24)  # a Thursday
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_day(
            actor=admin,
            region="CN",
            day=day,
            kind="holiday",
            names=("平安夜", "平安夜", "Christmas Eve"),
            note="company day off",
        )
    assert not selectors.load_calendar().is_working_day(day)
    row = CalendarDay.objects.get(date=day)
    assert (row.source, row.confirmed_by, row.note) == ("manual", admin, "company day off")
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_day(actor=admin, region="CN", day=day, kind="normal", note="cancelled")
    assert selectors.load_calendar().is_working_day(day)
    assert not CalendarDay.objects.filter(date=day).exists()
    removal = CalendarDay.history.filter(date=day).latest("history_date")
    assert (removal.history_type, removal.history_user, removal.note) == ("-", admin, "cancelled")
    assert provider_calls == [{2026}, {2026}]


def test_a_weekday_cannot_be_a_make_up_working_day_and_a_note_is_required(world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError):
        services.correct_day(actor=admin, region="CN", day=date(2027, 3, 3), kind="workday", note="x")
    with pytest.raises(ValidationError):
        services.correct_day(actor=admin, region="CN", day=date(2027, 3, 6), kind="workday", note=" ")
    services.correct_day(actor=admin, region="CN", day=date(2027, 3, 6), kind="workday", note="stock-take")
    assert selectors.load_calendar().is_working_day(date(2027, 3, 6))
    assert not selectors.load_calendar().is_confirmed(date(2027, 3, 6))  # a correction confirms nothing


# --- The recompute registry --------------------------------------------------------------


def test_every_provider_is_asked_and_one_failing_does_not_stop_the_others(caplog):
    asked = []

    def broken(years: set[int]) -> int:
        raise RuntimeError("boom")

    def working(years: set[int]) -> int:
        asked.append(years)
        return 2

    recompute.register(broken)
    recompute.register(working)
    recompute.register(working)  # twice is once
    try:
        counts = recompute.recompute_open_deadlines({2027, 2028})
    finally:
        recompute.unregister(broken)
        recompute.unregister(working)
    assert asked == [{2027, 2028}]
    assert list(counts.values()) == [2]
    assert "boom" in caplog.text
    assert recompute.recompute_open_deadlines(set()) == {}


def test_a_rolled_back_change_recomputes_nothing(world, provider_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.enter_year_notice(actor=world.users["admin"], region="CN", year=2027, **NOTICE_2027)
        transaction.set_rollback(True)
    assert provider_calls == []
    assert not selectors.load_calendar().is_confirmed(date(2027, 1, 1))


# --- Office hours: org tells the calendar through its hook registry -----------------------


@pytest.mark.req("K-5")
def test_the_calendar_listens_for_office_hours_changes_through_the_org_hooks():
    # workcal builds on org, never the reverse: it registers when its app is ready.
    assert tasks.recompute_hours in hooks.office_hours_hooks()


@pytest.mark.req("K-5")
def test_office_hours_changes_reach_the_hooks_once_committed(world, django_capture_on_commit_callbacks):
    told: list[int | None] = []
    hooks.on_office_hours_changed(told.append)
    try:
        estate = world.estate_a
        estate.office_hours = "09:00-18:00"
        with django_capture_on_commit_callbacks() as callbacks:
            org_services.save_record(actor=world.users["admin"], instance=estate)
            org_services.save_record(actor=world.users["admin"], instance=estate)  # unchanged: no call
        assert told == []
        company = CompanySettings.objects.get(pk=1)
        company.office_hours = "08:30-17:30"
        with django_capture_on_commit_callbacks() as more:
            org_services.save_record(actor=world.users["admin"], instance=company)
        for callback in [*callbacks, *more]:
            callback()
        assert told == [estate.pk, None]
    finally:
        hooks.remove_office_hours_hook(told.append)
    assert told.append not in hooks.office_hours_hooks()
