"""The complaint's timeline events (SPEC P-2): every kind declared once, with its label, and
one function per kind, the way saleor's ``order/events.py`` does it.

Services write the timeline only through these functions; the page shows each event with the
label of its kind (``label_of``). The stored value of a kind (``Event.action``) is what the API
shows as "action", so the values never change: most are the names of the complaint's workflow
transitions, the slip steps are ``slip_<step>`` and the notice steps ``notice_<step>``.

``models`` takes its choices from here, so this module imports the models only for type
checking: ``_event`` finds the event model through the complaint's ``events`` relation and
writes the row through the insert compiled once (``core.inserts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints.workflow import COMPLAINT, SLIP
from estatedesk.core.actors import Actor, user_of
from estatedesk.core.events import event_fields
from estatedesk.core.i18n import in_company_language
from estatedesk.core.inserts import save_new

if TYPE_CHECKING:
    from estatedesk.complaints.models import Complaint, Event, ResidentRating, TransferSlip, Visit, WorkNotice
    from estatedesk.org.models import Department, Staff


def _slip_step(name: str) -> str:
    return _("Work transfer slip: %(step)s") % {"step": SLIP.get(name).label}


_slip_label = lazy(_slip_step, str)


class ComplaintEvent(models.TextChoices):
    # The steps of the complaint's workflow, labelled as the workflow labels them.
    RECORD = "record", COMPLAINT.get("record").label
    RECORD_ANSWERED = "record_answered", COMPLAINT.get("record_answered").label
    ASSESS = "assess", COMPLAINT.get("assess").label
    REASSESS = "reassess", COMPLAINT.get("reassess").label
    REFER = "refer", COMPLAINT.get("refer").label
    REFERRAL_RESULT = "referral_result", COMPLAINT.get("referral_result").label
    HANDLE = "handle", COMPLAINT.get("handle").label
    REPLY = "reply", COMPLAINT.get("reply").label
    VISIT_SATISFIED = "visit_satisfied", COMPLAINT.get("visit_satisfied").label
    VISIT_DISSATISFIED = "visit_dissatisfied", COMPLAINT.get("visit_dissatisfied").label
    CLOSE = "close", COMPLAINT.get("close").label
    CLOSE_BY_SUPERIOR = "close_by_superior", COMPLAINT.get("close_by_superior").label
    LINK = "link", COMPLAINT.get("link").label
    ANALYSE = "analyse", COMPLAINT.get("analyse").label
    RESIDENT_DISSATISFIED = "resident_dissatisfied", COMPLAINT.get("resident_dissatisfied").label
    # Steps whose timeline line says what happened rather than what the step is called.
    ASSIGN = "assign", gettext_lazy("Forwarded to a department")
    CHANGE_REQUEST = "change_request", gettext_lazy("Requested reply time changed")
    RAISE_SLIP = "raise_slip", gettext_lazy("Work transfer slip raised")
    # Facts recorded on the complaint.
    DEADLINE_CHANGED = "deadline_changed", gettext_lazy("Reply deadline changed")
    ATTACH = "attach", gettext_lazy("File attached")
    # What the resident does on the status page (W-1).
    RESIDENT_INFO = "resident_info", gettext_lazy("Resident added information")
    RESIDENT_CHASE = "resident_chase", gettext_lazy("Resident chased (asked us to hurry)")
    RESIDENT_RATING = "resident_rating", gettext_lazy("Resident rated the reply")
    # The transfer slip's signatures and result (K-8).
    SLIP_ESCALATE_HEAD = "slip_escalate_head", _slip_label("escalate_head")
    SLIP_ESCALATE_HEAD_GM = "slip_escalate_head_gm", _slip_label("escalate_head_gm")
    SLIP_ESCALATE_DEPUTY = "slip_escalate_deputy", _slip_label("escalate_deputy")
    SLIP_DECIDE_HEAD = "slip_decide_head", _slip_label("decide_head")
    SLIP_DECIDE_DEPUTY = "slip_decide_deputy", _slip_label("decide_deputy")
    SLIP_DECIDE_GM = "slip_decide_gm", _slip_label("decide_gm")
    SLIP_RESULT = "slip_result", gettext_lazy("Work transfer slip: final result recorded")
    # The work arrangement notice (K-9).
    ISSUE_NOTICE = "issue_notice", gettext_lazy("Work arrangement notice issued")
    NOTICE_VERIFY = "notice_verify", gettext_lazy("Work arrangement notice verified: accepted")
    NOTICE_RETURN = "notice_return", gettext_lazy("Work arrangement notice returned: not done")


# Events written by the resident portal when no one is signed in.
PORTAL_KINDS = frozenset(
    {
        ComplaintEvent.RECORD,
        ComplaintEvent.RECORD_ANSWERED,
        ComplaintEvent.RESIDENT_INFO,
        ComplaintEvent.RESIDENT_CHASE,
        ComplaintEvent.RESIDENT_RATING,
        ComplaintEvent.RESIDENT_DISSATISFIED,
    }
)


# Each kind's (lazy) label: ``ComplaintEvent.values`` makes a new list on every call.
_LABELS: dict[str, Any] = {kind.value: kind.label for kind in ComplaintEvent}


def label_of(action: str) -> Any:
    """The timeline label of a stored kind (an unknown one, from an older version, as it is)."""
    return _LABELS.get(action, action)


def _event(
    complaint: Complaint,
    kind: ComplaintEvent,
    actor: Actor,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    # The model through the relation: ``models`` takes its choices from here (no import back).
    event_model: type[Event] = complaint._meta.get_field("events").related_model  # type: ignore[assignment]
    event = event_model(
        complaint=complaint,
        action=kind.value,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        **event_fields(actor, at),
    )
    save_new(event)  # compiled once (core.inserts): as ``complaint.events.create``
    return event


def _step(complaint: Complaint, kind: ComplaintEvent, actor: Actor, from_status: str, **fields: Any) -> Event:
    """A step of the workflow: the status it moved from and the one it is in now."""
    return _event(complaint, kind, actor, from_status=from_status, to_status=complaint.status, **fields)


# --- Intake ---------------------------------------------------------------------------------------


def _intake_data(complaint: Complaint, acting_for: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": complaint.channel,
        "reply_due": complaint.reply_due.isoformat() if complaint.reply_due else None,
    }
    if acting_for:
        data["acting_for"] = acting_for  # the GM receiving a complaint for the deputy GM
    return data


def recorded(complaint: Complaint, actor: Actor, *, at: datetime, acting_for: str = "") -> Event:
    return _event(
        complaint,
        ComplaintEvent.RECORD,
        actor,
        to_status=complaint.status,
        at=at,
        data=_intake_data(complaint, acting_for),
    )


def recorded_answered(complaint: Complaint, actor: Actor, *, at: datetime, acting_for: str = "") -> Event:
    return _event(
        complaint,
        ComplaintEvent.RECORD_ANSWERED,
        actor,
        to_status=complaint.status,
        at=at,
        data=_intake_data(complaint, acting_for),
    )


# --- The complaint's steps ----------------------------------------------------------------------------


def _assessment(complaint: Complaint) -> dict[str, Any]:
    return {
        "cause": complaint.cause,
        "valid": complaint.valid,
        "serious": complaint.serious,
        "urgent": complaint.urgent,
    }


def assessed(complaint: Complaint, actor: Actor, *, from_status: str, note: str = "") -> Event:
    return _step(complaint, ComplaintEvent.ASSESS, actor, from_status, note=note, data=_assessment(complaint))


def reassessed(complaint: Complaint, actor: Actor, *, from_status: str, note: str = "") -> Event:
    return _step(
        complaint, ComplaintEvent.REASSESS, actor, from_status, note=note, data=_assessment(complaint)
    )


def request_changed(complaint: Complaint, actor: Actor, *, from_status: str) -> Event:
    return _step(
        complaint,
        ComplaintEvent.CHANGE_REQUEST,
        actor,
        from_status,
        note=_("Requested reply time changed"),
    )


def assigned(
    complaint: Complaint, actor: Actor, *, from_status: str, department: Department, handler: Staff | None
) -> Event:
    return _step(
        complaint,
        ComplaintEvent.ASSIGN,
        actor,
        from_status,
        note=_assigned_note(actor, department, handler),
        data={"department": department.pk, "handler": handler.pk if handler else None},
    )


def _assigned_note(actor: Actor, department: Department, handler: Staff | None) -> str:
    """Who has it now: the department, the person named, or the handler who took it (接手)."""
    values = {"department": department.name, "handler": handler.display_name if handler else ""}
    if handler is None:
        return _("Forwarded to %(department)s") % values
    if handler.user_id == getattr(user_of(actor), "pk", None):
        return _("Taken by %(handler)s, for %(department)s") % values
    return _("Forwarded to %(department)s, handler %(handler)s") % values


def referred(complaint: Complaint, actor: Actor, *, from_status: str, note: str = "") -> Event:
    return _step(
        complaint, ComplaintEvent.REFER, actor, from_status, note=note, data={"party": complaint.referred_to}
    )


def referral_result(complaint: Complaint, actor: Actor, *, from_status: str) -> Event:
    return _step(
        complaint, ComplaintEvent.REFERRAL_RESULT, actor, from_status, note=complaint.referral_result
    )


def handled(complaint: Complaint, actor: Actor, *, from_status: str) -> Event:
    return _step(complaint, ComplaintEvent.HANDLE, actor, from_status, note=complaint.measures[:200])


def replied(complaint: Complaint, actor: Actor, *, from_status: str) -> Event:
    return _step(
        complaint,
        ComplaintEvent.REPLY,
        actor,
        from_status,
        note=complaint.reply[:300],
        data={"manner": complaint.reply_manner, "on_time": complaint.on_time},
    )


def _visit(complaint: Complaint, kind: ComplaintEvent, actor: Actor, from_status: str, visit: Visit) -> Event:
    return _step(
        complaint,
        kind,
        actor,
        from_status,
        note=visit.opinion[:300],
        data={"satisfaction": visit.satisfaction, "method": visit.method},
    )


def visited_satisfied(complaint: Complaint, actor: Actor, *, from_status: str, visit: Visit) -> Event:
    return _visit(complaint, ComplaintEvent.VISIT_SATISFIED, actor, from_status, visit)


def visited_dissatisfied(complaint: Complaint, actor: Actor, *, from_status: str, visit: Visit) -> Event:
    return _visit(complaint, ComplaintEvent.VISIT_DISSATISFIED, actor, from_status, visit)


def closed(complaint: Complaint, actor: Actor, *, from_status: str, note: str = "") -> Event:
    return _step(complaint, ComplaintEvent.CLOSE, actor, from_status, note=note)


def closed_by_superior(complaint: Complaint, actor: Actor, *, from_status: str) -> Event:
    return _step(
        complaint, ComplaintEvent.CLOSE_BY_SUPERIOR, actor, from_status, note=complaint.closing_reason
    )


def linked(complaint: Complaint, actor: Actor, *, from_status: str, lead: Complaint | None) -> Event:
    """Linked to a lead complaint, or (``lead`` None) unlinked."""
    if lead is None:
        return _step(complaint, ComplaintEvent.LINK, actor, from_status, note=_("Unlinked"))
    return _step(complaint, ComplaintEvent.LINK, actor, from_status, note=lead.number, data={"lead": lead.pk})


def analysed(complaint: Complaint, actor: Actor, *, from_status: str) -> Event:
    return _step(
        complaint, ComplaintEvent.ANALYSE, actor, from_status, note=complaint.grievance_analysis[:300]
    )


# --- Facts --------------------------------------------------------------------------------------------


def deadline_changed(
    complaint: Complaint, actor: Actor, *, reason: str | Promise, change: dict[str, Any]
) -> Event:
    """The reply deadline moved (``change`` from ``actions.apply_deadline``: old and new). The
    reason is a note for everyone: a lazy text is written in the company's language, whoever acts."""
    with in_company_language():
        note = str(reason)
    return _event(complaint, ComplaintEvent.DEADLINE_CHANGED, actor, note=note, data=change)


