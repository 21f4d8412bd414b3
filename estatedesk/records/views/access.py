"""What the records pages share: who may act, and how a person is named in a list.

The whole ``records:`` namespace is for administrators and auditors (``core.policy.Rule.RECORDS``,
enforced by the policy middleware). Auditors read; every write is an administrator's, checked
here before a form is even shown, and again in the services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from estatedesk.core import policy


def require_admin(request: HttpRequest) -> None:
    """403 for an auditor (the only other role the namespace admits) on a write or its form."""
    if not policy.is_admin(request.user):
        raise PermissionDenied(_("Only administrators change records; auditors read them."))


def who(user: Any) -> str:
    """A staff member's name, from a row fetched with ``select_related("…__staff")``: no query."""
    if user is None:
        return ""
    # A user without a staff row (a superuser) raises RelatedObjectDoesNotExist, an AttributeError.
    staff = getattr(user, "staff", None)
    return staff.display_name if staff is not None else user.get_username()
