"""Background jobs of surveys: thin, they call ``reminders``. Safe on several workers (claims)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.surveys import reminders


@db_periodic_task(crontab(minute="5"))
def remind_households() -> int:
    """Hourly; acts in the company's daytime only (``reminders.FIRST_HOUR`` on)."""
    return reminders.remind_open_surveys(timezone.now())
