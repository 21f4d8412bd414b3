"""Housekeeping jobs of the whole product: thin, they call ``services``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, close_db, db_periodic_task, on_startup
from huey.exceptions import TaskLockedException

from estatedesk.core import backup, services


@on_startup()
@close_db
def heartbeat_at_start() -> None:
    """Each worker thread says it is alive as soon as it starts, before the first minute's beat."""
    services.record_heartbeat(starting=True)


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Every minute: the scheduler enqueued it and a consumer ran it, so the worker is alive."""
    services.record_heartbeat()


@db_periodic_task(crontab(minute="41"))
def refresh_query_statistics() -> bool:
    return services.refresh_query_statistics()


@db_periodic_task(crontab(minute="*/10"))
def scheduled_backup() -> str:
    """When BACKUP_EVERY is set: a copy at BACKUP_HOUR company time, the oldest beyond BACKUP_KEEP removed.

    Every ten minutes it only asks whether a copy is due (a folder listing); the lock keeps a
    slow backup from overlapping the next check.
    """
    try:
        with HUEY.lock_task("scheduled-backup"):
            result = backup.run_schedule()
    except TaskLockedException:  # the previous check is still writing its copy
        return ""
    return str(result.path) if result else ""
