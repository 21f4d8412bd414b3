"""Sending outbox rows through the configured providers (placeholder until providers land)."""

from __future__ import annotations

from django.utils import timezone

from estatedesk.notifications.models import Message, MessageStatus


def deliver(message_id: int) -> bool:
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.PENDING).update(
        status=MessageStatus.SENDING, attempts=1
    )
    if not claimed:
        return False
    Message.objects.filter(pk=message_id).update(status=MessageStatus.SENT, sent_at=timezone.now())
    return True
