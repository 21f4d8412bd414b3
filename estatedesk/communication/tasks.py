"""Thin tasks: the worker publishes the scheduled notices whose time has come (SPEC C-2)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.communication.services import notices


@db_periodic_task(crontab(minute="*"))
def publish_due_notices() -> int:
    return notices.publish_due()
