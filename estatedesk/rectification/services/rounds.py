"""A rectification item's rounds (SPEC R-4, §7.5.4–7.5.5).

The team reports its work done (with photos); the developer's customer service inspects it and
accepts it or sends it back with a reason; the property customer service then asks the resident
to inspect (an SMS with the unit's private link). An item the property company fixed skips the
developer's inspection. The resident accepts (``services.resident``) or objects, which opens the
next round with the round number kept; staff record the same on paper. An item with no resident
(a public area) is accepted by the property customer service for the department that found it,
which is told the result either way.

Nothing reaches the resident before the developer's inspection passed: ``notify`` starts only
from ``to_notify``, which only ``inspect_pass`` (escalated items) or ``complete_ourselves``
(ours) lead to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core import uploads
from estatedesk.core.actors import Actor, name_of, stamp
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput
from estatedesk.rectification import events
from estatedesk.rectification.models import AcceptanceMethod, Item, ItemEventKind, PhotoStage, Route
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH
from estatedesk.rectification.services import alerts, resident_messages
from estatedesk.rectification.services.common import locked_item, text
from estatedesk.rectification.services.items import FOLDER, keep_photos
from estatedesk.rectification.workflow import ITEM

SCAN_FIELD = "scan"
NAME_LENGTH = 50


def _move(
    item: Item, actor: Actor, name: str, kind: ItemEventKind, *, note: str = "", data: dict | None = None
) -> None:
    before = item.status
    item.status = ITEM.get(name).result(item.status)
    stamp(item, actor)
    item.save()
    events.write(item, actor, kind, from_status=before, note=note, data=data)


@transaction.atomic
def complete(*, actor: Actor, item: Item | int, note: str = "", photos: Sequence[Any] = ()) -> Item:
    """The team (or, for our own fix, our department) reports the work done, with photos."""
    item = locked_item(actor, item, ITEM.get("complete"))
    if not photos:
        raise InvalidInput(_("Add a photo of the work done."), field="photos")
    item.completed_at = now()
    keep_photos(item, photos, stage=PhotoStage.COMPLETED, actor=actor)
    _move(item, actor, "complete", ItemEventKind.COMPLETED, note=(note or "").strip()[:DESCRIPTION_LENGTH])
    alerts.tell_developer_done(item)
    return item


@transaction.atomic
def complete_ourselves(*, actor: Actor, item: Item | int, note: str = "", photos: Sequence[Any] = ()) -> Item:
    item = locked_item(actor, item, ITEM.get("complete_ourselves"))
    if not photos:
        raise InvalidInput(_("Add a photo of the work done."), field="photos")
    item.completed_at = now()
    keep_photos(item, photos, stage=PhotoStage.COMPLETED, actor=actor)
    _move(
        item,
        actor,
        "complete_ourselves",
        ItemEventKind.COMPLETED,
        note=(note or "").strip()[:DESCRIPTION_LENGTH],
    )
    alerts.tell_ready(item)
    return item


@transaction.atomic
def inspect(*, actor: Actor, item: Item | int, passed: bool, reason: str = "") -> Item:
    """The developer's customer service inspects the team's work: accepted, or back with a reason."""
    name = "inspect_pass" if passed else "inspect_fail"
    item = locked_item(actor, item, ITEM.get(name))
    item.inspected_at = now()
    if passed:
        _move(
            item,
            actor,
            name,
            ItemEventKind.INSPECTION_PASSED,
            note=(reason or "").strip()[:DESCRIPTION_LENGTH],
        )
        alerts.tell_ready(item)
    else:
        reason = text(reason, field="reason", message=_("Say why it is sent back."), limit=DESCRIPTION_LENGTH)
        item.completed_at = None
        _move(item, actor, name, ItemEventKind.INSPECTION_FAILED, note=reason)
        alerts.tell_team_sent_back(item, reason)
    return item


@transaction.atomic
def notify(*, actor: Actor, item: Item | int) -> Item:
    """Ask the resident to inspect: an SMS with the unit's private link to each person of the unit."""
    item = locked_item(actor, item, ITEM.get("notify"))
    if item.unit_id is None:
        raise InvalidInput(
            _("%(number)s has no unit and no resident: accept it for the department instead.")
            % {"number": item.number}
        )
    item.notified_at = now()
    sent = resident_messages.ask_to_inspect(item)
    _move(item, actor, "notify", ItemEventKind.NOTIFIED, data={"messages": sent})
    return item


