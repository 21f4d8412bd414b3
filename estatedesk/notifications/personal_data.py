"""What the outbox holds about one person, and its erasure (SPEC D-3), in plain Python.

``org`` wraps these into the ``notifications`` personal-data source (``org.personal_data``):
``records`` and ``notifications`` share a layer and do not import each other, and only ``org``
knows a customer's e-mail addresses.

Addresses are encrypted and carry no blind index, so the messages sent to a person are found
by decrypting the addresses of the SMS and e-mail messages, a chunk at a time — a request is
rare, and the outbox is pruned by its retention (decision 0049). Messages to staff accounts
that name the person in their subject or text are found by that text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from estatedesk.core import crypto
from estatedesk.notifications.models import Channel, Message

CHUNK = 2000


@dataclass(frozen=True)
class Sent:
    """A message sent to the person, as their copy lists it."""

    channel: str  # the channel's label
    at: datetime
    status: str  # the status's label
    subject: str
    body: str


def _matches(address: str, phones: frozenset[str], emails: frozenset[str]) -> bool:
    if not address:
        return False
    if "@" in address:
        return address.strip().lower() in emails
    return crypto.normalise_phone(address) in phones


def sent_to(phones: Iterable[str], emails: Iterable[str]) -> list[int]:
    """Ids of the messages addressed to any of these phone numbers or e-mail addresses."""
    wanted_phones = frozenset(crypto.normalise_phone(phone) for phone in phones if phone)
    wanted_emails = frozenset(email.strip().lower() for email in emails if email)
    if not wanted_phones and not wanted_emails:
        return []
    found: list[int] = []
    addressed = (
        Message.objects.filter(channel__in=[Channel.SMS, Channel.EMAIL, Channel.WECHAT])
        .exclude(address="")
        .values_list("pk", "address")
        .order_by("pk")
    )
    for pk, address in addressed.iterator(chunk_size=CHUNK):
        if _matches(address, wanted_phones, wanted_emails):
            found.append(pk)
    return found


def collect(phones: Iterable[str], emails: Iterable[str]) -> list[Sent]:
    ids = sent_to(phones, emails)
    messages = Message.objects.filter(pk__in=ids).order_by("created_at", "pk")
    return [
        Sent(
            channel=str(message.get_channel_display()),
            at=message.sent_at or message.created_at,
            status=str(message.get_status_display()),
            subject=message.subject,
            body=message.body,
        )
        for message in messages
    ]


def _mentioning(texts: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for text in texts:
        condition |= Q(subject__contains=text) | Q(body__contains=text) | Q(last_error__contains=text)
    return condition


def erase(*, phones: Iterable[str], emails: Iterable[str], names: Iterable[str], marker: str) -> int:
    """Blank the address, text and error of the messages sent to the person, and put ``marker``
    for their name or number wherever another message's subject or text mentions it.

    Returns how many messages changed. The caller holds the transaction.
    """
    phones, emails = list(phones), list(emails)
    # "张三丰" before "张三"; a one-character name would change every text that holds the character.
    names = sorted({name for name in names if len(name) > 1}, key=len, reverse=True)
    numbers = sorted({crypto.normalise_phone(phone) for phone in phones if phone})
    ids = sent_to(phones, emails)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        changed += Message.objects.filter(pk__in=chunk).update(
            address="", body="", subject=marker, last_error=""
        )
    mentions = Message.objects.filter(_mentioning([*names, *numbers])).exclude(pk__in=ids)
    for message in mentions.iterator(chunk_size=CHUNK):
        for field in ("subject", "body", "last_error"):
            text = getattr(message, field)
            for each in (*names, *numbers):
                text = text.replace(each, marker)
            setattr(message, field, text)
        message.save(update_fields=["subject", "body", "last_error"])
        changed += 1
    return changed
