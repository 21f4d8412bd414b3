"""The sign-in backend: Django's ``ModelBackend``, whose user for each request comes with the
staff row (SPEC P-1; decision 0060).

Every staff page asked for the session, then the user, then the user's staff row (``policy.
staff_of``, for the URL rule). Reading the user with its staff row (``select_related``, a LEFT
JOIN on the one-to-one) makes the last two one statement, on every page. The answer is handed to
``policy`` as that request's staff row; nothing else changes: the same user, the same checks.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from estatedesk.core import policy
from estatedesk.core.prepared import Prepared

_USER = Prepared(
    lambda *, pk: get_user_model()._default_manager.select_related("staff").filter(pk=pk), pk=-424_242
)


class StaffModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        if isinstance(user_id, int) and -(2**63) <= user_id < 2**63:  # a database integer: the kept SQL
            user = _USER.first(pk=user_id)  # on every page: compiled once per process (decision 0067)
            if user is None:
                return None
        else:
            try:
                user = model._default_manager.select_related("staff").get(pk=user_id)
            except model.DoesNotExist:
                return None
        if not self.user_can_authenticate(user):
            return None
        # A user without a staff row has None cached for it (``getattr``'s default catches the
        # related object's DoesNotExist, an AttributeError).
        policy.remember_staff(user, getattr(user, "staff", None))
        return user
