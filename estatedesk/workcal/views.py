"""Calendar pages (SPEC P-4): the year at a glance for staff; the notice and day corrections for admins."""

from __future__ import annotations

import calendar as pycalendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from estatedesk.core import clock, panels, policy
from estatedesk.workcal import engine, forms, selectors, services, spans
from estatedesk.workcal.models import CalendarDay, DayKind, Source

REGION = selectors.DEFAULT_REGION
# Column heads of a month: short enough for a phone (translated as 一 … 日).
WEEKDAY_HEADS = [
    pgettext_lazy("calendar column: Monday", "Mo"),
    pgettext_lazy("calendar column: Tuesday", "Tu"),
    pgettext_lazy("calendar column: Wednesday", "We"),
    pgettext_lazy("calendar column: Thursday", "Th"),
    pgettext_lazy("calendar column: Friday", "Fr"),
    pgettext_lazy("calendar column: Saturday", "Sa"),
    pgettext_lazy("calendar column: Sunday", "Su"),
]
# Blank rows offered on the notice page: a notice has about seven ranges and six make-up days.
BLANK_RANGES, BLANK_WORKDAYS, MORE_ROWS = 8, 8, 4


def _check_year(year: int) -> None:
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        raise Http404


def _who(user: User | None) -> str:
    if user is None:
        return ""
    staff = policy.staff_of(user)
    return staff.display_name if staff is not None else user.get_username()


def _only_admins(request: HttpRequest) -> None:
    # The URL rules already refuse others; this keeps the page closed if a rule is loosened.
    if not policy.is_admin(request.user):
        raise PermissionDenied


# --- The year ----------------------------------------------------------------------------


@dataclass
class Cell:
    day: date | None
    state: str = ""  # work | weekend | holiday | makeup
    name: str = ""
    title: str = ""
    today: bool = False


@dataclass
class Month:
    number: int
    name: Any
    weeks: list[list[Cell]]


def _state_labels() -> dict[str, str]:
    return {
        "work": _("Working day"),
        "weekend": _("Weekend"),
        "holiday": _("Holiday"),
        "makeup": _("Make-up working day"),
    }


def month_grid(
    year: int,
    cal: engine.Calendar,
    days: dict[date, CalendarDay],
    today: date,
    language: str | None,
    holiday_spans: list[spans.Span] | None = None,
) -> list[Month]:
    labels = _state_labels()
    months = []
    weeks_of = pycalendar.Calendar(firstweekday=0).monthdatescalendar
    for number in range(1, 13):
        weeks = []
        for week in weeks_of(year, number):
            row = []
            for day in week:
                if day.month != number:
                    row.append(Cell(None))
                    continue
                record = days.get(day)
                # A weekend inside an announced span is part of the holiday (display only).
                span = spans.span_of(day, holiday_spans or []) if record is None else None
                if (record is not None and record.kind == DayKind.HOLIDAY) or span is not None:
                    state = "holiday"
                elif record is not None and record.kind == DayKind.WORKDAY:
                    state = "makeup" if day.weekday() >= 5 else "work"
                else:
                    state = "work" if cal.is_working_day(day) else "weekend"
                if record is not None:
                    name = record.name_for(language)
                else:
                    name = span.name_for(language) if span is not None else ""
                title = " · ".join(part for part in (day.isoformat(), name, labels[state]) if part)
                row.append(Cell(day, state, name, title, day == today))
            weeks.append(row)
        months.append(Month(number, MONTHS[number], weeks))
    return months


def year_spans(records: list[CalendarDay]) -> list[spans.Span]:
    holidays = {
        r.date: (r.name_zh_hans, r.name_zh_hant, r.name_en) for r in records if r.kind == DayKind.HOLIDAY
    }
    workdays = {r.date for r in records if r.kind == DayKind.WORKDAY}
    return spans.holiday_spans(holidays, workdays)


@dataclass
class SpanRow:
    name: str
    first: date
    last: date
    dates: str
    length: str


