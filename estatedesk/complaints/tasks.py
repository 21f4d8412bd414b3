"""Background jobs of complaints: thin, they call ``sweeps``. Safe on several workers (claims)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.complaints import sweeps, uploads


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> dict[str, int]:
    return sweeps.sweep_deadlines(timezone.now())


@db_periodic_task(crontab(minute="17"))
def remove_orphan_uploads() -> int:
    """Files no attachment row points to (a process killed mid-upload); hourly."""
    return uploads.remove_orphans()
