"""How an accepted improvement suggestion becomes a corrective action (SPEC S-9, I-1).

The actions live in ``improvement``, which sits above ``surveys`` and may not be imported
here. So the improvement app registers, when it starts (``ImprovementConfig.ready``), the
function that opens an action from a suggestion; the suggestion's acceptance calls it in its
own transaction. Until something registers, a suggestion cannot be accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.errors import NotAllowed

if TYPE_CHECKING:
    from estatedesk.org.models import Department, Staff
    from estatedesk.surveys.models import Suggestion


class OpenFromSuggestion(Protocol):
    def __call__(
        self, *, actor: Actor, suggestion: Suggestion, department: Department, owner: Staff, due_date: date
    ) -> Any: ...


_OPENERS: list[Callable[..., Any]] = []


def register(opener: OpenFromSuggestion) -> None:
    """Called once from ``ImprovementConfig.ready``; registering again replaces the first."""
    _OPENERS[:] = [opener]


def open_action(
    *, actor: Actor, suggestion: Suggestion, department: Department, owner: Staff, due_date: date
) -> Any:
    if not _OPENERS:
        raise NotAllowed(_("Corrective actions are not available."))
    return _OPENERS[0](
        actor=actor, suggestion=suggestion, department=department, owner=owner, due_date=due_date
    )
