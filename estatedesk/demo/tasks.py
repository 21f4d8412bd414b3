"""The demo's year as a background job (docs/decisions/0006-demo-history.md).

``seed_demo`` queues it after loading the organisation, so the first ``estatedesk demo``
serves pages at once while the worker replays the year (about a minute on a laptop): the
complaints first, then the monthly reports and the corrective actions written on them. The job
is safe to run twice or after an interrupted run: each part resumes or does nothing. The worker
finds it as every app's ``tasks`` module (huey's djhuey autodiscovery).
"""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from estatedesk.complaints.demo import history
from estatedesk.reports.demo import load_report_history


@db_task()
def load_demo_history(count: int) -> None:
    history.load_history(count=count)
    load_report_history(timezone.now())
