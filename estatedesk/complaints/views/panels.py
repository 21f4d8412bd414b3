"""The complaint panels of the home page (SPEC A-1, K-5): live rows, each with its due badge.

Each filler reads through the scoped selectors, so a panel never shows what its list page
would not. They are registered with ``core.panels`` when the app starts; the home page asks only for
the panels the user's role has.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from estatedesk.complaints import selectors, workflow
from estatedesk.complaints.deadlines import DueState
from estatedesk.complaints.models import OPEN_STATUSES, Complaint
from estatedesk.complaints.views.common import RequestUser
from estatedesk.complaints.views.lists import Clock, my_work
from estatedesk.core import panels, policy

PANEL_ROWS = 6


def _item(complaint: Complaint, clock: Clock) -> SafeString:
    with timezone.override(clock.zone):
        badge = render_to_string(
            "complaints/_due_badge.html", {"complaint": complaint, "state": clock.state(complaint)}
        )
    return format_html(
        '<a class="fw-semibold" href="{}">{}</a> <span class="text-muted">{}</span> {}',
        reverse("complaints:detail", args=[complaint.pk]),
        complaint.number,
        Truncator(complaint.description).chars(24),
        SafeString(badge.strip()),  # rendered by our own template, escaped there
    )


def _more(url: str, label: str) -> SafeString:
    return format_html(
        '<a class="small" href="{}">{} <i class="bi bi-arrow-right" aria-hidden="true"></i></a>', url, label
    )


def _rows(queryset: QuerySet[Complaint], clock: Clock, more_url: str) -> list[SafeString]:
    rows = list(queryset[: PANEL_ROWS + 1])
    items = [_item(c, clock) for c in rows[:PANEL_ROWS]]
    if len(rows) > PANEL_ROWS:
        items.append(_more(more_url, _("See all")))
    return items


def _my_work(user: RequestUser, clock: Clock) -> list[SafeString]:
    return _rows(my_work(user), clock, reverse("complaints:mine"))


def _due_soon(user: RequestUser, clock: Clock) -> list[SafeString]:
    scoped = selectors.complaint_list(user)
    overdue = selectors.filter_due_state(scoped, DueState.OVERDUE, clock.now, clock.windows)
    soon = selectors.filter_due_state(scoped, DueState.DUE_SOON, clock.now, clock.windows)
    both = (overdue | soon).order_by("reply_due", "id")
    return _rows(both, clock, f"{reverse('complaints:list')}?due={DueState.OVERDUE}")


def _intake(user: RequestUser, clock: Clock) -> list[SafeString]:
    today = clock.now.astimezone(clock.zone).date()
    start = datetime.combine(today, time.min, clock.zone)
    recorded = selectors.complaint_list(user).filter(
        received_at__gte=start, received_at__lt=start + timedelta(days=1)
    )
    items = _rows(
        recorded.order_by("-received_at", "-id"),
        clock,
        f"{reverse('complaints:list')}?from={today.isoformat()}&to={today.isoformat()}",
    )
    if policy.role_of(user) in workflow.INTAKE_ROLES:
        # The duty officer's first move on a call: one click from the home page.
        if not items:
            items.append(
                format_html('<span class="panel-empty">{}</span>', _("No complaints recorded today."))
            )
        items.insert(
            0,
            format_html(
                '<a class="btn btn-sm btn-primary" href="{}"><i class="bi bi-plus-lg" aria-hidden="true"></i> {}</a>',
                reverse("complaints:intake"),
                _("New complaint"),
            ),
        )
    return items


def _department(user: RequestUser, clock: Clock) -> list[SafeString]:
    scoped = selectors.complaint_list(user).filter(status__in=OPEN_STATUSES)
    departments = policy.department_ids(user)
    if departments is not None:
        scoped = scoped.filter(department__in=departments)
    ordered = scoped.order_by(F("reply_due").asc(nulls_last=True), "-received_at", "-id")
    return _rows(ordered, clock, reverse("complaints:list"))


def _clock(shared: dict[str, Any]) -> Clock:
    """The clock and due-soon windows, read once per page however many complaint panels it has."""
    if "complaints_clock" not in shared:
        shared["complaints_clock"] = Clock.load()
    clock: Clock = shared["complaints_clock"]
    return clock


def register_panels() -> None:
    """Called from ``ComplaintsConfig.ready``."""
    panels.register(
        "my_work",
        title=_l("My work"),
        empty=_l("No complaints waiting for you."),
        fill=lambda user, shared: _my_work(user, _clock(shared)),
    )
    panels.register(
        "due_soon",
        title=_l("Due soon and overdue"),
        empty=_l("Nothing is due soon."),
        fill=lambda user, shared: _due_soon(user, _clock(shared)),
    )
    panels.register(
        "intake",
        title=_l("Today's intake"),
        empty=_l("No complaints recorded today."),
        fill=lambda user, shared: _intake(user, _clock(shared)),
    )
    panels.register(
        "department",
        title=_l("My department"),
        empty=_l("No open items in your department."),
        fill=lambda user, shared: _department(user, _clock(shared)),
    )
