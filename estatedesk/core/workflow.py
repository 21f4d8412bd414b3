"""Transitions declared as data, and the checks every service makes before a step.

Each domain app declares its workflows once (``complaints/workflow.py``,
``improvement/workflow.py``, ``reports/workflow.py``): the states in drawing order, and every
transition with the states it starts from, the state it leads to and the roles that may take
it. Services refuse any move that is not declared; the help page draws the flowcharts from
the same tables (``core.flowchart``), so the pictures cannot disagree with what the system does.

A model's status choices come from its workflow (``Workflow.choices``), so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound

if TYPE_CHECKING:
    from estatedesk.org.models import Staff

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: tuple[str, ...]  # () = creates the record
    target: str | None  # None = the status does not change
    roles: frozenset[str]
    kinds: frozenset[str] = frozenset()  # the record kinds it applies to; empty = every kind

    def allows(self, status: str | None) -> bool:
        return (status is None and not self.sources) or (status in self.sources)

    def applies_to(self, kind: str | None) -> bool:
        return not self.kinds or kind is None or kind in self.kinds

    def result(self, status: str) -> str:
        return self.target or status


@dataclass(frozen=True)
class Workflow:
    name: str
    states: tuple[tuple[str, object], ...]  # (value, label) in drawing order
    transitions: tuple[Transition, ...]
    final: frozenset[str] = field(default_factory=frozenset)

    def get(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def choices(self) -> list[tuple[str, object]]:
        """The states as model field choices."""
        return list(self.states)

    def label_of(self, status: str) -> str:
        return str(dict(self.states).get(status, status))

    def available(self, status: str, kind: str | None, role: str | None) -> list[Transition]:
        return [
            t
            for t in self.transitions
            if t.sources
            and status in t.sources
            and t.applies_to(kind)
            and role is not None
            and role in t.roles
        ]


def require(actor: Actor, transition: Transition, *, kind: str | None = None) -> Staff:
    """The acting staff member, if their role may take this step; else NotAllowed."""
    staff = policy.staff_of(actor)
    if staff is None or staff.role not in transition.roles:
        raise NotAllowed(_("Your role cannot do this: %(step)s.") % {"step": transition.label})
    if not transition.applies_to(kind):
        raise NotAllowed(
            _("This step does not apply to this kind of record: %(step)s.") % {"step": transition.label}
        )
    return staff


def lock(queryset: models.QuerySet[M], pk: int) -> M:
    """The row, locked until the transaction ends (PostgreSQL; SQLite's write transaction is
    already exclusive). Out of the queryset's scope is NotFound, exactly like a missing row."""
    obj = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Not found, or not yours to see."))
    return obj


def check_source(workflow: Workflow, transition: Transition, status: str, number: str) -> None:
    """Refuse a step the record's status does not allow, saying why.

    If the record is already where this step leads, or finished, someone else got there
    first: that is the "already handled" answer two people acting at once get. Otherwise
    the step does not fit the record's stage, which is a plain input problem.
    """
    if transition.allows(status):
        return
    if status != transition.target and status not in workflow.final:
        raise InvalidInput(
            _('Not possible now: "%(step)s" needs %(number)s to be: %(needed)s.')
            % {
                "step": transition.label,
                "number": number,
                "needed": ", ".join(workflow.label_of(s) for s in transition.sources),
            }
        )
    raise AlreadyHandled(
        _("%(number)s has already been handled by someone else (it is now: %(status)s). Reload to see it.")
        % {"number": number, "status": workflow.label_of(status)}
    )
