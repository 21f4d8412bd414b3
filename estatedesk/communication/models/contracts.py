"""Contract communication (SPEC C-5; procedure §7.1.11, §7.1.12).

A ``Contract`` is a service contract or agreement with a customer (an owner, a tenant
organisation, the owners' committee). Before it is signed, every unclear requirement is
asked and answered (``Clarification``: who asked what, the answer, when); after, every
change (``ContractChange``) records why, that the customer was told (when, how, by whom) and
the resolution agreed with them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from estatedesk.communication.workflow import CONTRACT, ContractStatus
from estatedesk.core.events import TimelineEvent
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Customer, Estate, Unit


class ContractKind(models.TextChoices):
    SERVICE = "service", _("Property service contract")
    AGREEMENT = "agreement", _("Agreement with a customer")
    PAID_SERVICE = "paid_service", _("Paid service (decoration, cleaning, repairs)")
    OTHER = "other", _("Other")


class Contract(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=ContractKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CONTRACT.choices,
        default=ContractStatus.NEGOTIATING,
        db_index=True,
    )
    title = models.CharField(_("title"), max_length=200)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    # The other party when it is not one customer (the owners' committee, a company).
    counterparty = models.CharField(_("other party"), max_length=200, blank=True)
    scope = models.TextField(_("what it covers"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(_("recorded by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Clarification(Versioned):
    """A requirement made clear before signing (§7.1.11): who asked what, the answer, when."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="clarifications")
    asked_on = models.DateField(_("asked on"))
    asked_by = models.CharField(_("asked by"), max_length=100)
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    question = models.TextField(pgettext_lazy("contract clarification", "question"))
    answer = models.TextField(pgettext_lazy("contract clarification", "answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requirement clarification")
        verbose_name_plural = _("requirement clarifications")
        ordering = ["contract_id", "asked_on", "id"]

    def __str__(self) -> str:
        return self.question[:60]


class ChangeCause(models.TextChoices):
    CUSTOMER = "customer", _("The customer asked for it")
    COMPANY = "company", _("The company proposed it")
    LAW = "law", _("A law, regulation or price rule changed")
    OTHER = "other", _("Other")


class ContractChange(Versioned):
    """A change while the contract runs (§7.1.12): told to the customer, resolved with them."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    position = models.PositiveSmallIntegerField(_("no."), default=1)
    cause = models.CharField(_("cause"), max_length=12, choices=ChangeCause.choices)
    description = models.TextField(_("what changes"))
    proposed_on = models.DateField(_("proposed on"))
    customer_told_at = models.DateTimeField(_("customer told at"), null=True, blank=True)
    told_channel = models.CharField(_("told by"), max_length=30, blank=True)
    told_by_name = models.CharField(_("told by whom"), max_length=100, blank=True)
    resolution = models.TextField(_("resolution agreed"), blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        ordering = ["contract_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="contract_change_position")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.position}"

    @property
    def settled(self) -> bool:
        return self.customer_told_at is not None and bool(self.resolution) and self.agreed_on is not None


class ContractEvent(TimelineEvent):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=20)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind}"
