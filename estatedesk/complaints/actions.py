"""What every complaint service shares: who acts, locking, events, numbers, deadlines, messages.

Services call these; views and the API never do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from estatedesk.complaints import workflow
from estatedesk.complaints.models import Complaint, Counter, Event
from estatedesk.core import policy
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.models import CompanySettings
from estatedesk.notifications.models import Channel
from estatedesk.notifications.services import notify
from estatedesk.org.models import Department, Staff
from estatedesk.workcal.deadlines import DeadlinePolicy, ReplyDeadline, reply_deadline
from estatedesk.workcal.selectors import company_zone, load_calendar, office_hours_for

M = TypeVar("M", bound=models.Model)

# --- The time a step happens ------------------------------------------------------------------

_clock: ContextVar[datetime | None] = ContextVar("estatedesk_complaints_clock", default=None)


def now() -> datetime:
    """The current time, or the time set by ``clock_at`` (the demo loader replays a year)."""
    return _clock.get() or timezone.now()


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    token = _clock.set(when)
    try:
        yield
    finally:
        _clock.reset(token)


# --- Who acts ------------------------------------------------------------------------------


def actor_role(actor: Any) -> str | None:
    return policy.role_of(actor) if actor is not None else None


def actor_staff(actor: Any) -> Staff | None:
    return policy.staff_of(actor) if actor is not None else None


def require(actor: Any, transition: workflow.Transition, *, kind: str | None = None) -> Staff:
    """The acting staff member, if their role may take this step; else NotAllowed."""
    staff = actor_staff(actor)
    if staff is None or staff.role not in transition.roles:
        raise NotAllowed(_("Your role cannot do this: %(step)s.") % {"step": transition.label})
    if kind is not None and kind not in transition.kinds:
        raise NotAllowed(
            _("This step does not apply to this kind of record: %(step)s.") % {"step": transition.label}
        )
    return staff


def stamp(instance: models.Model, actor: Any) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor  # type: ignore[attr-defined]


# --- Locking and transitions -----------------------------------------------------------------


def lock(queryset: models.QuerySet[M], pk: int) -> M:
    """The row, locked until the transaction ends (PostgreSQL; SQLite's write transaction is already exclusive)."""
    obj = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Not found, or not yours to see."))
    return obj


def check_source(transition: workflow.Transition, status: str, number: str) -> None:
    """Refuse a step the record's status does not allow, saying why.

    If the record is already where this step leads, or closed, someone else got there
    first: that is the "already handled" answer two people acting at once get. Otherwise
    the step does not fit the record's stage, which is a plain input problem.
    """
    if transition.allows(status):
        return
    wf = _workflow_of(transition)
    if wf is not None and status != transition.target and status not in wf.final:
        raise InvalidInput(
            _('Not possible now: "%(step)s" needs %(number)s to be: %(needed)s.')
            % {
                "step": transition.label,
                "number": number,
                "needed": ", ".join(str(dict(wf.states)[s]) for s in transition.sources),
            }
        )
    raise AlreadyHandled(
        _("%(number)s has already been handled by someone else (it is now: %(status)s). Reload to see it.")
        % {"number": number, "status": status_label(transition, status)}
    )


def _workflow_of(transition: workflow.Transition) -> workflow.Workflow | None:
    for wf in workflow.WORKFLOWS.values():
        if transition in wf.transitions:
            return wf
    return None


def status_label(transition: workflow.Transition, status: str) -> str:
    wf = _workflow_of(transition)
    return str(dict(wf.states).get(status, status)) if wf else status


def record_event(
    complaint: Complaint,
    action: str,
    actor: Any,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    staff = actor_staff(actor)
    name = staff.display_name if staff else (getattr(actor, "username", "") if actor else "")
    return Event.objects.create(
        complaint=complaint,
        action=action,
        at=at or now(),
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_name=name,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


# --- Readable numbers -------------------------------------------------------------------------


def next_number(prefix: str, when: datetime) -> str:
    """TS-2026-000123: per prefix and company year, gap-free within committed transactions."""
    year = when.astimezone(company_zone()).year
    for _attempt in range(3):
        updated = Counter.objects.filter(prefix=prefix, year=year).update(value=F("value") + 1)
        if updated:
            break
        try:
            with transaction.atomic():
                Counter.objects.create(prefix=prefix, year=year, value=1)
            break
        except IntegrityError:
            continue
    value = Counter.objects.filter(prefix=prefix, year=year).values_list("value", flat=True).get()
    return f"{prefix}-{year}-{value:06d}"


# --- Deadlines ----------------------------------------------------------------------------------


def compute_deadline(complaint: Complaint, company: CompanySettings | None = None) -> ReplyDeadline:
    company = company or CompanySettings.load()
    start = complaint.reopened_at or complaint.received_at
    return reply_deadline(
        received_at=start,
        urgent=complaint.urgent,
        serious=complaint.serious,
        valid=complaint.valid if complaint.kind == "complaint" else None,
        requested_at=None if complaint.reopened_at else complaint.requested_reply_at,
        policy=DeadlinePolicy.from_settings(company),
        cal=load_calendar(),
        hours=office_hours_for(complaint.estate, company=company),
    )


def apply_deadline(complaint: Complaint, company: CompanySettings | None = None) -> dict[str, Any] | None:
    """Set the deadline fields; returns the change (old and new) when it moved, for the timeline."""
    deadline = compute_deadline(complaint, company)
    old_due, old_basis = complaint.reply_due, complaint.due_basis
    complaint.reply_due = deadline.due
    complaint.due_basis = deadline.basis
    complaint.due_provisional = deadline.provisional
    if old_due == deadline.due and old_basis == deadline.basis:
        return None
    if old_due is None or deadline.due > old_due:
        # A later deadline deserves a fresh reminder.
        complaint.reminder_sent_at = None
        complaint.overdue_notified_at = None
    return {
        "old_due": old_due.isoformat() if old_due else None,
        "new_due": deadline.due.isoformat(),
        "basis": deadline.basis,
        "provisional": deadline.provisional,
    }


# --- Messages -----------------------------------------------------------------------------------


def complaint_link(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


def people_of(department: Department | None, roles: tuple[str, ...]) -> list[Any]:
    if department is None:
        return []
    users = (
        get_user_model()
        .objects.filter(staff__departments=department, staff__role__in=roles, is_active=True)
        .distinct()
    )
    return list(users)


def people_with_role(role: str) -> list[Any]:
    return list(get_user_model().objects.filter(staff__role=role, is_active=True))


def tell(users: list[Any], *, key: str, subject: str, body: str, link: str) -> None:
    """In-app messages to staff (they see them on their home page), one per user and key."""
    for user in users:
        notify(
            key=f"{key}:u{user.pk}", channel=Channel.IN_APP, user=user, subject=subject, body=body, link=link
        )


def in_company_language() -> Any:
    from django.conf import settings

    return translation.override(settings.LANGUAGE_CODE)
