"""The states and the allowed transitions, declared once (SPEC K-1 … K-10, K-17).

``services`` refuses any move that is not listed here, and ``core.flowchart`` draws the
procedure's flowcharts (§9.1, §9.5) from the same tables, so the pictures cannot disagree
with what the system does. Each record's states are an enum here; its workflow lists them in
drawing order and the model's status field takes its choices from the workflow. Pure: no
queries.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.workflow import Transition, Workflow

HANDLING_ROLES = frozenset({"handler", "department_head", "cs_supervisor", "deputy_gm", "gm"})
INTAKE_ROLES = HANDLING_ROLES | {"duty_staff"}
LEADERSHIP_ROLES = frozenset({"deputy_gm", "gm"})
SUPERIOR_ROLES = frozenset({"department_head", "deputy_gm", "gm"})
# Who issues a work arrangement notice (§7.2.9): a leader, to departments under them (a head to
# the departments they head; the deputy GM and the GM to any). Notices issued before this rule
# by the customer-service supervisor are still verified by them (``VERIFIER_ROLES``).
ISSUER_ROLES = frozenset({"department_head", "deputy_gm", "gm"})
VERIFIER_ROLES = ISSUER_ROLES | {"cs_supervisor"}

# A resident acting through the complaint's private link (no account, no staff role).
RESIDENT_ROLES = frozenset({"resident"})

ALL_KINDS = frozenset({"complaint", "grievance", "enquiry"})
COMPLAINT_ONLY = frozenset({"complaint"})


class Status(models.TextChoices):
    """A complaint's states (``Complaint.status``), in drawing order."""

    NEW = "new", _("Waiting for assessment")
    IN_PROGRESS = "in_progress", _("Being handled")
    REFERRED = "referred", _("With developer or outside party")
    REPLIED = "replied", _("Replied, waiting for visit")
    CLOSED = "closed", _("Closed")


NEW, IN_PROGRESS, REFERRED, REPLIED, CLOSED = (s.value for s in Status)
OPEN = (NEW, IN_PROGRESS, REFERRED, REPLIED)

COMPLAINT = Workflow(
    name="complaint",
    states=tuple(Status.choices),
    final=frozenset({CLOSED}),
    transitions=(
        Transition("record", _("Record"), (), NEW, INTAKE_ROLES),
        Transition("record_answered", _("Record with an immediate reply"), (), REPLIED, INTAKE_ROLES),
        Transition(
            "assess", _("Assess cause and urgency"), (NEW,), IN_PROGRESS, HANDLING_ROLES, COMPLAINT_ONLY
        ),
        Transition(
            "reassess",
            _("Change the assessment"),
            (IN_PROGRESS, REFERRED, REPLIED),
            None,
            HANDLING_ROLES,
            COMPLAINT_ONLY,
        ),
        Transition(
            "refer",
            _("Refer to developer or outside party"),
            (IN_PROGRESS,),
            REFERRED,
            HANDLING_ROLES,
            COMPLAINT_ONLY,
        ),
        Transition(
            "referral_result",
            _("Record the party's result"),
            (REFERRED,),
            IN_PROGRESS,
            HANDLING_ROLES,
            COMPLAINT_ONLY,
        ),
        Transition(
            "handle", _("Record cause, measures and result"), (NEW, IN_PROGRESS), None, HANDLING_ROLES
        ),
        Transition(
            "change_request",
            _("Change the requested reply time"),
            (NEW, IN_PROGRESS),
            None,
            HANDLING_ROLES,
        ),
        Transition("assign", _("Forward to a department"), (NEW, IN_PROGRESS), None, HANDLING_ROLES),
        Transition("reply", _("Reply to the customer"), (NEW, IN_PROGRESS), REPLIED, HANDLING_ROLES),
        Transition(
            "visit_satisfied",
            _("Follow-up visit: satisfied"),
            (REPLIED,),
            CLOSED,
            HANDLING_ROLES,
            frozenset({"complaint", "grievance"}),
        ),
        Transition(
            "visit_dissatisfied",
            _("Follow-up visit: dissatisfied, reopen"),
            (REPLIED,),
            IN_PROGRESS,
            HANDLING_ROLES,
            frozenset({"complaint", "grievance"}),
        ),
        Transition(
            "resident_dissatisfied",
            _("Resident's rating: dissatisfied, reopen"),
            (REPLIED,),
            IN_PROGRESS,
            RESIDENT_ROLES,
            frozenset({"complaint", "grievance"}),
        ),
        Transition("close", _("Close"), (REPLIED,), CLOSED, HANDLING_ROLES),
        Transition(
            "close_by_superior",
            _("Close with a superior's reason"),
            (IN_PROGRESS, REFERRED, REPLIED),
            CLOSED,
            SUPERIOR_ROLES,
        ),
        Transition("link", _("Handle together with a lead complaint"), OPEN, None, HANDLING_ROLES),
        Transition(
            "analyse",
            _("Department head's analysis"),
            OPEN + (CLOSED,),
            None,
            SUPERIOR_ROLES,
            frozenset({"grievance"}),
        ),
        Transition(
            "raise_slip",
            _("Raise a work transfer slip"),
            (NEW, IN_PROGRESS, REFERRED),
            None,
            HANDLING_ROLES - {"gm"},  # the GM has nobody above: he decides without a slip
        ),
    ),
)


