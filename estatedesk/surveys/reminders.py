"""Reminding the households that have not answered (SPEC S-8), for the worker (``tasks``).

Every open survey is asked to remind (``services.remind``) in the company's daytime only,
from ``FIRST_HOUR`` to ``LAST_HOUR`` on the company's clock: nobody gets a survey SMS at
night. The worker runs this every hour of that window, so a worker that was down at ten
catches up later the same day; what makes it once, not hourly, is the service: a household
is reminded only when the survey's gap (``reminder_gap_days``) has passed since it was last
told, at most ``max_reminders`` times, never after answering, and each reminder is claimed by
a conditional update, so two workers (or a supervisor's click during the run) never send two.
"""

from __future__ import annotations

import logging
from datetime import datetime

from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.surveys import services
from estatedesk.surveys.models import Survey, SurveyStatus

log = logging.getLogger(__name__)

FIRST_HOUR = 10  # 10:00 company time
LAST_HOUR = 20  # nothing from 20:00 on

__all__ = ["FIRST_HOUR", "LAST_HOUR", "remind_open_surveys"]


def remind_open_surveys(at: datetime) -> int:
    """Remind the due households of every open survey; how many were reminded."""
    local = at.astimezone(company_zone())
    if not FIRST_HOUR <= local.hour < LAST_HOUR:
        return 0
    total = 0
    for survey_id in Survey.objects.filter(status=SurveyStatus.OPEN).values_list("pk", flat=True):
        try:
            total += services.remind(actor=SYSTEM, survey=survey_id)
        except ServiceError:  # closed between the query and the lock: nothing to remind
            log.info("survey %s no longer open: no reminders", survey_id)
    return total
