"""Who acts in whose place (§5.1, §5.2, §7.2.15–16; decision 0017). Reads the company settings.

Some steps belong to one role: the deputy GM receives complaints made to the company, signs a
transfer slip at the deputy GM's step, reviews the monthly reports and writes the annual
summary. The general manager may take those steps in the deputy GM's place when the company
settings say so (``CompanySettings.gm_acts_for_deputy_gm``); the record then says so, in the
form "孙总（代 副总经理）".
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from estatedesk.core.actors import Actor
from estatedesk.core.models import CompanySettings
from estatedesk.core.policy import staff_of
from estatedesk.org.models import Role

# The role that may stand in for another one, when the company settings allow it.
STAND_INS = {Role.DEPUTY_GM.value: Role.GM.value}


def stand_in_allowed(role: str, company: CompanySettings | None = None) -> bool:
    """Whether someone may act for ``role`` under the company's settings."""
    if role not in STAND_INS:
        return False
    return bool((company or CompanySettings.load()).gm_acts_for_deputy_gm)


def acting_for(actor: Actor, role: str, company: CompanySettings | None = None) -> str | None:
    """For a step that belongs to ``role``: ``""`` when the actor holds the role, the role when
    the actor stands in for it, ``None`` when the actor may not take the step."""
    staff = staff_of(actor)
    if staff is None:
        return None
    if staff.role == role:
        return ""
    if STAND_INS.get(role) == staff.role and stand_in_allowed(role, company):
        return role
    return None


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def name_acting(name: str, acting: str) -> str:
    """A person's name on the record, with the role they acted for: "孙总（代 副总经理）"."""
    if not acting:
        return name
    return _("%(name)s (for the %(role)s)") % {"name": name, "role": role_label(acting)}