class SlipStatus(models.TextChoices):
    """A work transfer slip's states (``TransferSlip.status``), in drawing order."""

    AT_HEAD = "at_head", _("With the department head")
    AT_DEPUTY_GM = "at_deputy_gm", _("With the deputy GM")
    AT_GM = "at_gm", _("With the GM")
    DECIDED = "decided", _("Decided, waiting for the result")
    DONE = "done", _("Result recorded")


AT_HEAD, AT_DEPUTY_GM, AT_GM, DECIDED, DONE = (s.value for s in SlipStatus)
SLIP_SIGNING = (AT_HEAD, AT_DEPUTY_GM, AT_GM)
# Who signs at each step of the chain (§7.2.8, §9.5), in the chain's order.
SLIP_SIGNER = {AT_HEAD: "department_head", AT_DEPUTY_GM: "deputy_gm", AT_GM: "gm"}
SIGNER_STEP = {role: status for status, role in SLIP_SIGNER.items()}
SIGNER_ROLES = tuple(SLIP_SIGNER.values())  # "department_head", "deputy_gm", "gm"

# The raiser chooses the first signer among their superiors (§7.2.8: the superior, or when the
# matter needs it directly the deputy GM or the GM). Nobody signs a slip they raised, so a
# department head raises to the deputy GM or the GM, and the deputy GM to the GM; the GM, with
# nobody above, decides himself and raises no slip.
RAISERS = frozenset({"handler", "cs_supervisor"})
SLIP_RAISE = {"department_head": "raise", "deputy_gm": "raise_to_deputy", "gm": "raise_to_gm"}
# Each signer decides or passes it up: the head to the deputy GM or directly to the GM, the
# deputy GM to the GM; the GM decides. (signer, pass up to) -> transition.
SLIP_PASS_UP = {
    ("department_head", "deputy_gm"): "escalate_head",
    ("department_head", "gm"): "escalate_head_gm",
    ("deputy_gm", "gm"): "escalate_deputy",
}
SLIP_DECIDE = {"department_head": "decide_head", "deputy_gm": "decide_deputy", "gm": "decide_gm"}

SLIP = Workflow(
    name="slip",
    states=tuple(SlipStatus.choices),
    final=frozenset({DONE}),
    transitions=(
        Transition("raise", _("Raise the slip to the department head"), (), AT_HEAD, RAISERS),
        Transition(
            "raise_to_deputy",
            _("Raise the slip directly to the deputy GM"),
            (),
            AT_DEPUTY_GM,
            RAISERS | {"department_head"},
        ),
        Transition(
            "raise_to_gm",
            _("Raise the slip directly to the GM"),
            (),
            AT_GM,
            RAISERS | {"department_head", "deputy_gm"},
        ),
        Transition(
            "escalate_head",
            _("Department head: pass up"),
            (AT_HEAD,),
            AT_DEPUTY_GM,
            frozenset({"department_head"}),
        ),
        Transition(
            "escalate_head_gm",
            _("Department head: pass up to the GM"),
            (AT_HEAD,),
            AT_GM,
            frozenset({"department_head"}),
        ),
        Transition(
            "escalate_deputy", _("Deputy GM: pass up"), (AT_DEPUTY_GM,), AT_GM, frozenset({"deputy_gm"})
        ),
        Transition(
            "decide_head", _("Department head: decide"), (AT_HEAD,), DECIDED, frozenset({"department_head"})
        ),
        Transition(
            "decide_deputy", _("Deputy GM: decide"), (AT_DEPUTY_GM,), DECIDED, frozenset({"deputy_gm"})
        ),
        Transition("decide_gm", _("GM: decide"), (AT_GM,), DECIDED, frozenset({"gm"})),
        Transition("record_result", _("Record the final result"), (DECIDED,), DONE, HANDLING_ROLES),
    ),
)


class NoticeStatus(models.TextChoices):
    """A work arrangement notice's states (``WorkNotice.status``), in drawing order."""

    ISSUED = "issued", _("Issued")
    REPORTED = "reported", _("Completion reported")
    VERIFIED = "verified", _("Verified")


ISSUED, REPORTED, VERIFIED = (s.value for s in NoticeStatus)

NOTICE = Workflow(
    name="notice",
    states=tuple(NoticeStatus.choices),
    final=frozenset({VERIFIED}),
    transitions=(
        Transition("issue", _("Issue the notice"), (), ISSUED, ISSUER_ROLES),
        Transition("report", _("Report completion"), (ISSUED,), REPORTED, HANDLING_ROLES | {"duty_staff"}),
        Transition("verify", _("Verify: accepted"), (REPORTED,), VERIFIED, VERIFIER_ROLES),
        Transition("return", _("Verify: not done, return"), (REPORTED,), ISSUED, VERIFIER_ROLES),
    ),
)

WORKFLOWS = {w.name: w for w in (COMPLAINT, SLIP, NOTICE)}
