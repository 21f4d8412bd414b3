"""Writing to the outbox. Callers run inside their own transaction; delivery starts after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from estatedesk.notifications import tasks
from estatedesk.notifications.models import Channel, Message, MessageStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def notify(
    *,
    key: str,
    channel: str,
    subject: str,
    body: str,
    user: User | None = None,
    address: str = "",
    link: str = "",
) -> Message | None:
    """Queue one message; the same ``key`` twice stores it once. Returns None when it existed."""
    if channel != Channel.IN_APP and not address:
        return None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                key=key[:200],
                channel=channel,
                user=user,
                address=address,
                subject=subject[:200],
                body=body,
                link=link,
                status=MessageStatus.SENT if channel == Channel.IN_APP else MessageStatus.PENDING,
                sent_at=timezone.now() if channel == Channel.IN_APP else None,
                next_attempt_at=None if channel == Channel.IN_APP else timezone.now(),
            )
    except IntegrityError:
        return None
    if channel != Channel.IN_APP:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def withdraw(*, key_prefix: str) -> int:
    """Withdraw the messages not yet handed to a provider whose key starts with ``key_prefix``:
    a newer message about the same matter says what is true now, and an older one arriving
    after it would contradict it. One conditional update: a row a worker is sending, or has
    sent, is left alone. Returns how many were withdrawn."""
    if not key_prefix:
        return 0
    return (
        Message.objects.filter(key__startswith=key_prefix, status__in=WITHDRAWABLE)
        .exclude(channel=Channel.IN_APP)
        .update(status=MessageStatus.WITHDRAWN, next_attempt_at=None)
    )


WITHDRAWABLE = (MessageStatus.PENDING, MessageStatus.FAILED)


def _enqueue(message_id: int) -> None:
    tasks.deliver(message_id)


def tell(users: Iterable[User], *, key: str, subject: str, body: str, link: str) -> None:
    """In-app messages to staff (they see them on their home page), one per user and key."""
    for user in users:
        notify(
            key=f"{key}:u{user.pk}", channel=Channel.IN_APP, user=user, subject=subject, body=body, link=link
        )
