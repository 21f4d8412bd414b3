"""Every write to the register of customer property and its incidents (SPEC C-6; §7.1.13).

Register what the company holds or uses that belongs to a customer (keys, deposited items,
equipment), correct it (versioned, decision 0011), hand it back. When an item is lost, damaged
or found unfit, record the incident; record that the customer was told (when, how, by whom);
close it with the help given — refused before the customer was told, since §7.1.13 asks that
the customer hear of it from us first.

Each step looks the record up in the actor's scope (another estate's is "not found") and
locks it; incidents follow ``workflow.INCIDENT`` and write one timeline event per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.communication import selectors
from estatedesk.communication.contract_events import IncidentEventKind, incident_event
from estatedesk.communication.models import (
    IncidentKind,
    ItemKind,
    ItemStatus,
    PropertyIncident,
    PropertyItem,
)
from estatedesk.communication.services import checks
from estatedesk.communication.services.checks import may_write
from estatedesk.communication.workflow import INCIDENT, IncidentStatus
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.models import Customer, Unit

DESCRIPTION_LENGTH = 300
PLACE_LENGTH = 200


@dataclass
class ItemDraft:
    """What a form or the API submits for an item of customer property."""

    kind: str
    description: str
    estate: int
    received_at: datetime | None
    unit: int | None = None
    customer: int | None = None
    kept_at: str = ""
    received_by: str = ""
    notes: str = ""
    status: str = ItemStatus.HELD.value


def _writer(actor: Actor) -> None:
    if not may_write(actor):
        raise NotAllowed(_("Your role cannot change the register of customer property."))


def _check(actor: Actor, draft: ItemDraft) -> tuple[Customer | None, Unit | None]:
    if draft.kind not in ItemKind.values:
        raise InvalidInput(_("Choose what kind of item it is."), field="kind")
    if draft.status not in (ItemStatus.HELD, ItemStatus.IN_USE):
        raise InvalidInput(_("Choose whether we hold it or use it."), field="status")
    estate = selectors.estates_for(actor).filter(pk=draft.estate).first()
    if estate is None:
        raise InvalidInput(_("Choose one of your estates."), field="estate")
    customer = unit = None
    if draft.unit:
        unit = Unit.objects.filter(estate=estate, pk=draft.unit).first()
        if unit is None:
            raise InvalidInput(_("Choose a unit of this estate."), field="unit")
    if draft.customer:
        customer = Customer.objects.filter(estate=estate, pk=draft.customer).first()
        if customer is None:
            raise InvalidInput(_("Choose a customer of this estate."), field="customer")
    if customer is None and unit is None:
        raise InvalidInput(_("Choose whose it is: the unit or the customer."), field="unit")
    return customer, unit


def _fill(item: PropertyItem, draft: ItemDraft, customer: Customer | None, unit: Unit | None) -> None:
    item.kind = draft.kind
    item.status = draft.status
    item.customer = customer
    item.unit = unit
    item.description = checks.line(
        draft.description, "description", required=_("Say what the item is."), length=DESCRIPTION_LENGTH
    )
    item.kept_at = checks.line(draft.kept_at, "kept_at", length=PLACE_LENGTH)
    item.received_at = checks.past_time(
        draft.received_at, "received_at", required=_("Enter when we received it.")
    )
    item.notes = checks.text(draft.notes, "notes")


@transaction.atomic
def register_item(*, actor: Actor, draft: ItemDraft) -> PropertyItem:
    """An item of the customer's entered in the register, held by us from ``received_at``."""
    _writer(actor)
    customer, unit = _check(actor, draft)
    at = now()
    item = PropertyItem(
        number=next_number("CW", at),
        estate_id=draft.estate,
        created_at=at,
        created_by=user_of(actor),
    )
    _fill(item, draft, customer, unit)
    item.received_by_name = checks.line(draft.received_by, "received_by") or name_of(actor)
    stamp(item, actor)
    item.save()
    return item


def _locked_item(actor: Actor, item: PropertyItem | int) -> PropertyItem:
    return lock(selectors.property_for(actor), item if isinstance(item, int) else item.pk)


@transaction.atomic
def update_item(
    *, actor: Actor, item: PropertyItem | int, draft: ItemDraft, based_on: int | None
) -> PropertyItem:
    """Correct the register's entry, based on the version the form showed (not once returned)."""
    _writer(actor)
    item = _locked_item(actor, item)
    if item.status == ItemStatus.RETURNED:
        raise InvalidInput(
            _("%(number)s was returned: its entry is kept as it was.") % {"number": item.number}
        )
    if draft.estate != item.estate_id:
        raise InvalidInput(_("An item stays with its estate."), field="estate")
    customer, unit = _check(actor, draft)
    take_edit(
        item,
        based_on,
        current={"description": item.description, "kept_at": item.kept_at, "notes": item.notes},
    )
    _fill(item, draft, customer, unit)
    item.received_by_name = checks.line(draft.received_by, "received_by") or item.received_by_name
    stamp(item, actor)
    item.save()
    return item


