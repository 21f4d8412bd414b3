"""Who to tell: the active staff accounts of a department with given roles, or of a role."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from estatedesk.core.prepared import Prepared

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _people(roles: tuple[str, ...]) -> Callable[..., QuerySet[Any]]:
    def build(*, department: int) -> QuerySet[Any]:
        return (
            get_user_model()
            .objects.filter(staff__departments=department, staff__role__in=list(roles), is_active=True)
            .distinct()
        )

    return build


# Compiled once per process and list of roles (``core.prepared``; intake asks on every complaint).
_PEOPLE: dict[tuple[str, ...], Prepared[Any]] = {}


def people_of(department: Any, roles: Iterable[str]) -> list[User]:
    """The active accounts in ``department`` (a department or its id) whose role is one of ``roles``."""
    if department is None:
        return []
    department_id = department if isinstance(department, int) else department.pk
    wanted = tuple(roles)
    prepared = _PEOPLE.get(wanted)
    if prepared is None:
        prepared = _PEOPLE[wanted] = Prepared(_people(wanted), department=-424_242)
    return list(prepared.rows(department=department_id))


def people_with_role(role: str) -> list[User]:
    return list(get_user_model().objects.filter(staff__role=role, is_active=True))
