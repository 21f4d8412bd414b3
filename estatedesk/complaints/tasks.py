"""Background jobs of complaints: thin, they call ``sweeps``. Safe on several workers (claims)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from estatedesk.complaints import sweeps, tally, uploads
from estatedesk.core.clock import zone_named


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> dict[str, int]:
    return sweeps.sweep_deadlines(timezone.now())


@db_periodic_task(crontab(minute="17"))
def remove_orphan_uploads() -> int:
    """Files no attachment row points to (a process killed mid-upload); hourly."""
    return uploads.remove_orphans()


@db_task(retries=2, retry_delay=30)
def redate_complaints(zone: str) -> int:
    """The company's time zone changed: each complaint's local date, and so its counts, follow."""
    return tally.redate(zone_named(zone))
