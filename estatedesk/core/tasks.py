"""Housekeeping jobs of the whole product: thin, they call ``services``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estatedesk.core import services


@db_periodic_task(crontab(minute="41"))
def refresh_query_statistics() -> bool:
    return services.refresh_query_statistics()
