"""Background jobs of records: thin, they call ``disposal``."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from estatedesk.core.errors import AlreadyHandled
from estatedesk.records import disposal
from estatedesk.records.models import RunTrigger

log = logging.getLogger(__name__)


@db_task()
def dispose_task(user_id: int | None, dry_run: bool) -> int | None:
    """The administrator's button: a run (or dry run) in the background; the run's id."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    try:
        run = disposal.dispose_past_retention(actor=user, trigger=RunTrigger.BUTTON, dry_run=dry_run)
    except AlreadyHandled:
        log.info("A disposal run is already under way; the button's run was not started.")
        return None
    return run.pk


@db_periodic_task(crontab(minute="20"))
def dispose_monthly() -> int | None:
    """Hourly check, monthly run: the 1st of each month from 03:00 company time.

    Huey's crontab runs on the worker's clock (UTC by default); ``monthly_run_due`` works in
    company time, so whatever the worker's zone the run starts in the first hour after 03:00
    on the 1st, and a worker that was off then runs it when it is back. The first look is
    without the lock (most hours it is all the job does); the run looks again under the lock,
    so two workers given the job at once run it once (docs/decisions/0055-several-servers.md).
    """
    if not disposal.monthly_run_due():
        return None
    try:
        return disposal.dispose_past_retention(actor=None, trigger=RunTrigger.SCHEDULE, only_if_due=True).pk
    except AlreadyHandled:
        return None
