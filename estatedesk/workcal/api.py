"""The working-day calendar over the API (SPEC P-4, K-5, A-2).

``GET /api/calendar/days`` lists a year's holidays and make-up working days and says
whether the year is confirmed; ``GET /api/calendar/deadline`` answers when a period ends,
with the engine the complaints use, so anyone can check a deadline. Both are for staff
(the API's usual authentication); the calendar is the same for everyone, and an estate
given for its office hours must be one the user may see.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from estatedesk.core import clock
from estatedesk.core.api import READ_ERRORS, current_user, invalid, responses
from estatedesk.core.models import CompanySettings, CountingMode
from estatedesk.core.params import MAX_ID
from estatedesk.org.selectors import estates_for
from estatedesk.workcal import engine, selectors
from estatedesk.workcal.models import DayKind, Region, Source

router = Router(tags=["calendar"])

MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_WORKING_DAYS = 1000
MAX_HOURS = 10000


def _int_between(low: int, high: int, message: Any) -> Any:
    """A query integer checked before pydantic, so the message is in the request's language."""

    def check(value: Any) -> Any:
        try:
            number = int(value) if isinstance(value, str) else value
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise PydanticCustomError("out_of_range", str(message) % {"low": low, "high": high})
        return number

    return BeforeValidator(check)


Year = Annotated[
    int,
    Field(ge=MIN_YEAR, le=MAX_YEAR),
    _int_between(MIN_YEAR, MAX_YEAR, gettext_lazy("Give a year between %(low)s and %(high)s.")),
]
WorkingDays = Annotated[
    int,
    Field(ge=0, le=MAX_WORKING_DAYS),
    _int_between(
        0, MAX_WORKING_DAYS, gettext_lazy("Give a whole number of working days from %(low)s to %(high)s.")
    ),
]
Hours = Annotated[
    int,
    Field(ge=0, le=MAX_HOURS),
    _int_between(0, MAX_HOURS, gettext_lazy("Give a whole number of hours from %(low)s to %(high)s.")),
]
EstateId = Annotated[
    int,
    Field(ge=1, le=MAX_ID),
    _int_between(1, MAX_ID, gettext_lazy("Give an estate id from %(low)s to %(high)s.")),
]