def _span_rows(all_spans: list[spans.Span], year: int, language: str | None) -> list[SpanRow]:
    # "6月19日" / "Jun 19": month and day, as the notice writes them.
    month_day = pgettext("holiday span: a month and day (Django date format)", "M j")
    rows = []
    for span in all_spans:
        if span.last.year < year or span.first.year > year:
            continue
        first, last = dateformat.format(span.first, month_day), dateformat.format(span.last, month_day)
        dates = first if span.first == span.last else f"{first}–{last}"
        length = ngettext("%(days)d day", "%(days)d days", span.days) % {"days": span.days}
        rows.append(SpanRow(span.name_for(language), span.first, span.last, dates, length))
    return rows


def current_year(request: HttpRequest) -> HttpResponse:
    return redirect("workcal:year", year=clock.company_today().year)


def year_page(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    cal = selectors.load_calendar(REGION)
    records = selectors.days_in_year(REGION, year)
    # A span may begin in December of the year before (元旦) or run into the next year.
    window = selectors.days_between(REGION, date(year - 1, 12, 20), date(year + 1, 1, 10))
    holiday_spans = year_spans(window)
    status = selectors.year_status(REGION, year)
    language = get_language()
    labels = _state_labels()
    return render(
        request,
        "workcal/year.html",
        {
            "year": year,
            "status": status,
            "confirmed_by": _who(status.confirmed_by),
            "months": month_grid(
                year, cal, {r.date: r for r in records}, clock.company_today(), language, holiday_spans
            ),
            "spans": _span_rows(holiday_spans, year, language),
            "weekdays": WEEKDAY_HEADS,
            "exceptions": [
                {
                    "record": record,
                    "name": record.name_for(language),
                    "weekday": WEEKDAYS_ABBR[record.date.weekday()],
                    "label": labels["holiday"] if record.kind == DayKind.HOLIDAY else labels["makeup"],
                    "manual": record.source == Source.MANUAL,
                }
                for record in records
            ],
            "working_days": engine.working_days_between(date(year - 1, 12, 31), date(year, 12, 31), cal),
            "previous_year": year - 1 if year > services.MIN_YEAR else None,
            "next_year": year + 1 if year < services.MAX_YEAR else None,
            "can_edit": policy.is_admin(request.user),
        },
    )


# --- The notice of a year ----------------------------------------------------------------


def _with_more_rows(data: Any, prefix: str, more: int) -> Any:
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key, 0)) + more)
    except ValueError:
        data[key] = str(more)
    return data


def _notice_forms(request: HttpRequest, year: int) -> tuple[Any, Any, Any]:
    if request.method == "POST":
        data = request.POST
        if "more_ranges" in data:
            data = _with_more_rows(data, forms.RANGE_PREFIX, MORE_ROWS)
        if "more_workdays" in data:
            data = _with_more_rows(data, forms.WORKDAY_PREFIX, MORE_ROWS)
        return (
            forms.NoticeForm(data),
            forms.HolidayRangeFormSet(data, prefix=forms.RANGE_PREFIX),
            forms.MakeUpDayFormSet(data, prefix=forms.WORKDAY_PREFIX),
        )
    ranges, workdays = selectors.notice_of_year(REGION, year)
    status = selectors.year_status(REGION, year)
    range_rows = [vars(r) for r in ranges] + [{}] * (BLANK_RANGES if not ranges else MORE_ROWS)
    workday_rows = [vars(w) for w in workdays] + [{}] * (BLANK_WORKDAYS if not workdays else MORE_ROWS)
    return (
        forms.NoticeForm(initial={"reference": status.reference}),
        forms.HolidayRangeFormSet(initial=range_rows, prefix=forms.RANGE_PREFIX),
        forms.MakeUpDayFormSet(initial=workday_rows, prefix=forms.WORKDAY_PREFIX),
    )


