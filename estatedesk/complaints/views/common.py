"""What the complaint page families share: who asks, how a complainant's name is shown to them,
and the words for due states. Imports no other view module, so every view module may use it."""

from __future__ import annotations

from datetime import datetime

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from estatedesk.complaints.deadlines import DueState
from estatedesk.core import crypto, policy
from estatedesk.core.actors import RequestUser


def person_name(user: RequestUser, name: str) -> str:
    """Complainants' names: shown to staff, masked for auditors (SPEC D-3)."""
    return name if policy.can_see_contact_names(user) else crypto.mask_name(name)


DUE_LABELS = {
    DueState.NONE: gettext_lazy("No deadline"),
    DueState.DUE: gettext_lazy("Due"),
    DueState.DUE_SOON: gettext_lazy("Due soon"),
    DueState.OVERDUE: gettext_lazy("Overdue"),
    DueState.MET: gettext_lazy("Replied on time"),
    DueState.LATE: gettext_lazy("Replied late"),
}


# The due badge (templates/complaints/_due_badge.html) as the lists build it, once per row in
# Python: a list of 50 rows including that template twice per row spent most of its time there.
_BADGES = {
    DueState.OVERDUE: ("text-bg-danger", "bi-exclamation-octagon-fill"),
    DueState.DUE_SOON: ("text-bg-warning", "bi-hourglass-split"),
    DueState.DUE: ("text-bg-secondary", "bi-clock"),
    DueState.MET: ("text-bg-success", "bi-check2"),
    DueState.LATE: ("text-bg-light border border-danger text-danger", ""),
    DueState.NONE: ("text-bg-light border", ""),
}


def badge_style(state: DueState) -> tuple[str, str] | None:
    """The badge's classes and icon for a due state (None: no badge)."""
    return _BADGES.get(state)


def due_badge(state: str, reply_due: datetime | None, provisional: bool) -> SafeString:
    """``reply_due`` in the zone the page shows (the caller converts it once). The lists write
    the same markup faster (``list_rows``; a test holds the two equal)."""
    badge: SafeString | str = ""
    if state in _BADGES:
        style, icon = _BADGES[DueState(state)]
        label = DUE_LABELS[DueState(state)]
        if icon:
            badge = format_html(
                '<span class="badge {} due-badge"><i class="bi {}" aria-hidden="true"></i> {}</span>',
                style,
                icon,
                label,
            )
        else:
            badge = format_html('<span class="badge {} due-badge">{}</span>', style, label)
    due: SafeString | str = ""
    if reply_due is not None:
        due = format_html(
            ' <time class="due-time small text-muted" datetime="{}" title="{} {}">{}</time>{}',
            reply_due.isoformat(),
            gettext_lazy("Reply due"),
            reply_due.strftime("%Y-%m-%d %H:%M"),
            reply_due.strftime("%m-%d %H:%M"),
            format_html(
                '<abbr class="due-provisional text-warning-emphasis" title="{}">*</abbr>',
                gettext_lazy("Provisional: the holidays of that year are not confirmed yet."),
            )
            if provisional
            else "",
        )
    return format_html('<span class="due-badge-wrap">{}{}</span>', badge, due)
