"""Every write to a complaint: one function per transition of ``workflow.COMPLAINT``.

Each runs in one transaction, locks the complaint, checks that its status still allows
the step (else ``AlreadyHandled``: two people acting at once get one success), writes the
change, a timeline event and any messages (the outbox, delivered after commit). Views,
the API, the portal, tasks and the demo loader all come through here. The steps that edit
texts in place (``handle``, ``analyse``) also take the version those texts were based on
(``core.versioning``, decision 0011).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints import events, workflow
from estatedesk.complaints.actions import apply_deadline, complaint_link
from estatedesk.complaints.intake import (  # noqa: F401 - callers import intake from here
    BACKDATED_AFTER,
    FUTURE_TOLERANCE,
    Intake,
    Recorded,
    SubmissionKeyReused,
    default_department,
    record_complaint,
    record_intake,
    same_submission,
)
from estatedesk.complaints.models import (
    COMPANY_CAUSES,
    REFERRAL_CAUSES,
    SATISFIED_ANSWERS,
    Cause,
    Complaint,
    Kind,
    ReplyManner,
    Satisfaction,
    Visit,
    VisitMethod,
)
from estatedesk.complaints.resident_messages import tell_resident
from estatedesk.complaints.selectors import complaints_for
from estatedesk.core.actors import Actor, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.i18n import in_company_language
from estatedesk.core.policy import role_of, staff_of
from estatedesk.core.versioning import take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.notifications.recipients import people_of
from estatedesk.notifications.services import tell
from estatedesk.org.models import Department, Developer, Staff


def _locked(
    actor: Actor, complaint: Complaint | int, name: str | Callable[[str], str]
) -> tuple[Complaint, workflow.Transition, Staff]:
    """The complaint locked for ``actor``'s step. ``name`` may depend on the locked status
    (assess and reassess share roles and kinds, so the role is checked before the look-up)."""
    pk = complaint if isinstance(complaint, int) else complaint.pk
    staff = require(actor, workflow.COMPLAINT.get(name if isinstance(name, str) else name(workflow.NEW)))
    locked = lock(complaints_for(actor).select_related("estate", "department"), pk)
    transition = workflow.COMPLAINT.get(name if isinstance(name, str) else name(locked.status))
    if not transition.applies_to(locked.kind):
        raise NotAllowed(
            _("This step does not apply to this kind of record: %(step)s.") % {"step": transition.label}
        )
    check_source(workflow.COMPLAINT, transition, locked.status, locked.number)
    return locked, transition, staff


def _handling_texts(c: Complaint) -> dict[str, str]:
    return {"cause_analysis": c.cause_analysis, "measures": c.measures, "result": c.result}


def _take(complaint: Complaint, actor: Actor, transition: workflow.Transition) -> str:
    """Take the step: the status it leads to, saved with who did it. Returns the status before,
    for the step's timeline event."""
    before = complaint.status
    complaint.status = transition.result(before)
    stamp(complaint, actor)
    complaint.save()
    return before


def _followers(complaint: Complaint) -> list[Complaint]:
    return list(complaint.duplicates.exclude(status="closed").select_related("estate"))


@transaction.atomic
def assess(
    *, actor: Actor, complaint: Complaint | int, cause: str, serious: bool, urgent: bool, note: str = ""
) -> Complaint:
    """Cause, validity, severity and urgency (K-4, K-5); the deadline follows. Duplicates follow the lead."""
    if cause not in Cause.values:
        raise InvalidInput(_("Choose a cause from the list."), field="cause")
    c, transition, _staff = _locked(actor, complaint, _assess_step)
    _apply_assessment(c, actor, transition, cause=cause, serious=serious, urgent=urgent, note=note)
    for follower in _followers(c):
        if follower.kind != Kind.COMPLAINT:
            continue
        step = workflow.COMPLAINT.get(_assess_step(follower.status))
        if step.allows(follower.status):
            _apply_assessment(
                follower,
                actor,
                step,
                cause=cause,
                serious=serious,
                urgent=urgent,
                note=_("As lead %(number)s") % {"number": c.number},
            )
    return c


