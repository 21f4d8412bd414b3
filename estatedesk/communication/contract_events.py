"""The timelines of contracts and customer-property incidents: one function per kind.

Only ``services.contracts`` and ``services.property`` call these, inside the transaction of the
step they record. The kinds are enums with labels, so a timeline reads in the reader's language.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.communication.models import Contract, ContractEvent, IncidentEvent, PropertyIncident
from estatedesk.core.actors import Actor
from estatedesk.core.events import event_fields


class ContractEventKind(models.TextChoices):
    CREATED = "created", _("Contract recorded")
    EDITED = "edited", _("Contract edited")
    CLARIFIED = "clarified", _("Requirement clarification recorded")
    ANSWERED = "answered", _("Clarification answered")
    SIGNED = "signed", _("Contract signed")
    CHANGE_ADDED = "change_added", _("Change recorded")
    CHANGE_TOLD = "change_told", _("Customer told of a change")
    CHANGE_RESOLVED = "change_resolved", _("Change resolution agreed")
    ENDED = "ended", _("Contract ended")


class IncidentEventKind(models.TextChoices):
    REPORTED = "reported", _("Incident recorded")
    TOLD = "told", _("Customer told")
    CLOSED = "closed", _("Closed with the help given")


def contract_event(
    contract: Contract,
    actor: Actor,
    kind: ContractEventKind,
    *,
    from_status: str | None = None,
    note: str = "",
    data: dict[str, object] | None = None,
) -> ContractEvent:
    return contract.events.create(
        kind=kind,
        from_status=contract.status if from_status is None else from_status,
        to_status=contract.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )


def incident_event(
    incident: PropertyIncident,
    actor: Actor,
    kind: IncidentEventKind,
    *,
    from_status: str | None = None,
    note: str = "",
) -> IncidentEvent:
    return incident.events.create(
        kind=kind,
        from_status=incident.status if from_status is None else from_status,
        to_status=incident.status,
        note=note,
        **event_fields(actor),
    )


def label(kind: str, kinds: type[models.TextChoices]) -> str:
    """An event's kind in the reader's language (a kind since retired is shown as stored)."""
    return str(dict(kinds.choices).get(kind, kind))
