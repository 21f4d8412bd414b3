"""The complaint panels of the home page (SPEC A-1, K-5, K-8, K-11): live rows of complaints and of
transfer slips waiting for a signature, each with its due badge, and the weekly reviews a head
has not signed yet.

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
from django.utils.translation import gettext_lazy

from estatedesk.complaints import selectors, workflow
from estatedesk.complaints.deadlines import DueState
from estatedesk.complaints.models import Complaint, TransferSlip
from estatedesk.complaints.papers import week_of
from estatedesk.complaints.views.lists import Clock, my_work
from estatedesk.complaints.views.weekly import WEEKS_SHOWN
from estatedesk.core import panels, policy
from estatedesk.core.actors import RequestUser

PANEL_ROWS = 6


def _item(complaint: Complaint, clock: Clock) -> SafeString:
    with timezone.override(clock.zone):
        badge = render_to_string(
            "complaints/_due_badge.html", {"complaint": complaint, "state": clock.state(complaint)}
        )
    return format_html(
        '<a class="fw-semibold" href="{}">{}</a> <span class="text-muted">{}</span> <span class="text-nowrap">{}</span>',
        reverse("complaints:detail", args=[complaint.pk]),
        complaint.number,
        Truncator(complaint.description).chars(24),
        SafeString(badge.strip()),  # rendered by our own template, escaped there
    )


def _rows(queryset: QuerySet[Complaint], clock: Clock, more_url: str) -> panels.Rows:
    rows = list(queryset[:PANEL_ROWS])
    count = len(rows) if len(rows) < PANEL_ROWS else queryset.count()
    return panels.Rows([_item(c, clock) for c in rows], count, more_url)


def _my_work(user: RequestUser, clock: Clock) -> panels.Rows:
    return _rows(my_work(user), clock, reverse("complaints:mine"))


def _due_soon(user: RequestUser, clock: Clock) -> panels.Rows:
    scoped = selectors.complaint_list(user)
    overdue = selectors.filter_due_state(scoped, DueState.OVERDUE, clock.now, clock.windows)
    soon = selectors.filter_due_state(scoped, DueState.DUE_SOON, clock.now, clock.windows)
    both = (overdue | soon).order_by("reply_due", "id")
    return _rows(both, clock, f"{reverse('complaints:list')}?due={DueState.OVERDUE}")


def _intake(user: RequestUser, clock: Clock) -> panels.Rows:
    today = clock.now.astimezone(clock.zone).date()
    start = datetime.combine(today, time.min, clock.zone)
    recorded = selectors.complaint_list(user).filter(
        received_at__gte=start, received_at__lt=start + timedelta(days=1)
    )
    rows = _rows(
        recorded.order_by("-received_at", "-id"),
        clock,
        f"{reverse('complaints:list')}?from={today.isoformat()}&to={today.isoformat()}",
    )
    if policy.role_of(user) not in workflow.INTAKE_ROLES:
        return rows
    # The duty officer's first move on a call: one click from the home page.
    button = format_html(
        '<a class="btn btn-sm btn-primary" href="{}"><i class="bi bi-plus-lg" aria-hidden="true"></i> {}</a>',
        reverse("complaints:intake"),
        _("New complaint"),
    )
    return panels.Rows(rows.items, rows.count, rows.more, actions=[button])


def _department(user: RequestUser, clock: Clock) -> panels.Rows:
    scoped = selectors.complaint_list(user).filter(open=True)
    departments = policy.department_ids(user)
    if departments is not None:
        scoped = scoped.filter(department__in=departments)
    ordered = scoped.order_by(F("reply_due").asc(nulls_last=True), "-received_at", "-id")
    return _rows(ordered, clock, reverse("complaints:list"))


def _slip_item(slip: TransferSlip, clock: Clock) -> SafeString:
    """A slip waiting for a signature, with the due badge of its complaint's reply."""
    with timezone.override(clock.zone):
        badge = render_to_string(
            "complaints/_due_badge.html", {"complaint": slip.complaint, "state": clock.state(slip.complaint)}
        )
    return format_html(
        '<a class="fw-semibold" href="{}">{}</a> <span class="text-muted">{}</span> {}',
        reverse("complaints:slip_detail", args=[slip.pk]),
        slip.number,
        Truncator(slip.matter).chars(24),
        SafeString(badge.strip()),  # rendered by our own template, escaped there
    )


