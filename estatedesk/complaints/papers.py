"""Writes for the papers around complaints: work transfer slips (K-8), work arrangement
notices (K-9) and weekly reviews (K-11). One function per transition of ``workflow.SLIP``
and ``workflow.NOTICE``; same rules as ``services``.

The texts of a slip (its opinions and result) and of a notice (its completion report and
verification) are versioned (decision 0011): each step that writes one takes ``based_on``,
the paper's ``edit_version`` the person saw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints import events, workflow
from estatedesk.complaints.models import (
    Complaint,
    NoticeOrigin,
    Signature,
    TransferSlip,
    WeeklyReview,
    WorkNotice,
)
from estatedesk.complaints.selectors import addressable_departments, complaints_for, notices_for, slips_for
from estatedesk.core import policy
from estatedesk.core.actors import Actor, stamp
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.i18n import in_company_language
from estatedesk.core.numbering import next_number
from estatedesk.core.policy import staff_of
from estatedesk.core.versioning import MOVED_ON_MESSAGE, take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.notifications.recipients import people_of, people_with_role
from estatedesk.notifications.services import tell
from estatedesk.org.acting import STAND_INS, acting_for, stand_in_allowed
from estatedesk.org.models import Department, Estate, Staff

# --- Work transfer slips (K-8) -----------------------------------------------------------------


# Who has no first signer to choose from (by role): the refusal, in the words people know.
FIRST_SIGNER_REFUSALS = {
    "department_head": gettext_lazy(
        "Nobody signs a slip they raised: a department head sends it to the deputy GM or the GM."
    ),
    "deputy_gm": gettext_lazy("Nobody signs a slip they raised: send it to the GM."),
    "gm": gettext_lazy("The general manager decides without a slip."),
}


def _heads_of(c: Complaint, raiser_id: int | None = None) -> list[Any]:
    """The heads of the complaint's department who may sign at its first step (not the raiser)."""
    heads = Staff.objects.filter(role="department_head", departments=c.department_id, user__is_active=True)
    if raiser_id is not None:
        heads = heads.exclude(pk=raiser_id)
    return list(heads.select_related("user"))


def _nearest_superior(actor: Actor, complaint: Complaint | int) -> str:
    staff = staff_of(actor)
    role = staff.role if staff is not None else ""
    if role == "deputy_gm":
        return "gm"
    if role in workflow.SLIP.get(workflow.SLIP_RAISE["department_head"]).roles:
        pk = complaint if isinstance(complaint, int) else complaint.pk
        c = complaints_for(actor).filter(pk=pk).first()  # as saved now: it may have been forwarded
        if c is not None and _heads_of(c, staff.pk if staff is not None else None):
            return "department_head"
    return "deputy_gm"


@transaction.atomic
def raise_slip(
    *,
    actor: Actor,
    complaint: Complaint | int,
    matter: str,
    handler_opinion: str = "",
    first_signer: str = "",
) -> TransferSlip:
    """A handler who cannot resolve a complaint passes it to a superior (§7.2.8): the head of the
    complaint's department, or when the matter needs it directly the deputy GM or the GM. Nobody
    signs a slip they raised, so a department head chooses the deputy GM or the GM.

    ``first_signer`` left empty: the nearest superior — the head of the complaint's department
    when it has one (not the raiser), otherwise the deputy GM (a management office's supervisor
    has nobody else above him), for the deputy GM the GM."""
    staff = staff_of(actor)
    if not first_signer:
        first_signer = _nearest_superior(actor, complaint)
    if first_signer not in workflow.SLIP_RAISE:
        raise InvalidInput(_("Choose who signs first."), field="first_signer")
    raising = workflow.SLIP.get(workflow.SLIP_RAISE[first_signer])
    if staff is not None and staff.role in FIRST_SIGNER_REFUSALS and staff.role not in raising.roles:
        raise NotAllowed(FIRST_SIGNER_REFUSALS[staff.role], field="first_signer")
    staff = require(actor, raising)
    step = workflow.COMPLAINT.get("raise_slip")
    pk = complaint if isinstance(complaint, int) else complaint.pk
    c = lock(complaints_for(actor).select_related("department"), pk)
    check_source(workflow.COMPLAINT, step, c.status, c.number)
    if not matter.strip():
        raise InvalidInput(_("Describe what you cannot resolve."), field="matter")
    if c.slips.exclude(status=workflow.DONE).exists():
        raise AlreadyHandled(_("%(number)s already has an open work transfer slip.") % {"number": c.number})
    if first_signer == "department_head" and not _heads_of(c, staff.pk):
        raise InvalidInput(
            _("%(department)s has no department head to sign: send the slip to the deputy GM or the GM.")
            % {"department": c.department.name},
            field="first_signer",
        )
    current = now()
    slip = TransferSlip(
        number=next_number("CQ", current),
        complaint=c,
        status=raising.result(""),
        first_signer=first_signer,
        raised_by=staff,
        raised_at=current,
        matter=matter.strip(),
        handler_opinion=handler_opinion.strip(),
    )
    stamp(slip, actor)
    slip.save()
    events.slip_raised(c, actor, slip=slip)
    _tell_signers(slip, c)
    return slip