def finish(
    item: Item, actor: Actor, name: str, *, method: str, signed_name: str = "", note: str = ""
) -> None:
    """Accepted: stamp it, record who signed, tell the department that found it (§7.5.5)."""
    item.accepted_at = now()
    item.acceptance_method = method
    item.signed_name = signed_name
    _move(item, actor, name, ItemEventKind.ACCEPTED, note=note, data={"method": method})
    if item.finding_department_id is not None:
        alerts.tell_finding_department(item)
        events.write(item, actor, ItemEventKind.DEPARTMENT_TOLD)


def next_round(item: Item, actor: Actor, *, objection: str, photos: Sequence[Any]) -> None:
    """The resident objects: round N+1, back to whoever decides the route, the objection kept."""
    name = "object_developer" if item.route == Route.DEVELOPER else "object_property"
    before_round = item.round
    item.round += 1
    item.objection = objection
    item.completed_at = item.inspected_at = item.notified_at = None
    item.reminder_sent_at = item.overdue_notified_at = None
    keep_photos(item, photos, stage=PhotoStage.OBJECTION, actor=actor)
    _move(item, actor, name, ItemEventKind.OBJECTED, note=objection, data={"from_round": before_round})
    alerts.tell_objected(item)


def objection_text(value: str | None) -> str:
    return text(value, field="objection", message=_("Say what is still wrong."), limit=DESCRIPTION_LENGTH)


@transaction.atomic
def record_paper_acceptance(*, actor: Actor, item: Item | int, scan: Any, signed_name: str = "") -> Item:
    """The resident signed the paper acceptance sheet; staff keep its scan (image or PDF)."""
    item = locked_item(actor, item, ITEM.get("accept"))
    if scan is None:
        raise InvalidInput(_("Add the scan of the signed sheet."), field=SCAN_FIELD)
    signed_name = (signed_name or "").strip()[:NAME_LENGTH]
    checked = uploads.check(scan, field=SCAN_FIELD)

    def row(stored_name: str) -> None:
        item.photos.create(
            stage=PhotoStage.ACCEPTANCE,
            round=item.round,
            file=stored_name,
            name=checked.original_name,
            content_type=checked.content_type,
            size=len(checked.data),
            uploaded_at=now(),
            uploaded_by_name=name_of(actor),
        )

    uploads.keep(checked, folder=FOLDER, row=row)
    finish(item, actor, "accept", method=AcceptanceMethod.PAPER, signed_name=signed_name)
    return item


@transaction.atomic
def record_paper_objection(
    *, actor: Actor, item: Item | int, objection: str, photos: Sequence[Any] = ()
) -> Item:
    """The resident objected on paper or in person: staff open the next round for them."""
    item = locked_item(actor, item, ITEM.get("object_developer"))
    next_round(item, actor, objection=objection_text(objection), photos=photos)
    return item


@transaction.atomic
def accept_on_behalf(*, actor: Actor, item: Item | int, note: str = "") -> Item:
    """An item with no resident (a public area): accepted for the department that found it."""
    item = locked_item(actor, item, ITEM.get("accept_on_behalf"))
    if item.unit_id is not None:
        raise InvalidInput(
            _("%(number)s belongs to a unit: its resident accepts it.") % {"number": item.number}
        )
    finish(
        item, actor, "accept_on_behalf", method=AcceptanceMethod.ON_BEHALF, note=(note or "").strip()[:500]
    )
    return item


@transaction.atomic
def cancel(*, actor: Actor, item: Item | int, reason: str) -> Item:
    """Not a defect, or entered twice: cancelled with the reason, before anyone fixed it."""
    item = locked_item(actor, item, ITEM.get("cancel"))
    reason = text(reason, field="reason", message=_("Say why it is cancelled."), limit=500)
    _move(item, actor, "cancel", ItemEventKind.CANCELLED, note=reason)
    return item
