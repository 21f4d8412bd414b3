"""Overdue corrective / preventive actions for the dashboard (SPEC I-1: "overdue actions are
visible"). Reads through the scoped selectors, so a panel never shows what the list would not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.improvement import selectors

PANEL_ROWS = 5


def overdue_actions_panel(user: Actor, today: date | None = None) -> dict[str, Any]:
    """``count`` of overdue actions in the user's scope, the ``rows`` of the most overdue five
    (number, title, department, next_due, days_overdue, url), and ``url`` of the full list."""
    today = today or company_today()
    overdue = selectors.overdue(selectors.action_list(user), today)
    rows = [
        {
            "pk": action.pk,
            "number": action.number,
            "title": action.title,
            "department": action.department.name,
            "next_due": action.next_due,
            "days_overdue": (today - action.next_due).days if action.next_due else 0,
            "url": reverse("improvement:detail", args=[action.pk]),
        }
        for action in overdue.order_by("next_due", "pk")[:PANEL_ROWS]
    ]
    return {
        "count": overdue.count(),
        "rows": rows,
        "url": reverse("improvement:list") + "?overdue=1",
    }
