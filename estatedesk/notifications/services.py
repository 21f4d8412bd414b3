"""Writing to the outbox. Callers run inside their own transaction; delivery starts after commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from estatedesk.core import bulk, crypto
from estatedesk.core.clock import now
from estatedesk.core.inserts import insert_many
from estatedesk.core.redact import redact
from estatedesk.notifications import tasks, wecom
from estatedesk.notifications.models import Channel, Message, MessageStatus
from estatedesk.notifications.providers import provider_path

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
    when = now()  # the replayed time under ``clock_at`` (the demo's history), else the present
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
                created_at=when,
                sent_at=when if channel == Channel.IN_APP else None,
                next_attempt_at=None if channel == Channel.IN_APP else when,
            )
    except IntegrityError:
        return None
    if channel != Channel.IN_APP:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


@dataclass(frozen=True)
class Outgoing:
    """One message of a mass mailing (``notify_many``). ``sealed`` says ``address`` is already
    ciphertext of the same key (copied from a customer's encrypted phone: never decrypted)."""

    key: str
    channel: str
    address: str
    subject: str
    body: str
    link: str = ""
    sealed: bool = False


DELIVERY_CHUNK = 200
_COLUMNS = (
    "key", "channel", "address", "subject", "body", "link", "status", "attempts",
    "next_attempt_at", "last_error", "created_at",
)  # fmt: skip


def notify_many(messages: Iterable[Outgoing]) -> int:
    """Queue many messages to outside addresses at once (a notice to 50,000 households), in
    multi-row inserts (``core.bulk``); a key already stored is skipped (asking twice stores
    once), and after commit the new rows are handed to the workers in chunks. Returns how many
    were new."""
    when = bulk.db_datetime(now())
    rows = (
        (
            item.key[:200],
            item.channel,
            item.address if item.sealed else crypto.encrypt(item.address),
            item.subject[:200],
            item.body,
            item.link,
            MessageStatus.PENDING.value,
            0,
            when,
            "",
            when,
        )
        for item in messages
        if item.channel != Channel.IN_APP and item.address
    )
    new_ids = bulk.insert_rows(Message, _COLUMNS, rows, skip_conflicts=True, returning_ids=True)
    for start in range(0, len(new_ids), DELIVERY_CHUNK):
        transaction.on_commit(partial(tasks.deliver_many, new_ids[start : start + DELIVERY_CHUNK]))
    return len(new_ids)


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
    """In-app messages to staff (they see them on their home page), one per user and key; and,
    when the office has a WeCom group robot named ``staff``, one copy to that group per key."""
    when = now()  # as ``notify``: the replayed time under ``clock_at``, else the present
    # One multi-row insert; a key already stored is skipped, as ``notify`` skips it.
    insert_many(
        [
            Message(
                key=f"{key}:u{user.pk}"[:200],
                channel=Channel.IN_APP,
                user=user,
                subject=subject[:200],
                body=body,
                link=link,
                status=MessageStatus.SENT,
                created_at=when,
                sent_at=when,
                next_attempt_at=None,
            )
            for user in users
        ]
    )  # compiled once per row count (core.inserts): as ``bulk_create(ignore_conflicts=True)``
    tell_staff_group(key=key, subject=subject, body=body, link=link)


STAFF_GROUP_SUFFIX = ":staff"


def staff_group_configured() -> bool:
    """WeChat goes through the WeCom robots and one of them is named ``staff``."""
    return provider_path(Channel.WECHAT) == "wecom" and wecom.STAFF_ROBOT in wecom.configured_robots().keys


def tell_staff_group(*, key: str, subject: str, body: str, link: str) -> Message | None:
    """One WeChat message to the office's WeCom group (the robot ``staff``) for ``key``, when
    there is such a group; None otherwise, or when it was already queued. The group is many
    people and the text leaves for WeCom's servers, so phone numbers and private links are
    masked (``core.redact``): whoever needs them opens the link in EstateDesk."""
    if not staff_group_configured():
        return None
    return notify(
        key=f"{key}{STAFF_GROUP_SUFFIX}",
        channel=Channel.WECHAT,
        address=wecom.STAFF_ROBOT,
        subject=redact(subject),
        body=redact(body),
        link=link,
    )


def settle_replayed(messages: QuerySet[Message], *, read: bool, read_before: datetime) -> None:
    """Messages written while a past is replayed (the demo's year), as that past left them: texts
    and e-mails went out when they were written, and in-app messages written before
    ``read_before`` — or all of them, with ``read`` — were read then. Only messages written
    under ``clock_at`` may be passed here: none is ever sent. A text a later one of the same
    replay withdrew (``withdraw``) went out too: in the past it was written days before the
    later one, and a worker sends within seconds."""
    messages.filter(status__in=(MessageStatus.PENDING, MessageStatus.WITHDRAWN)).exclude(
        channel=Channel.IN_APP
    ).update(status=MessageStatus.SENT, sent_at=F("created_at"), next_attempt_at=None)
    unread = messages.filter(channel=Channel.IN_APP, read_at__isnull=True)
    if not read:
        unread = unread.filter(created_at__lt=read_before)
    unread.update(read_at=F("created_at"))
