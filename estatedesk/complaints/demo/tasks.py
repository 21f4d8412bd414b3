"""The demo's year of complaints as a background job (docs/decisions/0006-demo-history.md).

``seed_demo`` queues it after loading the organisation, so the first ``estatedesk demo``
serves pages at once while the worker replays the year (about a minute on a laptop). The
job is safe to run twice or after an interrupted run: ``load_history`` resumes or does nothing.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def load_demo_history(count: int) -> None:
    from django.utils import timezone

    from estatedesk.complaints.demo import history
    from estatedesk.reports.demo import load_report_history

    history.load_history(count=count)
    load_report_history(timezone.now())
