from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from estatedesk.core import policy


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    staff = policy.staff_of(user)
    return {
        "current_staff": staff,
        "current_role": policy.role_of(user),
        "is_company_admin": policy.is_admin(user),
        "sees_all": policy.sees_all(user),
    }
