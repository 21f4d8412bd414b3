"""Housekeeping jobs of the whole product: thin, they call ``services``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, on_startup

from estatedesk.core import services


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
