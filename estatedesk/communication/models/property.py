"""Customer property (SPEC C-6; procedure §7.1.13).

``PropertyItem`` is the register of what the company holds or uses that belongs to a
customer: keys left with the office, deposited items, equipment. A ``PropertyIncident`` is
the item lost, damaged or found unfit: what happened, that the customer was told (when, how,
by whom) and the help given. An incident is open until it is closed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from estatedesk.communication.workflow import INCIDENT, IncidentStatus
from estatedesk.core.events import TimelineEvent
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Customer, Estate, Unit


class ItemKind(models.TextChoices):
    KEY = "key", _("Key or access card")
    DEPOSIT = "deposit", _("Deposited item")
    PARCEL = "parcel", _("Parcel or delivery held")
    EQUIPMENT = "equipment", _("Customer's equipment in our care")
    DOCUMENT = "document", _("Document")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    HELD = "held", _("Held by us")
    IN_USE = "in_use", _("In use by us")
    RETURNED = "returned", pgettext_lazy("customer property", "Returned")


class PropertyItem(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("type"), max_length=12, choices=ItemKind.choices)
    description = models.CharField(_("description"), max_length=300)
    kept_at = models.CharField(_("kept where"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"))
    received_by_name = models.CharField(_("received by"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.HELD)
    returned_at = models.DateTimeField(
        pgettext_lazy("customer property", "returned at"), null=True, blank=True
    )
    returned_by_name = models.CharField(_("returned by"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer property")
        verbose_name_plural = _("customer property")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["estate", "status"], name="property_estate_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"


class IncidentKind(models.TextChoices):
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    UNFIT = "unfit", _("Found unfit for use")


class PropertyIncident(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    item = models.ForeignKey(PropertyItem, on_delete=models.PROTECT, related_name="incidents")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    kind = models.CharField(_("what happened"), max_length=10, choices=IncidentKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=INCIDENT.choices, default=IncidentStatus.OPEN, db_index=True
    )
    happened_at = models.DateTimeField(_("happened or found at"))
    description = models.TextField(_("what happened"))
    customer_told_at = models.DateTimeField(_("customer told at"), null=True, blank=True)
    told_channel = models.CharField(_("told by"), max_length=30, blank=True)
    told_by_name = models.CharField(_("told by whom"), max_length=100, blank=True)
    help_given = models.TextField(_("help given"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_name = models.CharField(_("closed by"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by_name = models.CharField(_("recorded by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer property incident")
        verbose_name_plural = _("customer property incidents")
        ordering = ["-happened_at", "-id"]
        indexes = [models.Index(fields=["estate", "status"], name="incident_estate_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.item_id}"


class IncidentEvent(TimelineEvent):
    incident = models.ForeignKey(PropertyIncident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=20)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"
