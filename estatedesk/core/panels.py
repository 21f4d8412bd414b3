"""What each role's home page shows; ``core.views.home`` fills the panels with live work
(the complaint panels come from ``complaints.home_panels``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from estatedesk.core import policy


@dataclass
class Panel:
    key: str
    title: Any
    empty: Any
    items: list[Any] = field(default_factory=list)


_PANELS = {
    "my_work": (_("My work"), _("No complaints waiting for you.")),
    "due_soon": (_("Due soon and overdue"), _("Nothing is due soon.")),
    "intake": (_("Today's intake"), _("No complaints recorded today.")),
    "department": (_("My department"), _("No open items in your department.")),
    "weekly_review": (_("Weekly review"), _("No weekly review is waiting.")),
    "approvals": (_("Waiting for my signature"), _("No transfer slips waiting.")),
    "satisfaction": (_("Satisfaction trend"), _("No survey results yet.")),
    "surveys": (_("Surveys and consultations"), _("No survey is running.")),
    "reports": (_("Reports to review"), _("No report is waiting.")),
    "rectification": (_("Rectification items"), _("No rectification items assigned.")),
    "records": (_("Records due for disposal"), _("Nothing is past retention.")),
    "calendar": (_("Calendar upkeep"), _("The calendar is up to date.")),
    "roster": (_("Roster"), _("Import a roster to add estates, units and customers.")),
}

ROLE_PANELS: dict[str, list[str]] = {
    "duty_staff": ["intake", "my_work", "due_soon"],
    "handler": ["my_work", "due_soon", "department", "rectification"],
    "department_head": ["department", "due_soon", "weekly_review", "approvals"],
    "cs_supervisor": ["surveys", "satisfaction", "department", "due_soon"],
    "deputy_gm": ["approvals", "reports", "satisfaction", "due_soon"],
    "gm": ["approvals", "satisfaction", "reports"],
    "developer_cs": ["rectification", "my_work"],
    "rectification": ["rectification"],
    "auditor": ["reports", "satisfaction", "records"],
    "admin": ["calendar", "records", "roster"],
}


def panels_for(user: Any, fillers: Mapping[str, Callable[[], list[Any]]] | None = None) -> list[Panel]:
    """The user's panels; ``fillers`` gives the items of a panel, asked only if the user has it."""
    role = policy.role_of(user) or ""
    panels = []
    for key in ROLE_PANELS.get(role, []):
        panel = Panel(key, *_PANELS[key])
        if fillers and key in fillers:
            panel.items = list(fillers[key]())
        panels.append(panel)
    return panels
