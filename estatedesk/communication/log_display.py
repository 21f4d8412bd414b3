"""How the people of a contact are named on the log's pages, in its export and in the API
(SPEC C-4, D-3; decision 0035).

Staff who may see contact names (``policy.can_see_contact_names``: everyone but auditors) read
owners', committee members' and others' names in full; the rest read them masked (王*明), each
name of a list of others on its own. Colleagues are named in full: they are not personal data
of residents. A unit is shown as it is: it is where the owner lives, not who they are.
"""

from __future__ import annotations

import re

from estatedesk.communication.models import Contact, Counterpart
from estatedesk.core.crypto import mask_name
from estatedesk.core.i18n import join_list

# Names typed one after another: 、，, ; and spaces between Chinese names.
_SEPARATORS = re.compile(r"([、，,；;/\s]+)")


def masked_list(text: str) -> str:
    """Each name of a typed list masked, the separators kept (张三、李四 → 张*、李*)."""
    return "".join(
        part if _SEPARATORS.fullmatch(part) else mask_name(part) for part in _SEPARATORS.split(text)
    )


def _name(value: str, names: bool) -> str:
    return value if names else mask_name(value)


def counterpart_text(contact: Contact, *, names: bool) -> str:
    """Who the office spoke with: the owner's unit and name, the committee members (position
    and name), or the others by name. ``committee_members`` is best prefetched."""
    if contact.counterpart == Counterpart.OWNER:
        parts = [contact.unit.label if contact.unit is not None else ""]
        if contact.customer is not None:
            parts.append(_name(contact.customer.name, names))
        return " ".join(p for p in parts if p)
    if contact.counterpart == Counterpart.COMMITTEE:
        members = sorted(contact.committee_members.all(), key=lambda m: m.pk)
        return join_list([f"{m.position} {_name(m.name, names)}".strip() for m in members])
    return others_text(contact, names=names)


def others_text(contact: Contact, *, names: bool) -> str:
    return contact.other_people if names else masked_list(contact.other_people)


def staff_text(contact: Contact) -> str:
    return join_list([s.display_name for s in sorted(contact.staff.all(), key=lambda s: s.pk)])