def _apply_assessment(
    c: Complaint,
    actor: Actor,
    transition: workflow.Transition,
    *,
    cause: str,
    serious: bool,
    urgent: bool,
    note: str,
) -> None:
    c.cause = cause
    c.valid = cause in COMPANY_CAUSES
    c.serious = bool(serious)
    c.urgent = bool(urgent)
    c.assessed_at = now()
    if not c.handler_id:
        c.handler = staff_of(actor)
    moved = apply_deadline(c) if c.replied_at is None else None
    before = _take(c, actor, transition)
    assessed = events.assessed if transition.name == "assess" else events.reassessed
    assessed(c, actor, from_status=before, note=note)
    if moved:
        events.deadline_changed(c, actor, reason=gettext_lazy("Assessment changed"), change=moved)


def _assess_step(status: str) -> str:
    return "assess" if status == workflow.NEW else "reassess"


@transaction.atomic
def change_request(
    *, actor: Actor, complaint: Complaint | int, requested_reply_at: datetime | None
) -> Complaint:
    """The customer asks for another reply time: the deadline follows (K-5)."""
    c, transition, _staff = _locked(actor, complaint, "change_request")
    if requested_reply_at is not None and requested_reply_at <= c.received_at:
        raise InvalidInput(
            _("The requested reply time must be after the time received."), field="requested_reply_at"
        )
    c.requested_reply_at = requested_reply_at
    moved = apply_deadline(c)
    before = _take(c, actor, transition)
    events.request_changed(c, actor, from_status=before)
    if moved:
        events.deadline_changed(c, actor, reason=gettext_lazy("Requested reply time changed"), change=moved)
    return c


@transaction.atomic
def assign(
    *, actor: Actor, complaint: Complaint | int, department: Department, handler: Staff | None = None
) -> Complaint:
    """Forward to a department (K-2) and optionally name the handler."""
    c, transition, _staff = _locked(actor, complaint, "assign")
    if department.developer_id is not None or not department.active:
        raise InvalidInput(_("Choose one of the company's own departments."), field="department")
    if handler is not None and not handler.departments.filter(pk=department.pk).exists():
        raise InvalidInput(_("This person is not in the chosen department."), field="handler")
    c.department = department
    c.handler = handler
    before = _take(c, actor, transition)
    events.assigned(c, actor, from_status=before, department=department, handler=handler)
    told = [handler.user] if handler else people_of(department, ("handler", "department_head"))
    # Nobody is told about their own step (a handler taking a complaint, 接手).
    told = [user for user in told if user != user_of(actor)]
    with in_company_language():
        tell(
            told,
            key=f"{c.number}:assign:{department.pk}:{handler.pk if handler else 0}",
            subject=_("%(number)s forwarded to you") % {"number": c.number},
            body=c.description[:300],
            link=complaint_link(c),
        )
    return c


@transaction.atomic
def refer(
    *,
    actor: Actor,
    complaint: Complaint | int,
    party: str,
    developer: Developer | None = None,
    referred_at: datetime | None = None,
    note: str = "",
) -> Complaint:
    """Forward a developer-caused or external complaint, recording when and to whom (K-6)."""
    c, transition, _staff = _locked(actor, complaint, "refer")
    if c.cause not in REFERRAL_CAUSES:
        raise InvalidInput(
            _(
                "Only complaints caused by the developer, the external environment or outside public facilities are referred."
            ),
            field="cause",
        )
    if c.cause == Cause.DEVELOPER and developer is None:
        raise InvalidInput(_("Choose the developer."), field="developer")
    if not party.strip():
        raise InvalidInput(_("Say to whom it was passed (party and person)."), field="party")
    c.referred_developer = developer if c.cause == Cause.DEVELOPER else None
    c.referred_to = party.strip()[:200]
    c.referred_at = referred_at or now()
    events.referred(c, actor, from_status=_take(c, actor, transition), note=note)
    return c


@transaction.atomic
def record_referral_result(
    *, actor: Actor, complaint: Complaint | int, result: str, at: datetime | None = None
) -> Complaint:
    c, transition, _staff = _locked(actor, complaint, "referral_result")
    if not result.strip():
        raise InvalidInput(_("Write the result the party gave."), field="result")
    c.referral_result = result.strip()
    c.referral_result_at = at or now()
    events.referral_result(c, actor, from_status=_take(c, actor, transition))
    return c


HANDLING_TEXTS = ("cause_analysis", "measures", "result")


