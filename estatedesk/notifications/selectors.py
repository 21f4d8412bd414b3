"""Reads of a user's own in-app messages. Nobody sees anyone else's: there is no wider scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from estatedesk.notifications.models import Channel, Message


def inbox_of(user: Any) -> QuerySet[Message]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(user=user, channel=Channel.IN_APP).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """Cached on the user object, so a page asking twice (nav and body) queries once."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, "_estatedesk_unread", None)
    if cached is None:
        cached = inbox_of(user).filter(read_at__isnull=True).count()
        user._estatedesk_unread = cached
    return int(cached)
