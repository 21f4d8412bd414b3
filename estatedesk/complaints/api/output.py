"""How complaints, slips and notices look in API answers (``estatedesk.complaints.api.complaints``).

Everything that depends on the reader or on the moment — masked names, the "due soon"
windows, the company's time zone, "now" — is worked out once per request in ``Viewer``,
so a list costs the same number of queries whatever its length.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.complaints import selectors, services, workflow
from estatedesk.complaints.deadlines import SoonWindows
from estatedesk.complaints.models import Complaint, Event, TransferSlip, WorkNotice
from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.api import service_errors as api_service_errors
from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.org import channels


@dataclass(frozen=True)
class Viewer:
    user: Actor
    names: bool
    now: datetime
    windows: SoonWindows
    zone: ZoneInfo
    channels: dict[str, str]

    @classmethod
    def of(cls, user: Actor, company: CompanySettings | None = None) -> Viewer:
        """``company``: the settings this request has already read (intake's), else read now."""
        company = company or CompanySettings.load()
        return cls(
            user=user,
            names=policy.can_see_contact_names(user),
            now=timezone.now(),
            windows=selectors.soon_windows(company),
            zone=company_zone(company),
            channels=channels.names(),
        )

    def time(self, value: datetime | None) -> datetime | None:
        """Times leave in the company's zone (+08:00), which is what people there read."""
        return value.astimezone(self.zone) if value is not None else None

    def name(self, value: str) -> str:
        return value if self.names else crypto.mask_name(value)


def _staff_name(staff: Any) -> str:
    return staff.display_name if staff is not None else ""


def _user_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    staff = policy.staff_of(user)
    return staff.display_name if staff is not None else user.get_username()


# --- Errors --------------------------------------------------------------------------------


def service_errors(payload: Any = None) -> AbstractContextManager[None]:
    """A service's refusal in the API's error format (``core.api.service_errors``), the
    request's fields being those of ``payload``."""
    return api_service_errors(type(payload).model_fields if payload is not None else ())


# --- Complaints ----------------------------------------------------------------------------


def complaint_item(c: Complaint, viewer: Viewer) -> dict[str, Any]:
    """A list row: only what ``selectors.complaint_list`` has already joined."""
    return {
        "number": c.number,
        "kind": c.kind,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "estate": c.estate_id,
        "estate_name": c.estate.name,
        "unit": c.unit_id,
        "unit_label": c.unit.label if c.unit is not None else "",
        "category": c.category.code,
        "category_name": str(c.category),
        "channel": c.channel,
        "channel_name": viewer.channels.get(c.channel, c.channel),
        "complainant_name": viewer.name(c.complainant_name),
        "phone_masked": c.masked_phone,
        "received_at": viewer.time(c.received_at),
        "reply_due": viewer.time(c.reply_due),
        "due_basis": c.due_basis,
        "due_provisional": c.due_provisional,
        "due_state": selectors.due_state_of(c, viewer.now, viewer.windows),
        "department": c.department_id,
        "department_name": c.department.name,
        "handler": c.handler_id,
        "handler_name": _staff_name(c.handler),
        "valid": c.valid,
        "on_time": c.on_time,
    }


# Where each workflow step is taken in the API (the path after /api/complaints/{number}/).
STEP_ACTIONS = {
    "assess": ("assess",),
    "reassess": ("assess",),
    "refer": ("refer",),
    "referral_result": ("referral-result",),
    "handle": ("handle",),
    "change_request": ("request",),
    "assign": ("assign",),
    "reply": ("reply",),
    "visit_satisfied": ("visit",),
    "visit_dissatisfied": ("visit",),
    "close": ("close",),
    "close_by_superior": ("close-by-superior",),
    "link": ("link",),
    "analyse": ("analyse",),
    "raise_slip": ("slip",),
}


def _action_labels() -> dict[str, str]:
    return {
        "request": _("Change the reply time the customer asked for"),
        "assign": _("Forward to a department"),
        "visit": _("Record the follow-up visit"),
    }


def allowed_actions(user: Actor, c: Complaint) -> list[dict[str, str]]:
    labels = _action_labels()
    seen: dict[str, str] = {}
    for step in services.staff_can(user, c):
        for action in STEP_ACTIONS.get(step.name, ()):
            seen.setdefault(action, labels.get(action, str(step.label)))
    return [{"action": action, "label": label} for action, label in seen.items()]


def complaint_detail(
    c: Complaint, viewer: Viewer, *, new: bool = False, timeline: list[Event] | None = None
) -> dict[str, Any]:
    """The whole record, its papers and its timeline.

    ``new``: the complaint was recorded by this very request, so nothing hangs on it yet —
    no visits, duplicates, slips, notices or attachments — and those lists are answered
    empty without asking the database. ``timeline``: the events as the caller wrote them
    (intake's), else they are read."""
    out = complaint_item(c, viewer)
    t = viewer.time
    developer = c.referred_developer
    out.update(
        {
            "description": c.description,
            "customer": c.customer_id,
            "requested_reply_at": t(c.requested_reply_at),
            "recorded_by": _user_name(c.recorded_by) if c.recorded_by_id else "",
            "created_at": t(c.created_at),
            "assessment": {
                "cause": c.cause or None,
                "cause_label": str(c.get_cause_display()) if c.cause else "",
                "valid": c.valid,
                "serious": c.serious,
                "urgent": c.urgent,
                "assessed_at": t(c.assessed_at),
            },
            "referral": {
                "developer": c.referred_developer_id,
                "developer_name": developer.name if developer is not None else "",
                "party": c.referred_to,
                "referred_at": t(c.referred_at),
                "result": c.referral_result,
                "result_at": t(c.referral_result_at),
            },
            "handling": {"cause_analysis": c.cause_analysis, "measures": c.measures, "result": c.result},
            "reply": {
                "content": c.reply,
                "manner": c.reply_manner or None,
                "replied_at": t(c.replied_at),
                "first_replied_at": t(c.first_replied_at),
                "replied_by": _staff_name(c.replied_by),
                "at_intake": c.replied_at_intake,
                "on_time": c.on_time,
            },
            "visits": [
                {
                    "visited_at": t(v.visited_at),
                    "visitor": _staff_name(v.visitor),
                    "method": v.method,
                    "opinion": v.opinion,
                    "satisfaction": v.satisfaction,
                }
                for v in ([] if new else c.visits.select_related("visitor"))
            ],
            "closing": {
                "complainant_opinion": c.complainant_opinion,
                "satisfaction": c.satisfaction or None,
                "reopen_count": c.reopen_count,
                "reopened_at": t(c.reopened_at),
                "closed_at": t(c.closed_at),
                "reason": c.closing_reason,
            },
            "analysis": c.grievance_analysis,
            "lead": c.lead.number if c.lead_id is not None and c.lead is not None else None,
            "duplicates": []
            if new
            else list(c.duplicates.order_by("received_at", "id").values_list("number", flat=True)),
            "slips": [
                {
                    "number": s.number,
                    "status": s.status,
                    "status_label": str(s.get_status_display()),
                    "raised_at": t(s.raised_at),
                    "matter": s.matter,
                    "result": s.result,
                }
                for s in ([] if new else c.slips.order_by("raised_at", "id"))
            ],
            "notices": [
                {
                    "number": n.number,
                    "status": n.status,
                    "status_label": str(n.get_status_display()),
                    "department_name": n.department.name,
                    "due_at": t(n.due_at),
                }
                for n in ([] if new else c.notices.select_related("department").order_by("issued_at", "id"))
            ],
            "attachments": [
                {
                    "name": a.original_name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "uploaded_at": t(a.uploaded_at),
                }
                for a in ([] if new else c.attachments.all())
            ],
            "events": [
                {
                    "action": e.action,
                    "at": t(e.at),
                    "actor": e.actor_name,
                    "acting_for": str(e.data.get("acting_for", "")),
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "note": e.note,
                }
                for e in (timeline if timeline is not None else selectors.timeline(c))
            ],
            "allowed_actions": allowed_actions(viewer.user, c),
            "version": c.edit_version,
        }
    )
    return out


# --- Transfer slips ------------------------------------------------------------------------


def slip_item(s: TransferSlip, viewer: Viewer) -> dict[str, Any]:
    return {
        "number": s.number,
        "status": s.status,
        "status_label": str(s.get_status_display()),
        "waiting_for": workflow.SLIP_SIGNER.get(s.status),
        "first_signer": s.first_signer,
        "complaint": s.complaint.number,
        "estate": s.complaint.estate_id,
        "estate_name": s.complaint.estate.name,
        "department_name": s.complaint.department.name,
        "raised_by": _staff_name(s.raised_by),
        "raised_at": viewer.time(s.raised_at),
        "matter": s.matter,
    }


def slip_detail(s: TransferSlip, viewer: Viewer) -> dict[str, Any]:
    out = slip_item(s, viewer)
    out.update(
        {
            "handler_opinion": s.handler_opinion,
            "signatures": [
                {
                    "level": sig.level,
                    "signer": _staff_name(sig.signer),
                    "acting_for": sig.acting_for,
                    "signed_at": viewer.time(sig.signed_at),
                    "opinion": sig.opinion,
                    "decision": sig.decision,
                }
                for sig in s.signatures.select_related("signer")
            ],
            "result": s.result,
            "result_by": _staff_name(s.result_by),
            "result_at": viewer.time(s.result_at),
            "notices": list(s.notices.order_by("issued_at", "id").values_list("number", flat=True)),
            "version": s.edit_version,
        }
    )
    return out


# --- Work arrangement notices --------------------------------------------------------------


def notice_item(n: WorkNotice, viewer: Viewer) -> dict[str, Any]:
    return {
        "number": n.number,
        "origin": n.origin,
        "status": n.status,
        "status_label": str(n.get_status_display()),
        "department": n.department_id,
        "department_name": n.department.name,
        "estate": n.estate_id,
        "estate_name": n.estate.name if n.estate is not None else "",
        "complaint": n.complaint.number if n.complaint is not None else None,
        "slip": n.slip.number if n.slip is not None else None,
        "issued_by": _staff_name(n.issued_by),
        "issued_at": viewer.time(n.issued_at),
        "task": n.task,
        "due_at": viewer.time(n.due_at),
    }


def notice_detail(n: WorkNotice, viewer: Viewer) -> dict[str, Any]:
    out = notice_item(n, viewer)
    out.update(
        {
            "completion_report": n.completion_report,
            "reported_by": _staff_name(n.reported_by),
            "reported_at": viewer.time(n.reported_at),
            "verification": n.verification,
            "verified_by": _staff_name(n.verified_by),
            "verified_at": viewer.time(n.verified_at),
            "version": n.edit_version,
        }
    )
    return out
