"""Sending outbox rows through the configured providers (SPEC A-4).

A worker first *claims* a row with one conditional UPDATE: only a row that is waiting
(pending, or failed and due for a retry) or whose sender's lease ran out moves to
"sending", so when two workers race for one row exactly one of them sends it. While a row
is "sending", ``next_attempt_at`` is the end of the sender's lease: a worker that dies
mid-send leaves a row the periodic retry picks up once the lease has run out. (The one
case that can send twice is a worker dying after the provider accepted the message and
before the row was marked sent; losing a message would be worse.)

A failure is recorded on the row (its text cleaned by ``core.redact``: an adapter's error may
quote a phone number or an address with its key) and retried after a growing pause; after the
last attempt the row stays "failed" with no next attempt, and the failure is logged.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from estatedesk.core.redact import redact
from estatedesk.notifications import providers
from estatedesk.notifications.models import Channel, Message, MessageStatus

logger = logging.getLogger("estatedesk.notifications")

# The pause after the 1st, 2nd, … failed attempt; after the last one the message is given up.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a sender may hold a row before another worker may take it over.
LEASE = timedelta(minutes=10)
RETRY_BATCH = 50
RETRY_BUDGET_SECONDS = 45.0  # a periodic run stops before the next one starts
ERROR_LENGTH = 1000

CLAIMABLE = (MessageStatus.PENDING, MessageStatus.FAILED, MessageStatus.SENDING)


def backoff_after(attempts: int) -> timedelta | None:
    """The pause after ``attempts`` failed attempts, or None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return BACKOFF[max(attempts, 1) - 1]


def _claim(message_id: int, now: datetime) -> int | None:
    """Take the row for sending; returns the attempt number, or None when it is not ours to send."""
    claimed = (
        Message.objects.filter(pk=message_id, status__in=CLAIMABLE, next_attempt_at__lte=now)
        .exclude(channel=Channel.IN_APP)
        .update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )
    if not claimed:
        return None
    return Message.objects.filter(pk=message_id).values_list("attempts", flat=True).get()


def _finish(message_id: int, attempt: int, **fields: object) -> None:
    # Conditional on our own claim: a worker whose lease was taken over writes nothing.
    Message.objects.filter(pk=message_id, status=MessageStatus.SENDING, attempts=attempt).update(**fields)


def deliver(message_id: int, *, now: datetime | None = None) -> bool:
    """Send one outbox row if it is due and nobody else is sending it. True when it was sent."""
    now = now or timezone.now()
    attempt = _claim(message_id, now)
    if attempt is None:
        return False
    message = Message.objects.get(pk=message_id)
    if attempt > MAX_ATTEMPTS:
        # The row was taken over from a dead worker after its last allowed attempt.
        _finish(message_id, attempt, status=MessageStatus.FAILED, next_attempt_at=None)
        logger.error("message %s given up after %s attempts: %s", message_id, attempt - 1, message.last_error)
        return False
    try:
        providers.for_channel(message.channel).send(message)
    except Exception as exc:  # any provider failure is retried; the worker must carry on
        # Kept on the row and logged: phone numbers, private links and query values masked.
        error = redact(f"{type(exc).__name__}: {exc}")[:ERROR_LENGTH]
        pause = backoff_after(attempt)
        _finish(
            message_id,
            attempt,
            status=MessageStatus.FAILED,
            last_error=error,
            next_attempt_at=now + pause if pause else None,
        )
        if pause is None:
            logger.error(
                "message %s (%s) given up after %s attempts: %s", message_id, message.channel, attempt, error
            )
        else:
            logger.warning(
                "message %s (%s) attempt %s failed, retrying in %s: %s",
                message_id,
                message.channel,
                attempt,
                pause,
                error,
            )
        return False
    _finish(message_id, attempt, status=MessageStatus.SENT, sent_at=timezone.now(), next_attempt_at=None)
    return True


def due_ids(now: datetime, limit: int = RETRY_BATCH) -> list[int]:
    """Rows waiting for a (re)try or abandoned by a dead worker, oldest first (the status index)."""
    return list(
        Message.objects.filter(status__in=CLAIMABLE, next_attempt_at__lte=now)
        .exclude(channel=Channel.IN_APP)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def retry_due(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> int:
    """One periodic pass: try what is due, within a time budget. Returns how many were sent."""
    now = now or timezone.now()
    started = time.monotonic()
    sent = 0
    for message_id in due_ids(now, limit):
        if time.monotonic() - started > RETRY_BUDGET_SECONDS:
            break
        sent += deliver(message_id, now=now)
    return sent
