"""The calendar pages and the administrators' upkeep warning (SPEC P-4, A-1, P-3, P-1)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from estatedesk.workcal import recompute, selectors
from estatedesk.workcal.models import CalendarDay, CalendarYear
from tests.workcal.test_calendar_db import NOTICE_2027

pytestmark = [pytest.mark.req("P-4"), pytest.mark.req("A-1")]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _client(world, persona: str, language: str = "en"):
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _cell(html: str, day: str) -> str:
    match = re.search(rf'<td class="([^"]*)" title="([^"]*)" data-date="{day}"', html)
    assert match, day
    return match.group(1) + " | " + match.group(2)


def _notice_post(year: int, ranges, workdays, reference: str = "", extra_rows: int = 2) -> dict[str, str]:
    data = {
        "ranges-TOTAL_FORMS": str(len(ranges) + extra_rows),
        "ranges-INITIAL_FORMS": "0",
        "workdays-TOTAL_FORMS": str(len(workdays) + extra_rows),
        "workdays-INITIAL_FORMS": "0",
        "reference": reference,
        "save": "1",
    }
    for i, (hans, hant, en, first, last) in enumerate(ranges):
        data.update(
            {
                f"ranges-{i}-name_zh_hans": hans,
                f"ranges-{i}-name_zh_hant": hant,
                f"ranges-{i}-name_en": en,
                f"ranges-{i}-first": str(first),
                f"ranges-{i}-last": str(last),
            }
        )
    for i, (day, hans, hant, en) in enumerate(workdays):
        data.update(
            {
                f"workdays-{i}-date": str(day),
                f"workdays-{i}-name_zh_hans": hans,
                f"workdays-{i}-name_zh_hant": hant,
                f"workdays-{i}-name_en": en,
            }
        )
    return data


# --- The year page -----------------------------------------------------------------------


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "holiday", "month"),
    [("zh-hans", "国庆节", "十月"), ("zh-hant", "國慶節", "十月"), ("en", "National Day", "October")],
)
def test_the_year_shows_holidays_and_make_up_days_in_each_language(world, language, holiday, month):
    response = _client(world, "handler_a", language).get(reverse("workcal:year", args=[2026]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert month in html
    assert "wc-holiday" in _cell(html, "2026-10-01") and holiday in _cell(html, "2026-10-01")
    assert "wc-makeup" in _cell(html, "2026-10-10")  # a Saturday worked
    assert "wc-work" in _cell(html, "2026-10-09")
    assert "wc-weekend" in _cell(html, "2026-10-17")
    assert "wc-holiday" in _cell(html, "2026-02-17")
    # A weekend inside a holiday shows as part of it (seeded years store only its weekdays).
    assert "wc-holiday" in _cell(html, "2026-10-04") and holiday in _cell(html, "2026-10-04")
    assert "wc-holiday" in _cell(html, "2026-02-21")
    assert 'data-status="confirmed"' in html
    assert "estatedesk/calendar.css" in html
    # The CSP forbids inline styles and scripts: the page has none.
    assert " style=" not in html and "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    # Staff look; only administrators get links to correct days.
    assert reverse("workcal:day", args=["2026-10-01"]) not in html
    assert reverse("workcal:notice", args=[2026]) not in html


def test_an_unconfirmed_year_says_it_is_provisional(world):
    html = _client(world, "admin").get(reverse("workcal:year", args=[2027])).content.decode()
    assert 'data-status="provisional"' in html and "Monday–Friday assumed" in html
    assert "wc-work" in _cell(html, "2027-10-01")  # nothing entered: an ordinary Friday
    assert reverse("workcal:notice", args=[2027]) in html
    assert reverse("workcal:day", args=["2027-10-01"]) in html


def test_calendar_opens_on_the_current_year_of_the_company(world):
    # 31 December 16:30 UTC is already New Year's Day in Shanghai.
    with time_machine.travel(datetime(2026, 12, 31, 16, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        response = _client(world, "handler_a").get(reverse("workcal:current"))
    assert response.status_code == 302 and response.url == reverse("workcal:year", args=[2027])


@pytest.mark.parametrize("path", ["/calendar/1899/", "/calendar/2201/", "/calendar/day/2026-02-30/"])
def test_impossible_years_and_dates_are_not_found(world, path):
    assert _client(world, "admin").get(path).status_code == 404


# --- Who may change the calendar ---------------------------------------------------------


@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm", "auditor", "resident"])
def test_only_administrators_reach_the_notice_and_day_pages(world, persona):
    client = _client(world, persona)
    for url in (reverse("workcal:notice", args=[2027]), reverse("workcal:day", args=["2027-03-03"])):
        assert client.get(url).status_code == 403
        assert client.post(url, {"kind": "holiday", "note": "x"}).status_code == 403
    assert not CalendarDay.objects.filter(date=date(2027, 3, 3)).exists()


@pytest.mark.req("P-1")
def test_visitors_are_sent_to_sign_in(world):
    response = world.client("anonymous").get(reverse("workcal:year", args=[2026]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- Entering a year's notice ------------------------------------------------------------


@pytest.fixture
def provider_calls():
    calls: list[set[int]] = []

    def provider(years: set[int]) -> int:
        calls.append(years)
        return 1

    recompute.register(provider)
    yield calls
    recompute.unregister(provider)


def test_the_notice_page_starts_from_what_is_stored(world):
    html = _client(world, "admin").get(reverse("workcal:notice", args=[2026])).content.decode()
    assert 'value="国庆节"' in html and 'value="2026-10-07"' in html and 'value="2026-10-10"' in html
    empty = _client(world, "admin").get(reverse("workcal:notice", args=[2027])).content.decode()
    assert 'name="ranges-7-first"' in empty and 'name="workdays-7-date"' in empty  # blank rows to fill


def test_entering_2027_through_the_page_confirms_it(
    world, provider_calls, django_capture_on_commit_callbacks
):
    client = _client(world, "admin")
    data = _notice_post(
        2027, NOTICE_2027["holiday_ranges"], NOTICE_2027["workdays"], NOTICE_2027["reference"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workcal:notice", args=[2027]), data)
    assert response.status_code == 302 and response.url == reverse("workcal:year", args=[2027])
    cal = selectors.load_calendar()
    assert cal.is_confirmed(date(2027, 10, 1)) and not cal.is_working_day(date(2027, 10, 1))
    assert cal.is_working_day(date(2027, 10, 9))
    assert provider_calls == [{2027}]
    year = CalendarYear.objects.get(region="CN", year=2027)
    assert year.confirmed_by == world.users["admin"]
    assert year.history.latest("history_date").history_user == world.users["admin"]
    html = client.get(response.url).content.decode()
    assert "The calendar of 2027 is confirmed." in html
    assert 'data-status="confirmed"' in html and "wc-holiday" in _cell(html, "2027-10-01")


def test_a_notice_with_mistakes_comes_back_with_everything_typed_and_each_message(world):
    client = _client(world, "admin")
    data = _notice_post(
        2027,
        [
            ("国庆节", "國慶節", "National Day", "2027-10-07", "2027-10-01"),  # last before first
            ("中秋节", "中秋節", "Mid-Autumn", "2027-09-15", "2027-09-17"),
            ("重叠", "", "", "2027-09-16", "2027-09-18"),  # overlaps Mid-Autumn
            ("明年", "", "", "2028-01-01", "2028-01-01"),  # outside the year
        ],
        [
            ("2027-10-11", "", "", ""),  # a Monday
            ("2027-09-26", "国庆节调休上班", "", ""),  # fine
            ("not a date", "", "", ""),
        ],
        reference="国办发明电〔2026〕99号",
    )
    response = client.post(reverse("workcal:notice", args=[2027]), data)
    assert response.status_code == 422
    html = response.content.decode()
    for message in (
        "The last day (2027-10-01) is before the first day (2027-10-07).",
        "This range overlaps 中秋节 (2027-09-15 – 2027-09-17).",
        "2028-01-01 is not in 2027.",
        "2027-10-11 is a weekday, so it is a working day anyway",
        "Enter a valid date.",
    ):
        assert message in html, message
    # Nothing typed is lost.
    for typed in (
        'value="国庆节"',
        'value="2027-10-07"',
        'value="重叠"',
        'value="2027-09-26"',
        'value="not a date"',
        "国办发明电〔2026〕99号",
    ):
        assert typed in html, typed
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_notice_needs_a_holiday_range(world):
    response = _client(world, "admin").post(
        reverse("workcal:notice", args=[2027]), _notice_post(2027, [], [])
    )
    assert response.status_code == 422
    assert "Enter at least one holiday range." in response.content.decode()


def test_more_rows_keeps_what_is_typed_and_saves_nothing(world):
    data = _notice_post(2027, NOTICE_2027["holiday_ranges"][:1], [], extra_rows=0)
    del data["save"]
    data["more_ranges"] = "1"
    response = _client(world, "admin").post(reverse("workcal:notice", args=[2027]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="ranges-4-first"' in html and 'value="元旦"' in html
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- Correcting one day ------------------------------------------------------------------


def test_an_administrator_corrects_a_day_and_puts_it_back(
    world, provider_calls, django_capture_on_commit_callbacks
):
    client = _client(world, "admin")
    url = reverse("workcal:day", args=["2027-03-03"])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"kind": "holiday", "name_zh_hans": "停电", "name_en": "Power cut", "note": "区政府通知"}
        )
    assert response.status_code == 302
    row = CalendarDay.objects.get(date=date(2027, 3, 3))
    assert (row.kind, row.source, row.confirmed_by) == ("holiday", "manual", world.users["admin"])
    assert not selectors.load_calendar().is_working_day(date(2027, 3, 3))
    html = client.get(url).content.decode()
    assert "区政府通知" in html and "admin" in html  # the day's history: what, why and who
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "normal", "note": "通知撤回"})
    assert not CalendarDay.objects.filter(date=date(2027, 3, 3)).exists()
    assert provider_calls == [{2027}, {2027}]


def test_a_weekday_cannot_be_made_a_make_up_day_and_the_note_is_required(world):
    client = _client(world, "admin")
    url = reverse("workcal:day", args=["2027-03-03"])
    response = client.post(url, {"kind": "workday", "note": "stock-take"})
    assert response.status_code == 422
    assert "2027-03-03 is a weekday" in response.content.decode()
    response = client.post(url, {"kind": "holiday", "name_en": "Typed", "note": ""})
    assert response.status_code == 422 and 'value="Typed"' in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2027, 3, 3)).exists()


# --- The upkeep warning on the administrators' home page ---------------------------------


def _calendar_panel(client) -> str:
    html = client.get(reverse("home")).content.decode()
    match = re.search(r'data-panel="calendar">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def test_from_15_november_administrators_are_told_to_enter_next_year(world):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        panel = _calendar_panel(_client(world, "admin"))
    assert "The holidays of 2027 are not entered yet." in panel
    assert reverse("workcal:notice", args=[2027]) in panel


def test_before_15_november_the_calendar_is_up_to_date(world):
    with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        panel = _calendar_panel(_client(world, "admin"))
    assert "The calendar is up to date." in panel and "2027" not in panel


def test_the_warning_ends_when_next_year_is_confirmed(world):
    from estatedesk.workcal import services

    services.enter_year_notice(actor=world.users["admin"], region="CN", year=2027, **NOTICE_2027)
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        panel = _calendar_panel(_client(world, "admin"))
    assert "The calendar is up to date." in panel


def test_only_administrators_have_the_calendar_panel(world):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert _calendar_panel(_client(world, "handler_a")) == ""