@transaction.atomic
def handle(
    *,
    actor: Actor,
    complaint: Complaint | int,
    cause_analysis: str,
    measures: str,
    result: str = "",
    based_on: int | None = None,
) -> Complaint:
    """The handler's analysis, measures and result (K-7); duplicates get the same record.

    ``based_on``: the complaint's ``edit_version`` the texts were written on (decision 0011);
    if someone saved them since, ``StaleEdit`` with their texts, and nothing is written."""
    c, transition, _staff = _locked(actor, complaint, "handle")
    take_edit(c, based_on, current=_handling_texts(c), fields=HANDLING_TEXTS)
    if not (cause_analysis.strip() or measures.strip() or result.strip()):
        raise InvalidInput(_("Write the cause, the measures or the result."), field="measures")
    for target in [c, *_followers(c)]:
        if not transition.allows(target.status):
            continue
        if target is not c:
            take_edit(target, None)  # the lead's text, as always, for the whole group
        target.cause_analysis = cause_analysis.strip()
        target.measures = measures.strip()
        target.result = result.strip()
        events.handled(target, actor, from_status=_take(target, actor, transition))
    return c


@transaction.atomic
def reply(
    *, actor: Actor, complaint: Complaint | int, content: str, manner: str, replied_at: datetime | None = None
) -> Complaint:
    """The reply to the customer (K-7); its time against the deadline decides "on time"."""
    c, transition, staff = _locked(actor, complaint, "reply")
    if c.kind == Kind.COMPLAINT and c.valid is None:
        raise InvalidInput(_("Assess the complaint (cause and urgency) before replying."), field="cause")
    if not content.strip():
        raise InvalidInput(_("Write what the customer was told."), field="content")
    if manner not in ReplyManner.values:
        raise InvalidInput(_("Choose oral or written."), field="manner")
    current = now()
    when = replied_at or current
    if when > current + FUTURE_TOLERANCE:
        raise InvalidInput(_("The reply time cannot be in the future."), field="replied_at")
    if when < c.received_at:
        raise InvalidInput(
            _("The reply time cannot be before the complaint was received."), field="replied_at"
        )
    c.reply = content.strip()
    c.reply_manner = manner
    c.replied_at = when
    c.replied_by = staff
    if c.first_replied_at is None:
        c.first_replied_at = when
        c.on_time = c.reply_due is None or when <= c.reply_due
    events.replied(c, actor, from_status=_take(c, actor, transition))
    tell_resident(c)
    return c