def _signers(slip: TransferSlip, c: Complaint) -> list[Any]:
    """Who is told that the slip waits: the heads of the complaint's department (never the
    raiser), the deputy GM, or the GM. With no deputy GM and the GM standing in for one, the GM."""
    role = workflow.SLIP_SIGNER.get(slip.status)
    if role is None:
        return []
    if role == "department_head":
        return [h.user for h in _heads_of(c, slip.raised_by_id)]
    users = [u for u in people_with_role(role) if u.pk != slip.raised_by.user_id]
    if not users and role in STAND_INS and stand_in_allowed(role):
        users = [u for u in people_with_role(STAND_INS[role]) if u.pk != slip.raised_by.user_id]
    return users


def _tell_signers(slip: TransferSlip, c: Complaint) -> None:
    users = _signers(slip, c)
    if not users:
        return
    with in_company_language():
        tell(
            users,
            key=f"{slip.number}:{slip.status}",
            subject=_("Work transfer slip %(number)s waits for your signature") % {"number": slip.number},
            body=slip.matter[:300],
            link=reverse("complaints:slip_detail", args=[slip.pk]),
        )


def signing_as(actor: Actor, slip: TransferSlip) -> str | None:
    """The role the actor signs the slip's current step in (``""``: their own; ``"deputy_gm"``:
    the GM standing in), or ``None`` when it is not theirs to sign. Nobody signs a slip they raised;
    at the head's step, only a head of the complaint's department signs."""
    role = workflow.SLIP_SIGNER.get(slip.status)
    staff = staff_of(actor)
    if staff is None or role is None or staff.pk == slip.raised_by_id:
        return None
    acting = acting_for(actor, role)
    if acting is None:
        return None
    if role == "department_head" and not staff.departments.filter(pk=slip.complaint.department_id).exists():
        return None
    return acting


def _may_sign(actor: Actor, slip: TransferSlip) -> str:
    acting = signing_as(actor, slip)
    if acting is not None:
        return acting
    staff = staff_of(actor)
    if staff is not None and staff.pk == slip.raised_by_id:
        raise NotAllowed(_("Nobody signs a slip they raised."))
    if (
        workflow.SLIP_SIGNER.get(slip.status) == "department_head"
        and staff is not None
        and staff.role == "department_head"
    ):
        raise NotAllowed(_("Only the head of the handling department signs at this step."))
    raise NotAllowed(_("This slip waits for another signer."))


def _last_opinion(s: TransferSlip) -> dict[str, str]:
    last = s.signatures.order_by("-signed_at", "-id").first()
    return {"opinion": last.opinion if last is not None else ""}


@transaction.atomic
def sign_slip(
    *,
    actor: Actor,
    slip: TransferSlip | int,
    opinion: str,
    decision: str,
    to: str = "",
    based_on: int | None = None,
) -> TransferSlip:
    """The current signer writes an opinion and either decides or passes the slip up (K-8):
    the head to the deputy GM (``to`` "deputy_gm", the default) or directly to the GM, the deputy
    GM to the GM; the GM decides.

    Two signers at once (a department with two heads): the second is shown the first one's
    opinion (``StaleEdit``), not "waits for another signer"."""
    pk = slip if isinstance(slip, int) else slip.pk
    s = lock(slips_for(actor), pk)
    # Before the signer and status checks: each signature moves the slip on, so a newer version
    # means someone signed meanwhile; they are shown that opinion (409), not "another signer".
    take_edit(s, based_on, current=_last_opinion(s), message=MOVED_ON_MESSAGE)
    if decision not in ("escalate", "decide"):
        raise InvalidInput(_("Choose to decide or to pass up."), field="decision")
    level = workflow.SLIP_SIGNER.get(s.status)
    if level is None:
        raise AlreadyHandled(_("%(number)s has already been decided.") % {"number": s.number})
    if decision == "decide":
        name = workflow.SLIP_DECIDE[level]
    elif level == "gm":
        raise InvalidInput(_("The general manager is the last signer: decide."), field="decision")
    else:
        target = to or ("deputy_gm" if level == "department_head" else "gm")
        if (level, target) not in workflow.SLIP_PASS_UP:
            raise InvalidInput(_("Pass the slip up to a signer above you."), field="to")
        name = workflow.SLIP_PASS_UP[(level, target)]
    transition = workflow.SLIP.get(name)
    acting = _may_sign(actor, s)
    check_source(workflow.SLIP, transition, s.status, s.number)
    if not opinion.strip():
        raise InvalidInput(_("Write your opinion."), field="opinion")
    staff = staff_of(actor)
    assert staff is not None
    before = s.status
    Signature.objects.create(
        slip=s,
        level=workflow.SLIP_SIGNER[before],
        signer=staff,
        acting_for=acting,
        signed_at=now(),
        opinion=opinion.strip(),
        decision=decision,
    )
    s.status = transition.result(before)
    stamp(s, actor)
    s.save()
    events.slip_signed(s, actor, step=name, opinion=opinion.strip(), acting_for=acting)
    if s.status == workflow.DECIDED:
        with in_company_language():
            tell(
                [s.raised_by.user],
                key=f"{s.number}:decided",
                subject=_("Work transfer slip %(number)s decided") % {"number": s.number},
                body=opinion.strip()[:300],
                link=reverse("complaints:slip_detail", args=[s.pk]),
            )
    else:
        _tell_signers(s, s.complaint)
    return s


