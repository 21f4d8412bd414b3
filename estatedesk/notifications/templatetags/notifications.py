"""``{% load notifications %}{% unread_count request.user %}`` for the navigation bar."""

from __future__ import annotations

from typing import Any

from django import template

from estatedesk.core.actors import Actor
from estatedesk.notifications import selectors

register = template.Library()


@register.simple_tag
def unread_count(user: Actor | None) -> int:
    """The number of unread in-app messages; ``{% unread_count request.user as n %}`` works too."""
    return selectors.unread_count(user)


@register.inclusion_tag("notifications/_nav_item.html")
def inbox_nav_item(user: Actor | None) -> dict[str, Any]:
    """A ready-made nav item: an envelope linking to the inbox, with a badge when something is unread."""
    return {"count": selectors.unread_count(user)}