def attached(complaint: Complaint, actor: Actor, *, file_name: str) -> Event:
    return _event(complaint, ComplaintEvent.ATTACH, actor, note=file_name)


# --- What the resident does on the status page (W-1) ---------------------------------------------------


def resident_added(complaint: Complaint, actor: Actor, *, text: str, photos: list[int]) -> Event:
    """``photos``: the ids of the files sent with the words (shown back to the resident)."""
    return _event(complaint, ComplaintEvent.RESIDENT_INFO, actor, note=text, data={"photos": photos})


def resident_chased(complaint: Complaint, actor: Actor, *, told: list[str]) -> Event:
    """``told``: the names of the staff the chase reached (staff see them; the resident never does)."""
    return _event(
        complaint,
        ComplaintEvent.RESIDENT_CHASE,
        actor,
        note=_("Passed to %(names)s") % {"names": ", ".join(told)} if told else "",
        data={"status": complaint.status},
    )


def resident_rated(complaint: Complaint, actor: Actor, *, rating: ResidentRating) -> Event:
    return _event(
        complaint,
        ComplaintEvent.RESIDENT_RATING,
        actor,
        note=_("%(score)s: %(comment)s") % {"score": rating.get_score_display(), "comment": rating.comment}
        if rating.comment
        else str(rating.get_score_display()),
        data={"score": rating.score, "reply_round": rating.reply_round},
    )


