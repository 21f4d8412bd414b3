"""Thin tasks of the rectification app: the deadline sweeps (``sweeps``). Safe on several
workers: each item is claimed with a conditional update before anyone is told."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.rectification import sweeps


@db_periodic_task(crontab(minute="*/5"))
def sweep_rectification_deadlines() -> dict[str, int]:
    return sweeps.sweep_deadlines(timezone.now())
