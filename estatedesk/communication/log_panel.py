"""The communication log's panel of the home page (SPEC A-1, C-4): "contact_follow_ups", the
follow-ups agreed with owners or the owners' committee that are past their due date in the
user's scope, the longest overdue first, each linking to its contact."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.communication import log_selectors
from estatedesk.core import panels
from estatedesk.core.actors import RequestUser

SHOWN = 5


def follow_up_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    overdue, count = log_selectors.overdue_follow_ups(user, limit=SHOWN)
    rows = [
        format_html(
            '<a class="fw-semibold" href="{}#follow-up-{}">{}</a> <span class="text-danger">{}</span>',
            reverse("communication:contact_detail", args=[o.follow_up.contact_id]),
            o.follow_up.pk,
            o.follow_up.description[:60],
            _("%(contact)s · %(owner)s · %(days)d days overdue")
            % {
                "contact": o.follow_up.contact.number,
                "owner": o.follow_up.owner.display_name,
                "days": o.days,
            },
        )
        for o in overdue
    ]
    return panels.Rows(rows, count, f"{reverse('communication:contact_list')}?state=overdue")


def register_panels() -> None:
    panels.register(
        "contact_follow_ups",
        title=gettext_lazy("Overdue follow-ups of the communication log"),
        empty=gettext_lazy("No follow-up of the communication log is overdue."),
        fill=follow_up_panel,
    )
