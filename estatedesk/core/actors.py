"""Who acts on a record: a signed-in user (staff, or a resident account), a resident through
the portal (no account: the estate's QR page or the private status link), or the system
itself (reminder sweeps, deadline recompute, imports, the demo loader).

Services take ``actor: Actor`` and ask ``core.policy`` what the actor may do; a portal
resident and the system have no role, so every staff-only step refuses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from estatedesk.core import policy

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class System:
    """The system acting on its own; timelines show it as "System"."""

    is_authenticated: Final = False
    is_active: Final = False

    def __repr__(self) -> str:
        return "SYSTEM"


class PortalResident:
    """A resident acting through the portal, without an account; timelines show "Resident portal"."""

    is_authenticated: Final = False
    is_active: Final = False

    def __repr__(self) -> str:
        return "RESIDENT"


SYSTEM: Final = System()
RESIDENT: Final = PortalResident()

Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | System | PortalResident"
# The user of a web request (signed in or not): what views, pages and home panels get.
RequestUser: TypeAlias = "AbstractBaseUser | AnonymousUser"


def user_of(actor: Actor | None) -> User | None:
    """The signed-in account behind the actor, for ``actor`` foreign keys and change history."""
    if isinstance(actor, AbstractBaseUser) and actor.is_authenticated:
        return actor  # type: ignore[return-value]
    return None


def name_of(actor: Actor | None) -> str:
    """The name kept on a record beside the account (it stays if the account is removed)."""
    staff = policy.staff_of(actor)
    if staff is not None:
        return staff.display_name
    user = user_of(actor)
    return user.get_username() if user is not None else ""


def stamp(instance: object, actor: Actor | None) -> None:
    """Tell django-simple-history who made the change when it happens outside a request."""
    user = user_of(actor)
    if user is not None:
        instance._history_user = user  # type: ignore[attr-defined]
