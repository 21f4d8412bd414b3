"""What the complaint page families share: who asks, how a complainant's name is shown to them,
and the words for due states. Imports no other view module, so every view module may use it."""

from __future__ import annotations

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
