"""Who to tell: the active staff accounts of a department with given roles, or of a role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def people_of(department: Any, roles: Iterable[str]) -> list[User]:
    """The active accounts in ``department`` (a department or its id) whose role is one of ``roles``."""
    if department is None:
        return []
    users = (
        get_user_model()
        .objects.filter(staff__departments=department, staff__role__in=list(roles), is_active=True)
        .distinct()
    )
    return list(users)


def people_with_role(role: str) -> list[User]:
    return list(get_user_model().objects.filter(staff__role=role, is_active=True))
