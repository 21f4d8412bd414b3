"""Thin tasks: the worker publishes the scheduled notices whose time has come (SPEC C-2)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.communication.services import notice_files, notices


@db_periodic_task(crontab(minute="*"))
def publish_due_notices() -> int:
    return notices.publish_due()


@db_periodic_task(crontab(minute="23"))
def remove_orphan_notice_files() -> int:
    """Notice files no attachment or evidence row points to (a process killed mid-upload); hourly."""
    return notice_files.remove_orphans()
