"""The timeline of a corrective / preventive action: its event kinds, and one function per kind.

Only ``services`` call these, inside the transaction of the step they record. Rows go through
the action's ``events`` manager (``models.ActionEvent``), so this module needs no model import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.events import event_fields

if TYPE_CHECKING:
    from estatedesk.improvement.models import Action, ActionEvent, Step


class ActionEventKind(models.TextChoices):
    OPENED = "opened", _("Action opened")
    ANALYSED = "analysed", _("Cause analysis saved")
    STEP_PLANNED = "step_planned", _("Step planned")
    STEP_FINISHED = "step_finished", _("Step finished")
    VERIFIED_EFFECTIVE = "verified_effective", _("Verified effective")
    VERIFIED_NOT_EFFECTIVE = "verified_not_effective", _("Verified not effective: back to work")


def _write(
    action: Action,
    actor: Actor,
    kind: ActionEventKind,
    *,
    from_status: str,
    note: str = "",
    data: dict[str, object] | None = None,
) -> ActionEvent:
    return action.events.create(
        kind=kind,
        from_status=from_status,
        to_status=action.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )


def action_opened(action: Action, actor: Actor) -> ActionEvent:
    return _write(action, actor, ActionEventKind.OPENED, from_status="", note=action.problem)


def analysed(action: Action, actor: Actor) -> ActionEvent:
    causes = sum(len(c) for c in action.fishbone.values())
    return _write(
        action,
        actor,
        ActionEventKind.ANALYSED,
        from_status=action.status,
        note=action.cause_analysis,
        data={"fishbone_causes": causes},
    )


def step_planned(action: Action, actor: Actor, step: Step, *, from_status: str) -> ActionEvent:
    return _write(
        action,
        actor,
        ActionEventKind.STEP_PLANNED,
        from_status=from_status,
        note=step.description,
        data={"step": step.pk, "due": step.due_date.isoformat()},
    )


def step_finished(action: Action, actor: Actor, step: Step, *, from_status: str) -> ActionEvent:
    return _write(
        action,
        actor,
        ActionEventKind.STEP_FINISHED,
        from_status=from_status,
        note=step.result,
        data={"step": step.pk},
    )


def verified_effective(action: Action, actor: Actor, *, from_status: str, note: str) -> ActionEvent:
    return _write(action, actor, ActionEventKind.VERIFIED_EFFECTIVE, from_status=from_status, note=note)


def verified_not_effective(action: Action, actor: Actor, *, from_status: str, note: str) -> ActionEvent:
    return _write(action, actor, ActionEventKind.VERIFIED_NOT_EFFECTIVE, from_status=from_status, note=note)
