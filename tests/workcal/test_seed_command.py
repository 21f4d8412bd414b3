"""After `flush` (or on a database restored without the seed) the calendar can be re-seeded."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from estatedesk.workcal import selectors
from estatedesk.workcal.models import CalendarDay, CalendarYear


@pytest.mark.req("P-4")
def test_seed_calendar_restores_the_official_days_and_is_idempotent(db):
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    out = StringIO()
    call_command("seed_calendar", stdout=out)
    assert "added" in out.getvalue()
    calendar = selectors.load_calendar("CN")
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 10))  # make-up Saturday
    days = CalendarDay.objects.count()
    call_command("seed_calendar", stdout=StringIO())
    assert CalendarDay.objects.count() == days