@transaction.atomic
def return_item(
    *, actor: Actor, item: PropertyItem | int, returned_at: datetime | None, returned_by: str = ""
) -> PropertyItem:
    """Handed back to the customer: when, by whom."""
    _writer(actor)
    item = _locked_item(actor, item)
    if item.status == ItemStatus.RETURNED:
        raise AlreadyHandled(_("%(number)s is already returned.") % {"number": item.number})
    at = checks.past_time(returned_at, "returned_at", required=_("Enter when it was returned."))
    if at < item.received_at:
        raise InvalidInput(_("It cannot be returned before we received it."), field="returned_at")
    item.status = ItemStatus.RETURNED
    item.returned_at = at
    item.returned_by_name = checks.line(returned_by, "returned_by") or name_of(actor)
    stamp(item, actor)
    item.save(update_fields=["status", "returned_at", "returned_by_name"])
    return item


# --- Incidents ------------------------------------------------------------------------------------


@transaction.atomic
def report_incident(
    *,
    actor: Actor,
    item: PropertyItem | int,
    kind: str,
    happened_at: datetime | None,
    description: str,
) -> PropertyIncident:
    """The item was lost, damaged or found unfit: what happened and when."""
    require(actor, INCIDENT.get("report"))
    item = _locked_item(actor, item)
    if kind not in IncidentKind.values:
        raise InvalidInput(_("Choose what happened to it."), field="kind")
    at = checks.past_time(happened_at, "happened_at", required=_("Enter when it happened or was found."))
    if at < item.received_at:
        raise InvalidInput(_("It cannot have happened before we received the item."), field="happened_at")
    description = checks.text(description, "description", required=_("Say what happened."))
    recorded = now()
    incident = PropertyIncident.objects.create(
        number=next_number("SJ", recorded),
        item=item,
        estate_id=item.estate_id,
        kind=kind,
        status=IncidentStatus.OPEN,
        happened_at=at,
        description=description,
        created_at=recorded,
        created_by_name=name_of(actor),
    )
    incident_event(incident, actor, IncidentEventKind.REPORTED, from_status="", note=description[:200])
    return incident


def _locked_incident(actor: Actor, incident: PropertyIncident | int) -> PropertyIncident:
    return lock(selectors.incidents_for(actor), incident if isinstance(incident, int) else incident.pk)


@transaction.atomic
def record_incident_told(
    *,
    actor: Actor,
    incident: PropertyIncident | int,
    told_at: datetime | None,
    channel: str,
    told_by: str = "",
) -> PropertyIncident:
    """The customer was told what happened: when, how, by whom."""
    transition = INCIDENT.get("tell")
    require(actor, transition)
    incident = _locked_incident(actor, incident)
    check_source(INCIDENT, transition, incident.status, incident.number)
    at = checks.past_time(told_at, "told_at", required=_("Enter when the customer was told."))
    if at < incident.happened_at:
        raise InvalidInput(_("The customer cannot be told before it happened."), field="told_at")
    incident.customer_told_at = at
    incident.told_channel = checks.channel(channel)
    incident.told_by_name = checks.line(told_by, "told_by") or name_of(actor)
    stamp(incident, actor)
    incident.save(update_fields=["customer_told_at", "told_channel", "told_by_name"])
    incident_event(incident, actor, IncidentEventKind.TOLD, note=incident.told_by_name)
    return incident


@transaction.atomic
def close_incident(*, actor: Actor, incident: PropertyIncident | int, help_given: str) -> PropertyIncident:
    """Closed with the help given (replaced, repaired, compensated…): only once the customer was told."""
    transition = INCIDENT.get("close")
    require(actor, transition)
    incident = _locked_incident(actor, incident)
    check_source(INCIDENT, transition, incident.status, incident.number)
    if incident.customer_told_at is None:
        raise InvalidInput(
            _("Record first that the customer was told: they hear of it from us before it is closed."),
            field="help_given",
        )
    help_given = checks.text(help_given, "help_given", required=_("Say what help was given to the customer."))
    from_status = incident.status
    incident.status = IncidentStatus.CLOSED
    incident.help_given = help_given
    incident.closed_at = now()
    incident.closed_by_name = name_of(actor)
    stamp(incident, actor)
    incident.save(update_fields=["status", "help_given", "closed_at", "closed_by_name"])
    incident_event(incident, actor, IncidentEventKind.CLOSED, from_status=from_status, note=help_given[:200])
    return incident


__all__ = [
    "ItemDraft",
    "close_incident",
    "may_write",
    "record_incident_told",
    "register_item",
    "report_incident",
    "return_item",
    "update_item",
]
