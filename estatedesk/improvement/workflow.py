"""The life of a corrective / preventive action, declared once (SPEC I-1, procedure §7.4).

``services`` refuses any step that is not listed here, the action's status choices are these
states (``ActionStatus``, the model field's choices), and the help page draws the flowchart
from the same table (``core.flowchart``). Pure: no ORM.

Roles say who may take a step at all; the action's own rule narrows it in ``services``: of the
managing roles only the opener, the head of the responsible department, the customer-service
supervisor and the leadership run a given action, and a step is finished by its owner (who may
hold any role) or by one of them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.workflow import Transition, Workflow


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open: analyse and plan")
    IN_PROGRESS = "in_progress", _("In progress")
    VERIFYING = "verifying", _("Awaiting verification")
    CLOSED = "closed", _("Closed: effective")


OPEN, IN_PROGRESS, VERIFYING, CLOSED = (
    ActionStatus.OPEN.value,
    ActionStatus.IN_PROGRESS.value,
    ActionStatus.VERIFYING.value,
    ActionStatus.CLOSED.value,
)
NOT_CLOSED = (OPEN, IN_PROGRESS, VERIFYING)

OPENER_ROLES = frozenset({"department_head", "cs_supervisor", "deputy_gm", "gm"})
# Who runs an action (analyses it, plans its steps): see the module's docstring.
MANAGER_ROLES = OPENER_ROLES
# Independent of the department that did the work.
VERIFIER_ROLES = frozenset({"cs_supervisor", "deputy_gm", "gm"})
# A step's owner may be any colleague in scope, whatever their role.
STEP_OWNER_ROLES = frozenset(
    {
        "duty_staff",
        "handler",
        "department_head",
        "cs_supervisor",
        "deputy_gm",
        "gm",
        "developer_cs",
        "rectification",
        "auditor",
        "admin",
    }
)

ACTION = Workflow(
    name="action",
    states=tuple(ActionStatus.choices),
    final=frozenset({CLOSED}),
    transitions=(
        Transition("open", _("Open the action"), (), OPEN, OPENER_ROLES),
        Transition("analyse", _("Analyse the causes"), NOT_CLOSED, None, MANAGER_ROLES),
        # A step planned while the action waits for verification sends it back to work.
        Transition("plan_step", _("Plan a step"), NOT_CLOSED, IN_PROGRESS, MANAGER_ROLES),
        Transition("finish_step", _("Finish a step"), (IN_PROGRESS,), None, STEP_OWNER_ROLES),
        Transition(
            "finish_last_step", _("Finish the last step"), (IN_PROGRESS,), VERIFYING, STEP_OWNER_ROLES
        ),
        Transition(
            "verify_effective", _("Effective: close the action"), (VERIFYING,), CLOSED, VERIFIER_ROLES
        ),
        Transition(
            "verify_not_effective",
            _("Not effective: back to work, plan a new step"),
            (VERIFYING,),
            IN_PROGRESS,
            VERIFIER_ROLES,
        ),
    ),
)