def resident_reopened(
    complaint: Complaint, actor: Actor, *, from_status: str, rating: ResidentRating
) -> Event:
    return _step(
        complaint,
        ComplaintEvent.RESIDENT_DISSATISFIED,
        actor,
        from_status,
        note=rating.comment[:300],
        data={"score": rating.score},
    )


# --- Transfer slips and work notices ------------------------------------------------------------------


def slip_raised(complaint: Complaint, actor: Actor, *, slip: TransferSlip) -> Event:
    """``data["to"]``: the first signer the raiser chose."""
    return _event(
        complaint,
        ComplaintEvent.RAISE_SLIP,
        actor,
        note=slip.matter[:300],
        data={"slip": slip.number, "to": slip.first_signer},
    )


SLIP_SIGNATURES = {
    "escalate_head": ComplaintEvent.SLIP_ESCALATE_HEAD,
    "escalate_head_gm": ComplaintEvent.SLIP_ESCALATE_HEAD_GM,
    "escalate_deputy": ComplaintEvent.SLIP_ESCALATE_DEPUTY,
    "decide_head": ComplaintEvent.SLIP_DECIDE_HEAD,
    "decide_deputy": ComplaintEvent.SLIP_DECIDE_DEPUTY,
    "decide_gm": ComplaintEvent.SLIP_DECIDE_GM,
}