def _approvals(user: RequestUser, clock: Clock) -> panels.Rows:
    """Transfer slips at the user's signing step (by the slip's status), in the user's scope and not
    raised by the user, longest waiting first."""
    waiting = selectors.slips_to_sign(user).order_by("raised_at", "id")
    rows = list(waiting[:PANEL_ROWS])
    count = len(rows) if len(rows) < PANEL_ROWS else waiting.count()
    return panels.Rows(
        [_slip_item(s, clock) for s in rows], count, f"{reverse('complaints:slip_list')}?mine=1"
    )


def _weekly_review(user: RequestUser, clock: Clock) -> panels.Rows:
    """The weeks of the head's departments whose review is missing, as the weekly page marks them."""
    if policy.role_of(user) != "department_head":
        return panels.Rows([], 0)  # only the head of a department signs its weekly review
    departments = list(selectors.departments_headed_by(user).order_by("kind", "name"))
    if not departments:
        return panels.Rows([], 0)
    current = week_of(clock.now.astimezone(clock.zone).date())
    weeks = [current - timedelta(weeks=i) for i in range(WEEKS_SHOWN - 1, 0, -1)]  # oldest first
    ids = [d.pk for d in departments]
    reviewed = selectors.reviewed_weeks(ids, weeks[0])
    due_since = selectors.reviews_due_since(ids)
    missing = [
        (week, d)
        for week in weeks
        for d in departments
        if selectors.review_missing(week, current, reviewed=(d.pk, week) in reviewed, since=due_since[d.pk])
    ]
    items = [
        format_html(
            '<a class="fw-semibold" href="{}?week={}">{}</a> <span class="text-muted">{} – {}</span> '
            '<span class="badge text-bg-danger">{}</span>',
            reverse("complaints:weekly_review", args=[d.pk]),
            week.isoformat(),
            d.name,
            week.strftime("%m-%d"),
            (week + timedelta(days=6)).strftime("%m-%d"),
            _("missing"),
        )
        for week, d in missing[:PANEL_ROWS]
    ]
    return panels.Rows(items, len(missing), reverse("complaints:weekly"))


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
        title=gettext_lazy("My work"),
        empty=gettext_lazy("No complaints waiting for you."),
        fill=lambda user, shared: _my_work(user, _clock(shared)),
    )
    panels.register(
        "due_soon",
        title=gettext_lazy("Due soon and overdue"),
        empty=gettext_lazy("Nothing is due soon."),
        fill=lambda user, shared: _due_soon(user, _clock(shared)),
    )
    panels.register(
        "intake",
        title=gettext_lazy("Today's intake"),
        empty=gettext_lazy("No complaints recorded today."),
        fill=lambda user, shared: _intake(user, _clock(shared)),
    )
    panels.register(
        "department",
        title=gettext_lazy("My department"),
        empty=gettext_lazy("No open items in your department."),
        fill=lambda user, shared: _department(user, _clock(shared)),
    )
    panels.register(
        "approvals",
        title=gettext_lazy("Waiting for my signature"),
        empty=gettext_lazy("No transfer slips waiting."),
        fill=lambda user, shared: _approvals(user, _clock(shared)),
    )
    panels.register(
        "weekly_review",
        title=gettext_lazy("Weekly review"),
        empty=gettext_lazy("No weekly review is waiting."),
        fill=lambda user, shared: _weekly_review(user, _clock(shared)),
    )
