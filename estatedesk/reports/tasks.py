"""Background jobs of reports: thin, they call ``services``. Safe on several workers (period keys)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.reports import services, services_periods


@db_periodic_task(crontab(minute="30", hour="0"))
def draft_monthly_reports() -> int:
    """Daily at 00:30 on the worker's clock: a month's end is caught the next night.

    ``catch_up`` works in company time, so whatever the worker's zone (Huey's crontab is UTC
    by default) it drafts exactly the months that have ended, and the nights a laptop was off
    are made up once. The drafts of the last month are refreshed until the head submits.
    """
    return len(services.catch_up(timezone.now()))


@db_periodic_task(crontab(minute="40", hour="0"))
def draft_period_reports() -> int:
    """Nightly: each ended quarter and year gets its draft once (catch-up as for months)."""
    return len(services_periods.catch_up_periods(timezone.now()))
