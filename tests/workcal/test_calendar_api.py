"""The calendar over the API: a year's days and deadlines anyone can check (SPEC P-4, K-5, A-2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from estatedesk.core.models import CompanySettings
from estatedesk.workcal import services

pytestmark = [pytest.mark.req("P-4"), pytest.mark.req("A-2")]


def _get(client, path: str, language: str = "en", **params):
    return client.get(f"/api/calendar/{path}?{urlencode(params)}", HTTP_ACCEPT_LANGUAGE=language)


def _deadline(world, persona: str = "handler_a", language: str = "en", **params):
    return _get(world.client(persona), "deadline", language, **params)


# --- Days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("zh-hans", "国庆节调休上班"),
        ("zh-hant", "國慶節調休上班"),
        ("en", "Make-up working day for National Day"),
    ],
)
def test_the_days_of_a_confirmed_year(world, language, name):
    response = _get(world.client("handler_a"), "days", language, year=2026)
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["region"], body["confirmed"]) == (2026, "CN", True)
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2026-10-10"]["kind"] == "workday" and by_date["2026-10-10"]["name"] == name
    assert by_date["2026-10-01"]["names"] == {"zh-hans": "国庆节", "zh-hant": "國慶節", "en": "National Day"}
    assert by_date["2026-10-01"]["source"] == "official"
    assert "2026-10-09" not in by_date  # an ordinary working day is not an exception
    assert list(by_date) == sorted(by_date)


def test_an_unconfirmed_year_has_no_days_and_says_so(world):
    body = _get(world.client("handler_a"), "days", year=2027).json()
    assert body == {"year": 2027, "region": "CN", "confirmed": False, "days": []}


def test_other_regions_are_empty_until_entered(world):
    body = _get(world.client("handler_a"), "days", year=2026, region="HK").json()
    assert body["confirmed"] is False and body["days"] == []


# --- Deadlines ---------------------------------------------------------------------------


def test_two_working_days_over_national_day_2026(world):
    # Received Wednesday 30 September. 1-7 October are days off (3-4 a weekend), so Thursday
    # 8 October is working day 1 and Friday 9 October working day 2; the period ends when
    # office hours end (17:30 by default). Saturday 10 October, a make-up day, is not needed.
    chinese_calendar = pytest.importorskip("chinese_calendar", reason="cross-check needs chinesecalendar")
    assert [chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 11)] == [False] * 7 + [True] * 3
    response = _deadline(world, start="2026-09-30T10:00:00+08:00", working_days=2)
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-10-09T17:30:00+08:00"
    assert body["provisional"] is False
    assert body["basis"] == {
        "period": "working_days",
        "amount": 2,
        "mode": "civil",
        "office_hours": "08:30-12:00,13:30-17:30",
        "time_zone": "Asia/Shanghai",
        "estate": None,
    }


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Received Friday 9 October: Saturday 10 October is worked (day 1), Monday 12 is day 2.
        ("2026-10-09T16:00:00+08:00", 2, "2026-10-12T17:30:00+08:00"),
        # Just after midnight in Shanghai, still the previous day in UTC: received on the 13th.
        ("2026-02-12T16:30:00+00:00", 1, "2026-02-14T17:30:00+08:00"),  # Sat 14 Feb is worked
        # Received on New Year's Eve 2025: 1-2 January off, Sat 3 off, Sun 4 January worked.
        ("2025-12-31T10:00:00+08:00", 1, "2026-01-04T17:30:00+08:00"),
        # The K-5 example: received Saturday, ordinary week → Tuesday close.
        ("2026-03-07T11:00:00+08:00", 2, "2026-03-10T17:30:00+08:00"),
    ],
)
def test_working_day_deadlines_around_holidays(world, start, days, due):
    body = _deadline(world, start=start, working_days=days).json()
    assert (body["due"], body["provisional"]) == (due, False)


def test_a_deadline_in_an_unconfirmed_year_is_provisional(world):
    body = _deadline(world, start="2027-03-01T10:00:00+08:00", working_days=2).json()
    assert (body["due"], body["provisional"]) == ("2027-03-03T17:30:00+08:00", True)
    # A period that only crosses into 2027 is provisional too.
    body = _deadline(world, start="2026-12-30T10:00:00+08:00", working_days=2).json()
    assert (body["due"], body["provisional"]) == ("2027-01-01T17:30:00+08:00", True)


def test_entering_the_notice_moves_and_confirms_a_provisional_deadline(world):
    before = _deadline(world, start="2026-12-30T10:00:00+08:00", working_days=2).json()
    services.enter_year_notice(
        actor=world.users["admin"],
        region="CN",
        year=2027,
        holiday_ranges=[("元旦", "元旦", "New Year's Day", date(2027, 1, 1), date(2027, 1, 3))],
        workdays=[],
    )
    after = _deadline(world, start="2026-12-30T10:00:00+08:00", working_days=2).json()
    assert before["due"] == "2027-01-01T17:30:00+08:00" and before["provisional"] is True
    assert after["due"] == "2027-01-04T17:30:00+08:00" and after["provisional"] is False


def test_the_estates_office_hours_are_used_when_an_estate_is_given(world):
    world.estate_a.office_hours = "09:00-12:00,13:00-18:00"
    world.estate_a.save()
    params = {"start": "2026-03-09T10:00:00+08:00", "working_days": 2}
    plain = _deadline(world, **params).json()
    estate = _deadline(world, estate=world.estate_a.pk, **params).json()
    assert plain["due"] == "2026-03-11T17:30:00+08:00"  # K-5: Monday → Wednesday close
    assert estate["due"] == "2026-03-11T18:00:00+08:00"
    assert estate["basis"]["office_hours"] == "09:00-12:00,13:00-18:00"
    assert estate["basis"]["estate"] == world.estate_a.pk


def test_business_time_counts_inside_office_hours(world):
    body = _deadline(world, start="2026-09-30T10:00:00+08:00", working_days=2, mode="business").json()
    assert body["due"] == "2026-10-09T10:00:00+08:00" and body["basis"]["mode"] == "business"
    CompanySettings.objects.filter(pk=1).update(counting_mode="business")
    assert (
        _deadline(world, start="2026-09-30T10:00:00+08:00", working_days=2).json()["basis"]["mode"]
        == "business"
    )
    civil = _deadline(world, start="2026-09-30T10:00:00+08:00", working_days=2, mode="civil").json()
    assert civil["due"] == "2026-10-09T17:30:00+08:00"


def test_clock_hours_run_through_holidays_and_answer_in_the_company_zone(world):
    body = _deadline(world, start="2026-10-01T23:30:00+00:00", hours=2).json()
    assert body["due"] == "2026-10-02T09:30:00+08:00"
    assert (body["provisional"], body["basis"]["mode"], body["basis"]["period"]) == (False, "clock", "hours")
    body = _deadline(world, start="2027-06-01T10:00:00+08:00", hours=2).json()
    assert body["provisional"] is False  # clock time needs no calendar


def test_the_due_time_is_in_the_companys_time_zone(world):
    CompanySettings.objects.filter(pk=1).update(time_zone="Asia/Hong_Kong")
    body = _deadline(world, start="2026-03-09T02:00:00+00:00", working_days=2).json()
    due = datetime.fromisoformat(body["due"])
    assert due.utcoffset() == timedelta(hours=8) and body["basis"]["time_zone"] == "Asia/Hong_Kong"


# --- Bad input ---------------------------------------------------------------------------


def _message(language: str, text: str) -> str:
    with translation.override(language):
        return _(text)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        (
            {"start": "2026-09-30T10:00:00", "working_days": 2},
            "start",
            "Give the start as ISO 8601 with its UTC offset, for example 2026-09-30T10:00:00+08:00.",
        ),
        (
            {"start": "yesterday", "working_days": 2},
            "start",
            "Give the start as ISO 8601 with its UTC offset, for example 2026-09-30T10:00:00+08:00.",
        ),
        (
            {"start": "2026-09-30T10:00:00+08:00", "working_days": -1},
            "working_days",
            "Give a whole number of working days from %(low)s to %(high)s.",
        ),
        (
            {"start": "2026-09-30T10:00:00+08:00", "hours": -2},
            "hours",
            "Give a whole number of hours from %(low)s to %(high)s.",
        ),
        (
            {"start": "2026-09-30T10:00:00+08:00", "working_days": 2, "hours": 2},
            "working_days",
            "Give either working_days or hours, not both and not neither.",
        ),
        (
            {"start": "2026-09-30T10:00:00+08:00"},
            "working_days",
            "Give either working_days or hours, not both and not neither.",
        ),
        (
            {"start": "2300-01-01T10:00:00+08:00", "working_days": 1},
            "start",
            "Give a start between the years %(low)s and %(high)s.",
        ),
    ],
)
def test_bad_deadline_input_is_a_422_with_a_message_in_the_users_language(
    world, language, params, field, text
):
    response = _deadline(world, language=language, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == _message(language, "Some of the data sent is not valid.")
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert ("query", field) in locs, body
    wanted = _message(language, text)
    wanted = wanted.split("%(")[0]  # the figures filled in are checked below
    assert any(e["msg"].startswith(wanted) for e in body["errors"]), body


def test_limits_are_named_in_the_message(world):
    body = _deadline(world, start="2026-09-30T10:00:00+08:00", working_days=-1).json()
    assert body["errors"][0]["msg"] == "Give a whole number of working days from 0 to 1000."


def test_an_estate_the_user_may_not_see_is_unknown(world):
    # handler_a sees estate A only: estate B answers exactly as a missing one.
    for estate in (world.estate_b.pk, 999_999):
        response = _deadline(world, start="2026-09-30T10:00:00+08:00", working_days=2, estate=estate)
        assert response.status_code == 422
        assert response.json()["errors"] == [{"loc": ["query", "estate"], "msg": "Unknown estate."}]
    assert (
        _deadline(
            world, "deputy_gm", start="2026-09-30T10:00:00+08:00", working_days=2, estate=world.estate_b.pk
        ).status_code
        == 200
    )


@pytest.mark.parametrize("year", [1899, 2201, "abc"])
def test_a_year_out_of_range_is_a_422(world, year):
    response = _get(world.client("handler_a"), "days", year=year)
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "loc": ["query", "year"],
        "msg": "Give a year between 1900 and 2200.",
    }


def test_staff_only(world):
    assert _get(world.client("anonymous"), "days", year=2026).status_code == 401
    assert _get(world.client("resident"), "days", year=2026).status_code == 403
    assert _deadline(world, "resident", start="2026-09-30T10:00:00+08:00", hours=2).status_code == 403
