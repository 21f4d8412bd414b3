"""The outbox's line on ``/health/``: how many messages wait, and since when.

A message waits while it is pending, being sent, or failed with a retry still to come; one
given up after its last attempt no longer waits (it is logged, and shows as failed). The
oldest waiting message is told by its creation time, so a provider that has been refusing
messages for a quarter of an hour fails the check even while the retries are still on
schedule. Only counts and ages are reported: the page is public.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min

from estatedesk.core.health import FAIL, OK, Check, age_seconds, stamp
from estatedesk.notifications.delivery import CLAIMABLE
from estatedesk.notifications.models import Channel, Message


def waiting_messages() -> tuple[int, datetime | None]:
    """How many messages wait for delivery and when the oldest was written (the status index)."""
    figures = (
        Message.objects.filter(status__in=CLAIMABLE, next_attempt_at__isnull=False)
        .exclude(channel=Channel.IN_APP)
        .aggregate(count=Count("pk"), oldest=Min("created_at"))
    )
    return int(figures["count"]), figures["oldest"]


def check_outbox(now: datetime) -> Check:
    limit = int(settings.HEALTH_OUTBOX_MAX_AGE)
    count, oldest = waiting_messages()
    age = age_seconds(oldest, now)
    figures = {
        "undelivered": count,
        "oldest_created_at": stamp(oldest),
        "oldest_age_seconds": age,
        "max_age_seconds": limit,
    }
    return Check(FAIL if age is not None and age > limit else OK, figures)
