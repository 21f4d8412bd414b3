"""Reads of a user's own in-app messages. Nobody sees anyone else's: there is no wider scope."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from estatedesk.core.actors import Actor
from estatedesk.notifications.models import Channel, Message


def inbox_of(user: Actor | None) -> QuerySet[Message]:
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated:
        return Message.objects.none()  # the system, a portal resident or an anonymous visitor
    return Message.objects.filter(user_id=user.pk, channel=Channel.IN_APP).order_by("-created_at", "-id")


# Cached on the user object, which lives as long as the request.
_UNREAD_CACHE = "_estatedesk_unread"


def unread_count(user: Actor | None) -> int:
    """Cached on the user object, so a page asking twice (nav and body) queries once."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, _UNREAD_CACHE, None)
    if cached is None:
        cached = inbox_of(user).filter(read_at__isnull=True).count()
        setattr(user, _UNREAD_CACHE, cached)
    return int(cached)
