"""Who to tell: the active staff accounts of a department with given roles, or of a role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def people_of(department: Any, roles: Iterable[str]) -> list[User]:
    """The active accounts in ``department`` (a department or its id) whose role is one of ``roles``."""
    if department is None:
        return []
    return list(people_of_query(department, roles))


def people_of_query(department: Any, roles: Iterable[str]) -> QuerySet[User]:
    """``people_of`` not yet read: ``services.tell`` writes their messages in one statement."""
    return (
        get_user_model()
        .objects.filter(staff__departments=department, staff__role__in=list(roles), is_active=True)
        .distinct()
    )


def people_with_role(role: str) -> list[User]:
    return list(get_user_model().objects.filter(staff__role=role, is_active=True))
