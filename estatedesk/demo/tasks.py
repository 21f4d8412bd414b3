"""The demo's year as a background job (docs/decisions/0006-demo-history.md).

``seed_demo`` queues it after loading the organisation, so the first ``estatedesk demo``
serves pages at once while the worker replays the year (about a minute on a laptop): the
complaints first, then the monthly reports and the corrective actions written on them. The job
is safe to run twice or after an interrupted run: each part resumes or does nothing. The worker
finds it as every app's ``tasks`` module (huey's djhuey autodiscovery). It keeps the progress
record (``progress``) the home page reads while the year is loading.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from estatedesk.demo.loading import load_everything


@db_task()
def load_demo_history(count: int) -> None:
    load_everything(count=count)
