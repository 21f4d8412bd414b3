"""The outbox as a record type's parts (SPEC D-1, D-2): which messages are past retention, what
of them goes into the archive, and their disposal.

``records`` sits beside ``notifications`` on the same layer, so neither imports the other:
``org``, above both, wraps these functions into the ``outbox`` record type and registers it
(``org.retention``, decision 0049). Everything here speaks plain Python.

A message is finished when it was sent (in-app messages are sent when written), withdrawn
before it went out, or failed for good (no further attempt planned); its period runs from when
it was sent, or, never sent, from when it was queued. The archive keeps what shows that a
message went, to whom and when — channel, recipient account, the address masked, subject,
status, attempts, times, the error redacted — but not the body or the full address: the
archive outlives the message, and a body may hold a resident's name or a private link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from estatedesk.core import crypto
from estatedesk.core.redact import redact
from estatedesk.notifications.models import Message, MessageStatus

FINISHED = (
    Q(status=MessageStatus.SENT)
    | Q(status=MessageStatus.WITHDRAWN)
    | Q(status=MessageStatus.FAILED, next_attempt_at__isnull=True)
)

CSV_HEADER = [
    "id",
    "key",
    "channel",
    "recipient_user_id",
    "address",
    "subject",
    "status",
    "attempts",
    "created_at",
    "sent_at",
    "read_at",
    "last_error",
]


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _masked(address: str) -> str:
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return crypto.mask_phone(address)


def finished() -> QuerySet[Message]:
    return Message.objects.filter(FINISHED)


def past_retention(cutoff: datetime) -> QuerySet[Message]:
    return (
        finished()
        .alias(finished_at=Coalesce("sent_at", "created_at"))
        .filter(finished_at__lt=cutoff)
        .order_by("pk")
    )


def archive(ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The messages as JSON records and CSV rows (``CSV_HEADER``)."""
    records: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for message in Message.objects.filter(pk__in=ids).order_by("pk"):
        record = {
            "id": message.pk,
            "key": message.key,
            "channel": message.channel,
            "recipient_user_id": message.user_id,
            "address": _masked(message.address),
            "subject": message.subject,
            "status": message.status,
            "attempts": message.attempts,
            "created_at": _when(message.created_at),
            "sent_at": _when(message.sent_at),
            "read_at": _when(message.read_at),
            "last_error": redact(message.last_error),
        }
        records.append(record)
        rows.append([record[column] for column in CSV_HEADER])
    return records, rows


@transaction.atomic
def dispose(ids: Sequence[int]) -> int:
    """Delete the messages still finished among ``ids`` (the outbox has no history table)."""
    return Message.objects.filter(pk__in=ids).filter(FINISHED).delete()[1].get(Message._meta.label, 0)


def labels(ids: Sequence[int]) -> dict[int, str]:
    return {
        pk: f"#{pk} {subject}"[:120]
        for pk, subject in Message.objects.filter(pk__in=ids).values_list("pk", "subject")
    }


def find(text: str) -> int | None:
    """A message by its number (#123) or its key."""
    text = text.strip()
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 12:
        return Message.objects.filter(pk=int(number)).values_list("pk", flat=True).first()
    return Message.objects.filter(key=text).values_list("pk", flat=True).first() if text else None
