"""How a forum's participants are named on the page, in the API and in the printed minutes
(SPEC S-6, D-3; decision 0026).

* Page and API: staff who may see contact names (``policy.can_see_contact_names``: everyone
  but auditors) read owners', committee members' and others' names in full; the rest read them
  masked (王*明). Colleagues are named in full: they are not personal data of residents.
* Printed minutes circulate (handed to the owners' committee, kept in the file): owners
  appear by their unit with the name masked, whoever prints; committee members speak for the
  owners in a public role and are named in full with their position (masked for a reader who
  may not see names); colleagues in full; others masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import pgettext_lazy

from estatedesk.core.crypto import mask_name
from estatedesk.surveys.models import ForumParticipant, ParticipantKind

# The minutes' words for each kind (the model's choices name them for forms and the admin).
KIND_LABELS: dict[str, Any] = {
    ParticipantKind.OWNER: pgettext_lazy("forum", "Owners"),
    ParticipantKind.COMMITTEE: pgettext_lazy("forum", "Owners' committee"),
    ParticipantKind.STAFF: pgettext_lazy("forum", "Company"),
    ParticipantKind.OTHER: pgettext_lazy("forum", "Others"),
}


@dataclass(frozen=True)
class Who:
    kind: str
    kind_label: str
    place: str  # the unit (owners), the committee position and estate, the colleague's role
    name: str

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.place, self.name) if part)


def _raw_name(p: ForumParticipant) -> str:
    if p.kind == ParticipantKind.COMMITTEE and p.committee_member is not None:
        return p.committee_member.name
    if p.kind == ParticipantKind.STAFF and p.staff is not None:
        return p.staff.display_name
    if p.customer is not None:
        return p.customer.name
    return p.name


def _place(p: ForumParticipant, several_estates: bool) -> str:
    if p.kind == ParticipantKind.OWNER and p.unit is not None:
        label = p.unit.label
        return f"{p.unit.estate.name} {label}" if several_estates else label
    if p.kind == ParticipantKind.COMMITTEE and p.committee_member is not None:
        member = p.committee_member
        return f"{member.estate.name} {member.position}" if several_estates else member.position
    if p.kind == ParticipantKind.STAFF and p.staff is not None:
        return str(p.staff.get_role_display())
    return ""


def who(p: ForumParticipant, *, names: bool, minutes: bool = False, several_estates: bool = False) -> Who:
    """``names``: whether the reader may see contact names; ``minutes``: for the printed minutes."""
    raw = _raw_name(p)
    if p.kind == ParticipantKind.STAFF:
        shown = raw
    elif minutes and p.kind != ParticipantKind.COMMITTEE:
        shown = mask_name(raw)
    else:
        shown = raw if names else mask_name(raw)
    return Who(p.kind, str(KIND_LABELS.get(p.kind, p.kind)), _place(p, several_estates), shown)