def slip_signed(slip: TransferSlip, actor: Actor, *, step: str, opinion: str, acting_for: str = "") -> Event:
    """A signer passed the slip up or decided it: ``step`` is the slip workflow's transition
    (one of ``SLIP_SIGNATURES``, each its own kind). ``acting_for``: the role the signer stood in
    for (the timeline shows "孙总（代 副总经理）")."""
    data = {"slip": slip.number, "to": slip.status}
    if acting_for:
        data["acting_for"] = acting_for
    return _event(slip.complaint, SLIP_SIGNATURES[step], actor, note=opinion[:300], data=data)


def slip_result(slip: TransferSlip, actor: Actor) -> Event:
    return _event(
        slip.complaint, ComplaintEvent.SLIP_RESULT, actor, note=slip.result[:300], data={"slip": slip.number}
    )


def notice_issued(complaint: Complaint, actor: Actor, *, notice: WorkNotice) -> Event:
    return _event(
        complaint, ComplaintEvent.ISSUE_NOTICE, actor, note=notice.task[:300], data={"notice": notice.number}
    )


def notice_verified(complaint: Complaint, actor: Actor, *, notice: WorkNotice) -> Event:
    return _event(
        complaint,
        ComplaintEvent.NOTICE_VERIFY,
        actor,
        note=notice.verification[:300],
        data={"notice": notice.number},
    )


def notice_returned(complaint: Complaint, actor: Actor, *, notice: WorkNotice) -> Event:
    return _event(
        complaint,
        ComplaintEvent.NOTICE_RETURN,
        actor,
        note=notice.verification[:300],
        data={"notice": notice.number},
    )
