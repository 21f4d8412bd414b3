"""Taking a complaint (接手) and the lists' bulk actions (SPEC A-1, P-1).

"Take it" is ``services.assign`` to the acting handler, in the complaint's own department,
for a complaint nobody handles yet. Bulk actions run the ordinary service of their step once
per complaint, each in its own transaction: one refused complaint does not undo the others,
and each refusal keeps the service's own message. Ids outside the user's scope answer "not
found", exactly like ids that do not exist, and nothing is done to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.complaints import services, workflow
from estatedesk.complaints.models import Complaint
from estatedesk.complaints.selectors import complaints_for
from estatedesk.core import batch
from estatedesk.core.actors import Actor
from estatedesk.core.batch import Outcome
from estatedesk.core.errors import AlreadyHandled, NotAllowed
from estatedesk.core.policy import own_department_ids, staff_of
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.models import Department, Staff

BULK_MAX = batch.BULK_MAX
TAKE_SOURCES = workflow.COMPLAINT.get("assign").sources


def may_take(staff: Staff | None, department_ids: Iterable[int], complaint: Complaint) -> bool:
    """Whether to offer "take it": nobody handles the complaint yet, the step is open, and the
    user handles complaints in its department. Pure: the caller reads ``department_ids`` once."""
    return (
        staff is not None
        and staff.role in workflow.HANDLING_ROLES
        and complaint.handler_id is None
        and complaint.status in TAKE_SOURCES
        and complaint.department_id in set(department_ids)
    )


@transaction.atomic
def take(*, actor: Actor, complaint: Complaint | int) -> Complaint:
    """The acting handler takes a complaint of their department that nobody handles yet.

    The complaint is locked while it is checked, so of two people taking it at once one gets
    it and the other is told who has it."""
    transition = workflow.COMPLAINT.get("assign")
    staff = require(actor, transition)
    pk = complaint if isinstance(complaint, int) else complaint.pk
    c = lock(complaints_for(actor).select_related("department", "handler"), pk)
    check_source(workflow.COMPLAINT, transition, c.status, c.number)
    if c.handler_id == staff.pk:
        raise AlreadyHandled(_("%(number)s is already yours.") % {"number": c.number})
    if c.handler is not None:
        raise AlreadyHandled(
            _("%(number)s has already been taken by %(name)s.")
            % {"number": c.number, "name": c.handler.display_name}
        )
    if not staff.departments.filter(pk=c.department_id).exists():
        raise NotAllowed(
            _("%(number)s is with %(department)s, which you do not belong to: forward it instead.")
            % {"number": c.number, "department": c.department.name}
        )
    return services.assign(actor=actor, complaint=c.pk, department=c.department, handler=staff)


def run_each(actor: Actor, ids: Iterable[int], step: Callable[[int], object]) -> list[Outcome]:
    """``step(pk)`` for each complaint in the actor's scope (``core.batch.run_each``)."""
    return batch.run_each(complaints_for(actor), ids, step, limit=BULK_MAX)


def take_each(*, actor: Actor, ids: Iterable[int]) -> list[Outcome]:
    return run_each(actor, ids, lambda pk: take(actor=actor, complaint=pk))


def assign_each(
    *, actor: Actor, ids: Iterable[int], department: Department, handler: Staff | None = None
) -> list[Outcome]:
    return run_each(
        actor,
        ids,
        lambda pk: services.assign(actor=actor, complaint=pk, department=department, handler=handler),
    )


def close_each(*, actor: Actor, ids: Iterable[int], note: str = "") -> list[Outcome]:
    """The workflow's plain "close" (replied invalid complaints, enquiries and grievances); a valid
    complaint is refused with the reason (it closes by a satisfied follow-up visit, K-10)."""
    return run_each(actor, ids, lambda pk: services.close(actor=actor, complaint=pk, note=note))


def staff_departments(actor: Actor) -> tuple[Staff | None, frozenset[int]]:
    """The acting staff member and the departments they belong to, read once for a list."""
    return staff_of(actor), own_department_ids(actor)
