"""The allowed transitions, declared once (SPEC K-1 … K-10, K-17).

``services`` refuses any move that is not listed here, and ``core.flowchart`` draws the
procedure's flowcharts (§9.1, §9.5) from the same tables, so the pictures cannot disagree
with what the system does. Pure: no ORM.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from estatedesk.core.workflow import Transition, Workflow

HANDLING_ROLES = frozenset({"handler", "department_head", "cs_supervisor", "deputy_gm", "gm"})
INTAKE_ROLES = HANDLING_ROLES | {"duty_staff"}
LEADERSHIP_ROLES = frozenset({"deputy_gm", "gm"})
SUPERIOR_ROLES = frozenset({"department_head", "deputy_gm", "gm"})
ISSUER_ROLES = frozenset({"department_head", "cs_supervisor", "deputy_gm", "gm"})

ALL_KINDS = frozenset({"complaint", "grievance", "enquiry"})
COMPLAINT_ONLY = frozenset({"complaint"})


NEW, IN_PROGRESS, REFERRED, REPLIED, CLOSED = "new", "in_progress", "referred", "replied", "closed"
OPEN = (NEW, IN_PROGRESS, REFERRED, REPLIED)

COMPLAINT = Workflow(
    name="complaint",
    states=(
        (NEW, _("Waiting for assessment")),
        (IN_PROGRESS, _("Being handled")),
        (REFERRED, _("With developer or outside party")),
        (REPLIED, _("Replied, waiting for visit")),
        (CLOSED, _("Closed")),
    ),
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
            "raise_slip", _("Raise a work transfer slip"), (NEW, IN_PROGRESS, REFERRED), None, HANDLING_ROLES
        ),
    ),
)

AT_HEAD, AT_DEPUTY_GM, AT_GM, DECIDED, DONE = "at_head", "at_deputy_gm", "at_gm", "decided", "done"
SLIP_SIGNING = (AT_HEAD, AT_DEPUTY_GM, AT_GM)
# Who signs at each step of the chain, and where "pass up" leads (§7.2.8, §9.5).
SLIP_SIGNER = {AT_HEAD: "department_head", AT_DEPUTY_GM: "deputy_gm", AT_GM: "gm"}
SLIP_NEXT = {AT_HEAD: AT_DEPUTY_GM, AT_DEPUTY_GM: AT_GM}

SLIP = Workflow(
    name="slip",
    states=(
        (AT_HEAD, _("With the department head")),
        (AT_DEPUTY_GM, _("With the deputy GM")),
        (AT_GM, _("With the GM")),
        (DECIDED, _("Decided, waiting for the result")),
        (DONE, _("Result recorded")),
    ),
    final=frozenset({DONE}),
    transitions=(
        Transition("raise", _("Raise the slip"), (), AT_HEAD, HANDLING_ROLES),
        Transition(
            "escalate_head",
            _("Department head: pass up"),
            (AT_HEAD,),
            AT_DEPUTY_GM,
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

ISSUED, REPORTED, VERIFIED = "issued", "reported", "verified"

NOTICE = Workflow(
    name="notice",
    states=(
        (ISSUED, _("Issued")),
        (REPORTED, _("Completion reported")),
        (VERIFIED, _("Verified")),
    ),
    final=frozenset({VERIFIED}),
    transitions=(
        Transition("issue", _("Issue the notice"), (), ISSUED, ISSUER_ROLES),
        Transition("report", _("Report completion"), (ISSUED,), REPORTED, HANDLING_ROLES | {"duty_staff"}),
        Transition("verify", _("Verify: accepted"), (REPORTED,), VERIFIED, ISSUER_ROLES),
        Transition("return", _("Verify: not done, return"), (REPORTED,), ISSUED, ISSUER_ROLES),
    ),
)

WORKFLOWS = {w.name: w for w in (COMPLAINT, SLIP, NOTICE)}
