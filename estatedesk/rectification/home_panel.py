"""The rectification panels of the home page (SPEC A-1, R-4).

``rectification_overdue``: the items being fixed past their completion date in the user's
scope (``selectors.items_for``: the property company's estates, the developer's escalated
items, the team's own), the most overdue first, each linking to the item; the heading counts
all of them and "see all" opens the item list filtered to overdue (``?overdue=1``). The three
parties see it: the property customer service, the developer's customer service and the team.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy, ngettext

from estatedesk.core import panels
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import company_today
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item
from estatedesk.rectification.workflow import FIXING_STATUSES

SHOWN = 5


def overdue_items(user: RequestUser) -> Any:
    """The user's overdue items, the most overdue first (the oldest completion date)."""
    return (
        selectors.items_for(user)
        .filter(status__in=FIXING_STATUSES, due_date__lt=company_today())
        .order_by("due_date", "pk")
    )


def _row(item: Item, today: Any) -> SafeString:
    days = (today - item.due_date).days
    who = item.team.name if item.team else item.department.name if item.department else ""
    return format_html(
        '<a class="fw-semibold" href="{}">{}</a> {} <span class="text-muted">{}</span> '
        '<span class="text-danger">{}</span>',
        reverse("rectification:item_detail", args=[item.pk]),
        item.number,
        f"{item.location} · {item.description[:40]}",
        who,
        ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days},
    )


def overdue_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    today = company_today()
    items = overdue_items(user)
    count = items.count()
    rows = [_row(i, today) for i in items.select_related("team", "department")[:SHOWN]] if count else []
    return panels.Rows(rows, count, f"{reverse('rectification:item_list')}?overdue=1")


def register_panels() -> None:
    """Register the rectification panels with ``core.panels``."""
    panels.register(
        "rectification_overdue",
        title=gettext_lazy("Overdue rectification items"),
        empty=gettext_lazy("No rectification item is overdue."),
        fill=overdue_panel,
    )
