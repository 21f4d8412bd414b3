"""Background work of the organisation app. Tasks are thin: they take ids and call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from estatedesk.org import import_service


@db_task()
def run_import(job_id: int) -> bool:
    """Import one uploaded roster. Safe to run twice: only the run that claims the job works."""
    return import_service.run_job(job_id)


@db_periodic_task(crontab(minute="*/10"))
def sweep_stale_imports() -> int:
    """Imports whose worker died are marked failed (and their upload deleted)."""
    return import_service.sweep_stale_jobs()
