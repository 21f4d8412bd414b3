"""Deciding who fixes each item (SPEC R-3, §7.5.2–7.5.3).

The property customer service decides each collected item: fixed by one of our departments
(with a completion date), or escalated to the developer's customer service, which then sets
the measure, the completion date and the rectification team. Bulk decisions run the same
service once per item (``core.batch``): one refused item does not undo the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core import batch
from estatedesk.core.actors import Actor, stamp
from estatedesk.core.batch import Outcome
from estatedesk.core.errors import InvalidInput
from estatedesk.org.models import Department
from estatedesk.rectification import events, selectors
from estatedesk.rectification.models import Item, ItemEventKind, Route
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH
from estatedesk.rectification.services import alerts
from estatedesk.rectification.services.common import completion_date, locked_item, text
from estatedesk.rectification.workflow import ITEM

NOTE_LENGTH = 500


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(
            _("At most %(limit)d characters, please (now %(count)d).")
            % {"limit": NOTE_LENGTH, "count": len(note)},
            field="note",
        )
    return note


@transaction.atomic
def fix_ourselves(
    *,
    actor: Actor,
    item: Item | int,
    department: Department | int | None,
    due_date: date | None,
    note: str = "",
) -> Item:
    """One of our departments fixes it, by the completion date."""
    transition = ITEM.get("fix_ourselves")
    item = locked_item(actor, item, transition)
    department_id = department if isinstance(department, int) or department is None else department.pk
    if (
        department_id is None
        or not selectors.fixing_departments(item.estate_id).filter(pk=department_id).exists()
    ):
        raise InvalidInput(_("Choose the department that fixes it."), field="department")
    due = completion_date(due_date)
    note = _note(note)
    before = item.status
    item.status = transition.result(item.status)
    item.route = Route.PROPERTY
    item.department_id = department_id
    item.due_date = due
    item.reminder_sent_at = item.overdue_notified_at = None
    stamp(item, actor)
    item.save()
    events.write(
        item, actor, ItemEventKind.FIX_OURSELVES, from_status=before, note=note, data={"due": str(due)}
    )
    alerts.tell_department(item, department_id)
    return item


@transaction.atomic
def escalate(*, actor: Actor, item: Item | int, note: str = "") -> Item:
    """Beyond what we can fix: to the developer's customer service (the report's developer)."""
    transition = ITEM.get("escalate")
    item = locked_item(actor, item, transition)
    developer_id = item.report.developer_id
    if developer_id is None:
        raise InvalidInput(
            _("%(number)s: the report names no developer to escalate to.") % {"number": item.number},
            field="route",
        )
    note = _note(note)
    before = item.status
    item.status = transition.result(item.status)
    item.route = Route.DEVELOPER
    item.developer_id = developer_id
    item.department = None
    stamp(item, actor)
    item.save()
    events.write(item, actor, ItemEventKind.ESCALATED, from_status=before, note=note)
    alerts.tell_developer(item)
    return item


def decide_each(
    *,
    actor: Actor,
    ids: Iterable[int],
    route: str,
    department: Department | int | None = None,
    due_date: date | None = None,
    note: str = "",
) -> list[Outcome]:
    """The same decision on many items; each item in its own transaction."""
    if route == Route.DEVELOPER:
        return batch.run_each(
            selectors.items_for(actor), ids, lambda pk: escalate(actor=actor, item=pk, note=note)
        )
    if route == Route.PROPERTY:
        return batch.run_each(
            selectors.items_for(actor),
            ids,
            lambda pk: fix_ourselves(
                actor=actor, item=pk, department=department, due_date=due_date, note=note
            ),
        )
    raise InvalidInput(_("Choose who fixes it."), field="route")


@transaction.atomic
def plan(
    *,
    actor: Actor,
    item: Item | int,
    measure: str,
    due_date: date | None,
    team: Department | int | None,
    replan: bool = False,
) -> Item:
    """The developer's customer service sets the measure, the completion date and the team."""
    transition = ITEM.get("replan" if replan else "plan")
    item = locked_item(actor, item, transition)
    team_id = team if isinstance(team, int) or team is None else team.pk
    if team_id is None or not selectors.teams_of(item.developer_id).filter(pk=team_id).exists():
        raise InvalidInput(_("Choose the rectification team."), field="team")
    measure = text(
        measure, field="measure", message=_("Say how it will be rectified."), limit=DESCRIPTION_LENGTH
    )
    due = completion_date(due_date)
    before = item.status
    changed_date = item.due_date != due
    item.status = transition.result(item.status)
    item.measure, item.due_date, item.team_id = measure, due, team_id
    if changed_date:
        item.reminder_sent_at = item.overdue_notified_at = None
    stamp(item, actor)
    item.save()
    kind = ItemEventKind.REPLANNED if replan else ItemEventKind.PLANNED
    events.write(item, actor, kind, from_status=before, note=measure, data={"due": str(due), "team": team_id})
    alerts.tell_team(item)
    return item


def plan_each(
    *, actor: Actor, ids: Iterable[int], measure: str, due_date: date | None, team: Department | int | None
) -> list[Outcome]:
    """The developer's customer service plans many items at once (a unit's or a batch's)."""
    return batch.run_each(
        selectors.items_for(actor),
        ids,
        lambda pk: plan(actor=actor, item=pk, measure=measure, due_date=due_date, team=team),
    )
