"""Reads of corrective / preventive actions, scoped by the user (SPEC P-1, I-1).

The leadership, auditors, administrators and the customer-service supervisor see every
action; other staff see those of their departments and estates, those they opened and those
with a step they own. Out of scope is "not found".
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from estatedesk.core.actors import Actor
from estatedesk.core.policy import department_ids, estate_ids, sees_all, staff_of
from estatedesk.core.prepared import Prepared
from estatedesk.improvement.models import Action
from estatedesk.improvement.workflow import NOT_CLOSED

OPEN_STATUSES = NOT_CLOSED


def sees_every_action(user: Actor) -> bool:
    if sees_all(user):
        return True
    staff = staff_of(user)
    return staff is not None and staff.role == "cs_supervisor"


def action_scope(user: Actor) -> QuerySet[Action]:
    actions = Action.objects.all()
    if sees_every_action(user):
        return actions
    staff = staff_of(user)
    if staff is None:
        return actions.none()
    condition = Q(opened_by=staff) | Q(department__in=department_ids(user) or ()) | Q(steps__owner=staff)
    estates = estate_ids(user)
    if estates:
        condition |= Q(estate__in=estates)
    ids = Action.objects.filter(condition).values("pk")
    return actions.filter(pk__in=ids)


def action_list(user: Actor) -> QuerySet[Action]:
    return action_scope(user).select_related("department", "estate", "opened_by__user", "source_complaint")


def get_action(user: Actor, pk: int) -> Action | None:
    return action_list(user).filter(pk=pk).first()


def overdue(queryset: QuerySet[Action], today: date) -> QuerySet[Action]:
    """Actions with a step past its due date (a step is due on its date, overdue the day after)."""
    return queryset.filter(status__in=OPEN_STATUSES, next_due__lt=today)


# Asked on every view of a complaint's page: compiled once per process (``core.prepared``,
# decision 0067).
_FROM_COMPLAINT = Prepared(
    lambda *, complaint_id: (
        Action.objects.filter(source_complaint_id=complaint_id)
        .select_related("department")
        .order_by("opened_at", "pk")
    ),
    complaint_id=-424_242,
)


def listed_for_complaint(user: Actor, complaint_id: int) -> list[Action]:
    """The actions opened from one complaint that the user may see, oldest first, for the
    complaint's page. Most complaints have none: that is one plain look-up on the source
    column, and the scope (``action_scope``, the costly statement) is asked only about the
    actions found (decision 0061)."""
    found = list(_FROM_COMPLAINT.rows(complaint_id=int(complaint_id)))
    if not found or sees_every_action(user):
        return found
    visible = set(action_scope(user).filter(pk__in=[a.pk for a in found]).values_list("pk", flat=True))
    return [a for a in found if a.pk in visible]


def for_report(user: Actor, report_id: int) -> QuerySet[Action]:
    return action_scope(user).filter(source_report_id=report_id)