def _aware_start(value: Any) -> Any:
    message = _("Give the start as ISO 8601 with its UTC offset, for example 2026-09-30T10:00:00+08:00.")
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise PydanticCustomError("datetime_offset", message) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PydanticCustomError("datetime_offset", message)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise PydanticCustomError(
            "out_of_range",
            _("Give a start between the years %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR},
        )
    return parsed


Start = Annotated[datetime, BeforeValidator(_aware_start)]


# --- Days --------------------------------------------------------------------------------


class Names(Schema):
    model_config = ConfigDict(populate_by_name=True)

    zh_hans: str = Field(alias="zh-hans")
    zh_hant: str = Field(alias="zh-hant")
    en: str


class DayOut(Schema):
    date: str = Field(description="YYYY-MM-DD")
    kind: DayKind = Field(description="holiday: a day off; workday: a weekend day worked instead.")
    name: str = Field(description="The name in the request's language.")
    names: Names
    source: Source


class YearOut(Schema):
    year: int
    region: Region
    confirmed: bool = Field(
        description="False: the notice is not entered; Monday–Friday is assumed and deadlines are provisional."
    )
    days: list[DayOut] = Field(
        description="Only the exceptions to Monday–Friday (and named holidays), by date."
    )


class DaysQuery(Schema):
    year: Year = Field(description="1900–2200")
    region: Region = Region.CN


@router.get("/calendar/days", response=responses(200, YearOut, *READ_ERRORS), by_alias=True)
def calendar_days(request: HttpRequest, query: Query[DaysQuery]) -> Any:
    language = get_language()
    status = selectors.year_status(query.region, query.year)
    return {
        "year": query.year,
        "region": query.region,
        "confirmed": status.confirmed,
        "days": [
            {
                "date": day.date.isoformat(),
                "kind": day.kind,
                "name": day.name_for(language),
                "names": {"zh_hans": day.name_zh_hans, "zh_hant": day.name_zh_hant, "en": day.name_en},
                "source": day.source,
            }
            for day in selectors.days_in_year(query.region, query.year)
        ],
    }


# --- Deadline ----------------------------------------------------------------------------


class Mode(StrEnum):
    CIVIL = CountingMode.CIVIL_CODE.value
    BUSINESS = CountingMode.BUSINESS_TIME.value


class DeadlineQuery(Schema):
    start: Start = Field(description="When the period starts: ISO 8601 with a UTC offset.")
    working_days: WorkingDays | None = Field(
        None, description="A period of working days (give this or hours)."
    )
    hours: Hours | None = Field(
        None, description="A period of clock hours, 24/7 (give this or working_days)."
    )
    estate: EstateId | None = Field(
        None, description="Use this estate's office hours (default: the company's)."
    )
    mode: Mode | None = Field(
        None,
        description="How working days are counted: civil (Civil Code, whole days ending at close of "
        "business) or business (N × a working day's length inside office hours). Default: the company's.",
    )


class Basis(Schema):
    period: str = Field(description="working_days or hours")
    amount: int
    mode: str = Field(description="civil, business or clock")
    office_hours: str = Field(description="The office hours used, e.g. 08:30-12:00,13:30-17:30.")
    time_zone: str
    estate: int | None


class DeadlineOut(Schema):
    start: str = Field(description="The start as given, ISO 8601.")
    due: str = Field(description="When the period ends: ISO 8601 with offset, in the company's time zone.")
    provisional: bool = Field(
        description="True when a year the period touches is not confirmed: it may move when its notice is entered."
    )
    basis: Basis


def _hours_text(hours: engine.OfficeHours) -> str:
    return ",".join(f"{a.strftime('%H:%M')}-{b.strftime('%H:%M')}" for a, b in hours.periods)


@router.get("/calendar/deadline", response=responses(200, DeadlineOut, *READ_ERRORS))
def calendar_deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> Any:
    user = current_user(request)
    if (query.working_days is None) == (query.hours is None):
        raise invalid(
            "working_days", _("Give either working_days or hours, not both and not neither."), where="query"
        )
    estate = None
    if query.estate is not None:
        # Out of scope and missing are the same answer.
        estate = estates_for(user).filter(pk=query.estate).first()
        if estate is None:
            raise invalid("estate", _("Unknown estate."), where="query")
    company = CompanySettings.load()
    zone = clock.company_zone(company)
    hours = selectors.office_hours_for(estate, company=company)
    try:
        if query.hours is not None:
            amount, period, mode = query.hours, "hours", "clock"
            deadline = engine.add_clock_hours(query.start, query.hours)
        else:
            assert query.working_days is not None
            amount, period = query.working_days, "working_days"
            mode = (query.mode or Mode(company.counting_mode)).value
            calendar = selectors.load_calendar()
            add = engine.add_business_time if mode == Mode.BUSINESS else engine.add_working_days
            deadline = add(query.start, query.working_days, calendar, hours)
    except (ValueError, OverflowError):
        raise invalid(
            "start", _("The deadline falls outside the dates the calendar can count."), where="query"
        ) from None
    if deadline.due.year > MAX_YEAR:
        raise invalid(
            "start", _("The deadline falls outside the dates the calendar can count."), where="query"
        )
    return {
        "start": query.start.isoformat(),
        "due": deadline.due.astimezone(zone).isoformat(),
        "provisional": deadline.provisional,
        "basis": {
            "period": period,
            "amount": amount,
            "mode": mode,
            "office_hours": _hours_text(hours),
            "time_zone": str(zone),
            "estate": estate.pk if estate else None,
        },
    }
