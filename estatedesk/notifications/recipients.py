"""Who to tell: the active staff accounts of a department with given roles, or of a role."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from estatedesk.core.prepared import Prepared

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@cache
def _people(roles: tuple[str, ...]) -> Prepared[Any]:
    """Compiled once per process and list of roles (``core.prepared``; intake asks on every complaint)."""

    def build(*, department: int) -> QuerySet[Any]:
        return (
            get_user_model()
            .objects.filter(staff__departments=department, staff__role__in=list(roles), is_active=True)
            .distinct()
        )

    return Prepared(build, department=-424_242)


def people_of(department: Any, roles: Iterable[str]) -> list[User]:
    """The active accounts in ``department`` (a department or its id) whose role is one of ``roles``."""
    if department is None:
        return []
    department_id = department if isinstance(department, int) else department.pk
    return list(_people(tuple(roles)).rows(department=department_id))


def people_with_role(role: str) -> list[User]:
    return list(get_user_model().objects.filter(staff__role=role, is_active=True))