@transaction.atomic
def record_slip_result(
    *, actor: Actor, slip: TransferSlip | int, result: str, based_on: int | None = None
) -> TransferSlip:
    """The final result written on the slip; it is then replied to the customer on the complaint."""
    transition = workflow.SLIP.get("record_result")
    staff = require(actor, transition)
    pk = slip if isinstance(slip, int) else slip.pk
    s = lock(slips_for(actor), pk)
    take_edit(s, based_on, current={"result": s.result}, message=MOVED_ON_MESSAGE)
    check_source(workflow.SLIP, transition, s.status, s.number)
    if not result.strip():
        raise InvalidInput(_("Write the final result."), field="result")
    s.result = result.strip()
    s.result_by = staff
    s.result_at = now()
    s.status = transition.result(s.status)
    stamp(s, actor)
    s.save()
    events.slip_result(s, actor)
    return s


# --- Work arrangement notices (K-9) -------------------------------------------------------------


def decider_of(slip: TransferSlip) -> int | None:
    """The staff id of the leader who decided the slip (its last signature, a decision)."""
    last = slip.signatures.order_by("-signed_at", "-id").first()
    return last.signer_id if last is not None and last.decision == "decide" else None


@transaction.atomic
def issue_notice(
    *,
    actor: Actor,
    department: Department,
    task: str,
    due_at: datetime,
    slip: TransferSlip | int | None = None,
    estate: Estate | None = None,
) -> WorkNotice:
    """A superior's instruction to a department under them (§7.2.9): issued on their own
    initiative, or by the leader who decided a slip, to the responsible department. A department
    head addresses the departments they head; the deputy GM and the GM any department."""
    transition = workflow.NOTICE.get("issue")
    if policy.role_of(actor) not in transition.roles:
        raise NotAllowed(
            _(
                "A work arrangement notice is a leader's instruction: it is issued by a department head, "
                "the deputy GM or the GM."
            )
        )
    staff = require(actor, transition)
    current = now()
    if department.developer_id is not None or not department.active:
        raise InvalidInput(_("Choose one of the company's own departments."), field="department")
    if not addressable_departments(actor).filter(pk=department.pk).exists():
        raise NotAllowed(
            _(
                "%(department)s is not under you: a department head issues notices only to the "
                "departments they head."
            )
            % {"department": department.name},
            field="department",
        )
    if not task.strip():
        raise InvalidInput(_("Describe the task."), field="task")
    if due_at <= current:
        raise InvalidInput(_("The completion deadline must be in the future."), field="due_at")
    the_slip: TransferSlip | None = None
    complaint: Complaint | None = None
    if slip is not None:
        pk = slip if isinstance(slip, int) else slip.pk
        the_slip = slips_for(actor).filter(pk=pk).first()
        if the_slip is None:
            raise NotFound(_("Not found, or not yours to see."), field="slip")
        if the_slip.status != workflow.DECIDED:
            raise InvalidInput(_("A notice is issued from a slip once the slip is decided."), field="slip")
        if decider_of(the_slip) != staff.pk:
            raise NotAllowed(_("The notice of a slip is issued by the leader who decided it."), field="slip")
        complaint = the_slip.complaint
        estate = complaint.estate
    elif estate is not None:
        ids = policy.estate_ids(actor)
        if ids is not None and estate.pk not in ids:
            raise NotFound(_("Not found, or not yours to see."), field="estate")
    notice = WorkNotice(
        number=next_number("AP", current),
        origin=NoticeOrigin.SLIP if the_slip else NoticeOrigin.INITIATIVE,
        status=transition.result(""),
        slip=the_slip,
        complaint=complaint,
        estate=estate,
        issued_by=staff,
        issued_at=current,
        department=department,
        task=task.strip(),
        due_at=due_at,
    )
    stamp(notice, actor)
    notice.save()
    if complaint is not None:
        events.notice_issued(complaint, actor, notice=notice)
    with in_company_language():
        tell(
            people_of(department, ("department_head", "handler")),
            key=f"{notice.number}:issued",
            subject=_("Work arrangement notice %(number)s for your department") % {"number": notice.number},
            body=notice.task[:300],
            link=reverse("complaints:notice_detail", args=[notice.pk]),
        )
    return notice