def notice_page(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    _only_admins(request)
    notice, range_set, workday_set = _notice_forms(request, year)
    status = 200
    if request.method == "POST" and not ("more_ranges" in request.POST or "more_workdays" in request.POST):
        status = 422
        all_valid = notice.is_valid() & range_set.is_valid() & workday_set.is_valid()
        # Rows that are fine on their own are checked together even when another row has a
        # typing error, so every message shows at once.
        range_forms, workday_forms = forms.used_rows(range_set), forms.used_rows(workday_set)
        ranges = [f.value() for f in range_forms]
        workdays = [f.value() for f in workday_forms]
        problems = services.check_notice(year, ranges, workdays)
        forms.attach_problems(notice, range_forms, workday_forms, problems)
        if not ranges and not any(f.errors for f in range_set.forms):
            notice.add_error(None, _("Enter at least one holiday range."))
        elif all_valid and not problems:
            try:
                change = services.enter_year_notice(
                    actor=request.user,
                    region=REGION,
                    year=year,
                    holiday_ranges=ranges,
                    workdays=workdays,
                    reference=notice.cleaned_data["reference"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    notice.add_error(None, message)
            else:
                messages.success(request, _confirmed_message(year, change))
                return redirect("workcal:year", year=year)
    return render(
        request,
        "workcal/notice.html",
        {
            "year": year,
            "status": selectors.year_status(REGION, year),
            "notice": notice,
            "range_set": range_set,
            "workday_set": workday_set,
        },
        status=status,
    )


def _confirmed_message(year: int, change: services.CalendarChange) -> str:
    message = _("The calendar of %(year)s is confirmed.") % {"year": year}
    moved = sum((change.recomputed or {}).values())
    if moved:
        message += " " + _("Open deadlines recomputed: %(count)s.") % {"count": moved}
    return message


# --- One day -----------------------------------------------------------------------------


def day_page(request: HttpRequest, day: date) -> HttpResponse:
    _check_year(day.year)
    _only_admins(request)
    record = selectors.day_record(REGION, day)
    if request.method == "POST":
        form = forms.DayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.correct_day(
                    actor=request.user,
                    region=REGION,
                    day=day,
                    kind=data["kind"],
                    names=(data["name_zh_hans"], data["name_zh_hant"], data["name_en"]),
                    note=data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("%(date)s is corrected.") % {"date": day.isoformat()})
                return redirect("workcal:year", year=day.year)
        status = 422
    else:
        initial: dict[str, Any] = {"kind": services.NORMAL}
        if record is not None:
            initial = {
                "kind": record.kind,
                "name_zh_hans": record.name_zh_hans,
                "name_zh_hant": record.name_zh_hant,
                "name_en": record.name_en,
            }
        form = forms.DayForm(initial=initial)
        status = 200
    cal = selectors.load_calendar(REGION)
    language = get_language()
    return render(
        request,
        "workcal/day.html",
        {
            "day": day,
            "weekday": WEEKDAYS_ABBR[day.weekday()],
            "record": record,
            "name": record.name_for(language) if record else "",
            "working": cal.is_working_day(day),
            "confirmed": cal.is_confirmed(day),
            "form": form,
            "history": [
                {"record": h, "who": _who(h.history_user), "reason": _reason(h.history_change_reason)}
                for h in selectors.day_history(REGION, day)
            ],
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
        },
        status=status,
    )


# --- The administrators' home panel ------------------------------------------------------


def upkeep_panel_rows() -> panels.Rows:
    """From 15 November, a warning for each year whose notice is still to be entered (SPEC P-4)."""
    items = []
    for year in selectors.years_needing_notice(clock.company_today(), REGION):
        items.append(
            format_html(
                '<span class="text-warning-emphasis"><i class="bi bi-exclamation-triangle-fill" aria-hidden="true"></i> {}</span> '
                '<a href="{}">{}</a>',
                _("The holidays of %(year)s are not entered yet.") % {"year": year},
                reverse("workcal:notice", kwargs={"year": year}),
                _("Enter the notice"),
            )
        )
    return panels.Rows(items, len(items))


# The history keeps why a day changed in a fixed form (services._stamp, seeding.seed): shown
# in the reader's language.
_REASONS = (
    (
        re.compile(r"Seeded from the holidays package (\S*)"),
        gettext_lazy("loaded from the holidays package %(x)s"),
    ),
    (re.compile(r"notice (\d{4})"), gettext_lazy("State Council notice for %(x)s")),
    (re.compile(r"correction (\d{4}-\d{2}-\d{2})"), gettext_lazy("correction of %(x)s")),
)


def _reason(stored: str | None) -> str:
    for pattern, text in _REASONS:
        if found := pattern.fullmatch(stored or ""):
            return str(text) % {"x": found.group(1)}
    return stored or ""