@transaction.atomic
def visit(
    *,
    actor: Actor,
    complaint: Complaint | int,
    method: str,
    opinion: str,
    satisfaction: str,
    visited_at: datetime | None = None,
    visitor: Staff | None = None,
) -> Visit:
    """The follow-up visit (K-10): satisfied closes; dissatisfied reopens for further measures."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Choose the customer's satisfaction."), field="satisfaction")
    satisfied = satisfaction in SATISFIED_ANSWERS
    c, transition, staff = _locked(actor, complaint, "visit_satisfied" if satisfied else "visit_dissatisfied")
    if method not in VisitMethod.values:
        raise InvalidInput(_("Choose by phone or in person."), field="method")
    if not opinion.strip():
        raise InvalidInput(_("Write the complainant's opinion."), field="opinion")
    current = now()
    when = visited_at or current
    if when > current + FUTURE_TOLERANCE:
        raise InvalidInput(_("The visit time cannot be in the future."), field="visited_at")
    if c.replied_at and when < c.replied_at:
        raise InvalidInput(_("The visit cannot be before the reply."), field="visited_at")
    record = Visit(
        complaint=c,
        visited_at=when,
        visitor=visitor or staff,
        method=method,
        opinion=opinion.strip(),
        satisfaction=satisfaction,
    )
    stamp(record, actor)
    record.save()
    c.complainant_opinion = record.opinion
    c.satisfaction = satisfaction
    if satisfied:
        c.closed_at = when
    else:
        c.reopen_count += 1
        c.reopened_at = when
        c.replied_at = None
        apply_deadline(c)
    visited = events.visited_satisfied if satisfied else events.visited_dissatisfied
    visited(c, actor, from_status=_take(c, actor, transition), visit=record)
    tell_resident(c)
    return record


@transaction.atomic
def close(*, actor: Actor, complaint: Complaint | int, note: str = "") -> Complaint:
    """Close a replied record that needs no visit: an invalid complaint (explained), an enquiry or a grievance."""
    c, transition, _staff = _locked(actor, complaint, "close")
    if c.kind == Kind.COMPLAINT and c.valid:
        raise InvalidInput(_("A valid complaint is closed by a follow-up visit with a satisfied customer."))
    if c.kind == Kind.COMPLAINT and c.valid is None:
        raise InvalidInput(_("Assess the complaint before closing it."), field="cause")
    c.closed_at = now()
    events.closed(c, actor, from_status=_take(c, actor, transition), note=note)
    tell_resident(c)
    return c


@transaction.atomic
def close_by_superior(*, actor: Actor, complaint: Complaint | int, reason: str) -> Complaint:
    """A superior closes a complaint the customer is still not satisfied with, with a reason (K-10)."""
    c, transition, _staff = _locked(actor, complaint, "close_by_superior")
    if not reason.strip():
        raise InvalidInput(_("Write the reason for closing."), field="reason")
    if c.kind == Kind.COMPLAINT and c.valid and not c.visits.exists():
        raise InvalidInput(_("A valid complaint needs its follow-up visit before it can be closed."))
    if c.kind == Kind.COMPLAINT and c.valid is False and c.first_replied_at is None:
        raise InvalidInput(_("Explain to the customer why the complaint is invalid before closing it."))
    c.closing_reason = reason.strip()
    c.closed_at = now()
    events.closed_by_superior(c, actor, from_status=_take(c, actor, transition))
    tell_resident(c)
    return c


@transaction.atomic
def link(*, actor: Actor, complaint: Complaint | int, lead: Complaint | int | None) -> Complaint:
    """Handle with a lead complaint about the same matter (K-18); None unlinks."""
    c, transition, _staff = _locked(actor, complaint, "link")
    if lead is None:
        c.lead = None
        events.linked(c, actor, from_status=_take(c, actor, transition), lead=None)
        return c
    lead_pk = lead if isinstance(lead, int) else lead.pk
    target = complaints_for(actor).filter(pk=lead_pk).select_related("lead").first()
    if target is None:
        raise InvalidInput(_("No such complaint, or not yours to see."), field="lead")
    if target.lead is not None:
        target = target.lead  # always link to the root, so groups stay one level deep
    if target.pk == c.pk:
        raise InvalidInput(_("A complaint cannot be linked to itself."), field="lead")
    if target.estate_id != c.estate_id:
        raise InvalidInput(_("The lead complaint must be in the same estate."), field="lead")
    if c.duplicates.exists():
        raise InvalidInput(_("This complaint is itself a lead; unlink its duplicates first."), field="lead")
    c.lead = target
    if c.kind == Kind.COMPLAINT and c.valid is None and target.valid is not None and c.status == workflow.NEW:
        c.cause, c.valid, c.serious, c.urgent = target.cause, target.valid, target.serious, target.urgent
        c.assessed_at = now()
        c.status = workflow.IN_PROGRESS
        apply_deadline(c)
    if not c.measures and target.measures:
        take_edit(c, None)  # its handling texts change: a form opened before is out of date
        c.cause_analysis, c.measures, c.result = target.cause_analysis, target.measures, target.result
    events.linked(c, actor, from_status=_take(c, actor, transition), lead=target)
    return c


@transaction.atomic
def analyse(
    *, actor: Actor, complaint: Complaint | int, analysis: str, based_on: int | None = None
) -> Complaint:
    """The department head's analysis of a grievance (C-7, §7.2.11); ``based_on`` as in ``handle``."""
    c, transition, _staff = _locked(actor, complaint, "analyse")
    take_edit(c, based_on, current={"analysis": c.grievance_analysis}, fields=("grievance_analysis",))
    if not analysis.strip():
        raise InvalidInput(_("Write the analysis."), field="analysis")
    c.grievance_analysis = analysis.strip()
    events.analysed(c, actor, from_status=_take(c, actor, transition))
    return c


def staff_can(actor: Actor, complaint: Complaint) -> list[workflow.Transition]:
    """The steps this user may take on this complaint now (for the page's buttons and the API).

    Beyond status and role, steps the service would refuse for this record are left out,
    so nobody is offered a button that can only fail.
    """
    role = role_of(actor)
    steps = workflow.COMPLAINT.available(complaint.status, complaint.kind, role)
    is_complaint = complaint.kind == Kind.COMPLAINT
    hidden: set[str] = set()
    if complaint.status != workflow.NEW:
        hidden.add("assess")
    if is_complaint and complaint.valid is not False:
        hidden.add("close")  # valid: closed by a satisfied visit; unassessed: assess first
    if is_complaint and complaint.valid is None:
        hidden.add("reply")
    if complaint.cause not in REFERRAL_CAUSES:
        hidden.add("refer")
    return [s for s in steps if s.name not in hidden]
