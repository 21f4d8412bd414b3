"""The home page's panel of open customer-property incidents (SPEC A-1, C-6): the oldest first,
each with how many days it has been open and whether the customer has been told, linking to
the incident. An incident leaves the panel when it is closed with the help given."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from estatedesk.communication import selectors
from estatedesk.communication.models import PropertyIncident
from estatedesk.communication.workflow import IncidentStatus
from estatedesk.core import panels
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import now

SHOWN = 5


def _row(incident: PropertyIncident) -> SafeString:
    days = max((now() - incident.created_at).days, 0)
    told = _("customer told") if incident.customer_told_at else _("customer not told yet")
    return format_html(
        '<a class="fw-semibold" href="{}">{} {}</a> <span class="text-muted">{}</span> <span class="{}">{}</span>',
        reverse("communication:incident_detail", args=[incident.pk]),
        incident.number,
        f"{incident.item.description[:40]} · {incident.get_kind_display()}",
        ngettext("%(days)d day open", "%(days)d days open", days) % {"days": days},
        "text-success" if incident.customer_told_at else "text-danger",
        told,
    )


def incidents_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    open_rows = (
        selectors.incidents_for(user)
        .filter(status=IncidentStatus.OPEN)
        .select_related("item")
        .order_by("created_at", "pk")
    )
    count = open_rows.count()
    return panels.Rows(
        [_row(i) for i in open_rows[:SHOWN]], count, f"{reverse('communication:incident_list')}?status=open"
    )


def register_panels() -> None:
    panels.register(
        "property_incidents",
        title=gettext_lazy("Open customer-property incidents"),
        empty=gettext_lazy("No customer-property incident is open."),
        fill=incidents_panel,
    )
