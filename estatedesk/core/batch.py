"""Bulk actions on a list: one ordinary service call per record (SPEC A-1, R-3).

Each record runs the service of its step in its own transaction: one refused record does not
undo the others, and each refusal keeps the service's own message. Ids outside the user's
scope answer "not found", exactly like ids that do not exist, and nothing is done to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from estatedesk.core.errors import ServiceError

# A bulk action takes at most this many records (a list page shows 50).
BULK_MAX = 100


@dataclass
class Outcome:
    """What became of one record of a bulk action."""

    pk: int
    number: str = ""  # empty when the id is not found (or out of scope)
    error: str = ""  # the service's message when refused

    @property
    def done(self) -> bool:
        return not self.error

    @property
    def label(self) -> str:
        return self.number or _("No. %(id)s") % {"id": self.pk}


def run_each(
    in_scope: QuerySet, ids: Iterable[int], step: Callable[[int], object], *, limit: int = BULK_MAX
) -> list[Outcome]:
    """``step(pk)`` for each id of ``in_scope`` (records with a ``number``), each in its own
    transaction (the services are atomic; this loop is not). Ids out of scope are reported as
    not found and never passed to ``step``."""
    wanted = list(dict.fromkeys(ids))[:limit]
    numbers = dict(in_scope.filter(pk__in=wanted).values_list("pk", "number"))
    outcomes = []
    for pk in wanted:
        outcome = Outcome(pk, numbers.get(pk, ""))
        if not outcome.number:
            outcome.error = _("Not found, or not yours to see.")
        else:
            try:
                step(pk)
            except ServiceError as error:
                outcome.error = str(error.message)
        outcomes.append(outcome)
    return outcomes
