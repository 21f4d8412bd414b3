"""Reads of a user's own in-app messages. Nobody sees anyone else's: there is no wider scope."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet

from estatedesk.core.actors import Actor
from estatedesk.core.prepared import Prepared
from estatedesk.notifications.models import Channel, Message


def inbox_of(user: Actor | None) -> QuerySet[Message]:
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated:
        return Message.objects.none()  # the system, a portal resident or an anonymous visitor
    return Message.objects.filter(user_id=user.pk, channel=Channel.IN_APP).order_by("-created_at", "-id")


# Cached on the user object, which lives as long as the request.
_UNREAD_CACHE = "_estatedesk_unread"


# The count in the menu of every staff page, compiled once per process (``core.prepared``,
# decision 0067): grouped by the one user, so no unread message is no row.
_UNREAD = Prepared(
    lambda *, user_id: (
        Message.objects.filter(user_id=user_id, channel=Channel.IN_APP, read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("*"))
        .values_list("n", flat=True)
    ),
    user_id=-424_242,
)


def unread_count(user: Actor | None) -> int:
    """Cached on the user object, so a page asking twice (nav and body) queries once."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, _UNREAD_CACHE, None)
    if cached is None:
        cached = 0  # the system and a portal resident have no inbox
        if isinstance(user, AbstractBaseUser):
            cached = next(iter(_UNREAD.rows(user_id=user.pk)), 0)
        setattr(user, _UNREAD_CACHE, cached)
    return int(cached)