def _locked_notice(
    actor: Actor,
    notice: WorkNotice | int,
    name: str,
    based_on: int | None,
    text: Callable[[WorkNotice], dict[str, str]],
) -> tuple[WorkNotice, workflow.Transition]:
    """The notice locked for a step that writes one of its texts (``text``: it, as now saved)."""
    transition = workflow.NOTICE.get(name)
    require(actor, transition)
    pk = notice if isinstance(notice, int) else notice.pk
    n = lock(notices_for(actor), pk)
    check_source(workflow.NOTICE, transition, n.status, n.number)
    # The status guard misses a notice returned and reported again since the form was opened:
    # its status is back where it was, its texts are not.
    take_edit(n, based_on, current=text(n))
    return n, transition


@transaction.atomic
def report_notice(
    *, actor: Actor, notice: WorkNotice | int, report: str, based_on: int | None = None
) -> WorkNotice:
    n, transition = _locked_notice(
        actor, notice, "report", based_on, lambda n: {"report": n.completion_report}
    )
    staff = staff_of(actor)
    assert staff is not None
    if not policy.sees_all(actor) and not staff.departments.filter(pk=n.department_id).exists():
        raise NotAllowed(_("Only the responsible department reports completion."))
    if not report.strip():
        raise InvalidInput(_("Write what was done."), field="report")
    n.completion_report = report.strip()
    n.reported_by = staff
    n.reported_at = now()
    n.status = transition.result(n.status)
    stamp(n, actor)
    n.save()
    with in_company_language():
        tell(
            [n.issued_by.user],
            key=f"{n.number}:reported:{n.reported_at.isoformat()}",
            subject=_("Work arrangement notice %(number)s reported done") % {"number": n.number},
            body=n.completion_report[:300],
            link=reverse("complaints:notice_detail", args=[n.pk]),
        )
    return n


@transaction.atomic
def verify_notice(
    *,
    actor: Actor,
    notice: WorkNotice | int,
    accepted: bool,
    verification: str,
    based_on: int | None = None,
) -> WorkNotice:
    n, transition = _locked_notice(
        actor,
        notice,
        "verify" if accepted else "return",
        based_on,
        lambda n: {"verification": n.verification},
    )
    staff = staff_of(actor)
    assert staff is not None
    if n.issued_by_id != staff.pk and staff.role not in ("deputy_gm", "gm"):
        raise NotAllowed(_("The issuer verifies the notice."))
    if not verification.strip():
        raise InvalidInput(_("Write what you found."), field="verification")
    n.verification = verification.strip()
    n.verified_by = staff
    n.verified_at = now()
    n.status = transition.result(n.status)
    stamp(n, actor)
    n.save()
    if n.complaint is not None:
        verified = events.notice_verified if accepted else events.notice_returned
        verified(n.complaint, actor, notice=n)
    return n


# --- Weekly review (K-11) ---------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    zone = company_zone()
    start = datetime(week_start.year, week_start.month, week_start.day, tzinfo=zone)
    return start, start + timedelta(days=7)


@transaction.atomic
def review_week(*, actor: Actor, department: Department, week_start: date, remarks: str = "") -> WeeklyReview:
    """The head's sign-off of the week's complaint records and slips, once per department and week."""
    staff = staff_of(actor)
    if (
        staff is None
        or staff.role != "department_head"
        or not staff.departments.filter(pk=department.pk).exists()
    ):
        raise NotAllowed(_("Only the head of this department signs its weekly review."))
    week_start = week_of(week_start)
    today = now().astimezone(company_zone()).date()
    if week_start > today:
        raise InvalidInput(_("This week has not started yet."), field="week_start")
    start, end = week_bounds(week_start)
    complaints = Complaint.objects.filter(
        department=department, received_at__gte=start, received_at__lt=end
    ).count()
    slips = TransferSlip.objects.filter(
        complaint__department=department, raised_at__gte=start, raised_at__lt=end
    ).count()
    review = WeeklyReview(
        department=department,
        week_start=week_start,
        reviewed_by=staff,
        reviewed_at=now(),
        remarks=remarks.strip(),
        complaint_count=complaints,
        slip_count=slips,
    )
    stamp(review, actor)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        raise AlreadyHandled(_("This week has already been reviewed.")) from exc
    return review
