"""The communication log (SPEC C-4; procedure §7.1.10, §5.6).

A ``Contact`` is one conversation between a management office and owners or the owners'
committee about a matter the office found or was told about: its subject, the channel, who
took part, what was said (versioned: two people may edit it), and the follow-ups agreed,
each with its owner and due date. A contact is open while any follow-up is not done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core.versioning import Versioned
from estatedesk.org.models import CommitteeMember, Customer, Department, Estate, Staff, Unit


class Counterpart(models.TextChoices):
    OWNER = "owner", _("Owner or resident")
    COMMITTEE = "committee", _("Owners' committee")
    OTHER = "other", _("Other")


class Contact(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    office = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("management office"),
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    channel = models.CharField(_("channel"), max_length=30)  # an ``org.Channel`` code used for the log
    counterpart = models.CharField(_("with"), max_length=12, choices=Counterpart.choices)
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
    committee_members = models.ManyToManyField(
        CommitteeMember, blank=True, related_name="+", verbose_name=_("committee members")
    )
    staff = models.ManyToManyField(Staff, blank=True, related_name="+", verbose_name=_("staff present"))
    # Others present, by name (personal data: masked in lists for those who may not see names).
    other_people = models.CharField(_("others present"), max_length=300, blank=True)
    summary = models.TextField(_("what was said"))
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(_("recorded by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("communication record")
        verbose_name_plural = _("communication log")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["estate", "-occurred_at"], name="contact_estate_order")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class ContactFollowUp(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.TextField(_("what was agreed"))
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"), db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by_name = models.CharField(_("done by"), max_length=100, blank=True)
    result = models.TextField(_("result"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreed follow-up")
        verbose_name_plural = _("agreed follow-ups")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:60]
