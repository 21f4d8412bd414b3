"""Notices to customers (SPEC C-2, C-3; procedure §7.1.2 – §7.1.9).

* ``Notice``: what is announced (its kind says whether it is work that must be announced
  ahead), to whom (an estate, some of its buildings or units; all households, the owners or
  the owners' committee), when the work runs, when it is published and by which channels.
* ``NoticeRecipient``: one row per household reached when the notice is published, with the
  channels it went by, when it was read on the portal and — for an urgent notice not read —
  the call or visit that told the household instead. This is the proof of who was told, how
  and when.
* ``HouseholdLink``: a household's private portal link to its estate's notices
  (``/r/n/<token>/``); opening a notice through it is the read receipt.
* ``NoticeAttachment`` (files), ``NoticeEvidence`` (a photo of the posted sheet, with time and
  place), ``NoticeEvent`` (the timeline).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.communication.workflow import NOTICE, NoticeStatus
from estatedesk.core.events import TimelineEvent
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Building, Estate, Unit


class NoticeKind(models.TextChoices):
    WATER_CUT = "water_cut", _("Water cut")
    POWER_CUT = "power_cut", _("Power cut")
    PEST_CONTROL = "pest_control", _("Pest control or spraying")
    REPAIR = "repair", _("Lift or equipment repair")
    MAINTENANCE = "maintenance", _("Maintenance work affecting residents")
    EVENT = "event", _("Community event")
    PUBLICITY = "publicity", _("Publicity (fire safety, regulations)")
    SERVICE_STANDARD = "service_standard", _("Service types and standards")
    COOPERATION = "cooperation", _("Matters needing your cooperation")
    FINANCIAL_REPORT = "financial_report", _("Financial report")
    SURVEY_RESULTS = "survey_results", _("Survey results")
    CONTRACT_CHANGE = "contract_change", _("Contract change")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    HOUSEHOLDS = "households", _("The affected households")
    OWNERS = "owners", _("All owners")
    COMMITTEE = "committee", _("The owners' committee")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Notice(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=NoticeKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=NOTICE.choices, default=NoticeStatus.DRAFT, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (``core.richtext``): never stored as typed.
    body = models.TextField(_("text"))
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    # None of them: the whole estate. Units narrow it further (a floor's flats for a repair).
    buildings = models.ManyToManyField(Building, blank=True, related_name="+", verbose_name=_("buildings"))
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("units"))
    audience = models.CharField(
        _("for"), max_length=12, choices=Audience.choices, default=Audience.HOUSEHOLDS
    )
    starts_at = models.DateTimeField(_("work or event starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("work or event ends"), null=True, blank=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Channel codes (``org.Channel``, used for notices): the online ones are delivered at
    # publishing, the others (a sheet posted, a warning sign) are kept as said.
    channels = models.JSONField(_("channels"), default=list, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Why a work notice went out later than the lead time before the work (§7.1.5).
    late_reason = models.TextField(_("reason for publishing late"), blank=True)
    lead_hours = models.PositiveSmallIntegerField(_("lead time (hours)"), default=24)
    # The warning sign on site (§7.1.4 pest control and spraying; §7.1.9 repairs).
    sign_placed_at = models.DateTimeField(_("warning sign placed at"), null=True, blank=True)
    sign_place = models.CharField(_("where the sign stands"), max_length=200, blank=True)
    sign_confirmed_by_name = models.CharField(_("confirmed by"), max_length=100, blank=True)
    # Counted when published (the recipients are fixed then).
    households = models.PositiveIntegerField(_("households"), default=0)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(_("written by"), max_length=100, blank=True)
    published_by_name = models.CharField(_("published by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice to customers")
        verbose_name_plural = _("notices to customers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "status", "-published_at"], name="notice_estate_published"),
            models.Index(fields=["status", "publish_at"], name="notice_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class NoticeRecipient(models.Model):
    """A household a published notice reached: the proof of who was told, how and when."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    # The channel codes it was delivered by ("portal", "sms", "email", "wechat").
    channels = models.JSONField(_("channels"), default=list, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # For an urgent notice not read: the call or visit that told the household instead.
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contact_channel = models.CharField(_("how"), max_length=30, blank=True)
    contact_outcome = models.TextField(_("outcome"), blank=True)
    contacted_by_name = models.CharField(_("contacted by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        ordering = ["notice_id", "building_id", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["notice", "unit"], name="notice_recipient_once")]
        indexes = [
            models.Index(fields=["notice", "read_at"], name="notice_recipient_read"),
            models.Index(fields=["unit", "notice"], name="notice_recipient_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.unit_id}"


class HouseholdLink(models.Model):
    """A household's private link to its estate's notices, ``/r/n/<token>/`` (SPEC C-3, W-1).

    Made when a notice first reaches the unit and kept: every later SMS carries the same link.
    The token is the household's only key (never in a log: ``core.redact``)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("household notice link")
        verbose_name_plural = _("household notice links")

    def __str__(self) -> str:
        return str(self.unit_id)


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.CharField(_("file"), max_length=255)  # the stored name, under the upload root
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")
        ordering = ["notice_id", "id"]

    def __str__(self) -> str:
        return self.name


class NoticeEvidence(models.Model):
    """A photo of the posted notice sheet (or the warning sign), with the time and place (C-3)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="evidence")
    file = models.CharField(_("file"), max_length=255)
    content_type = models.CharField(max_length=100)
    taken_at = models.DateTimeField(_("posted at"))
    place = models.CharField(_("place"), max_length=200)
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notice evidence")
        verbose_name_plural = _("notice evidence")
        ordering = ["notice_id", "taken_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.place}"


class NoticeEventKind(models.TextChoices):
    CREATED = "created", _("Notice written")
    EDITED = "edited", _("Edited")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SIGN_CONFIRMED = "sign_confirmed", _("Warning sign confirmed")
    EVIDENCE_ADDED = "evidence_added", _("Photo of the posted notice added")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    CONTACTED = "contacted", _("Household called or visited")


class NoticeEvent(TimelineEvent):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=20, choices=NoticeEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind}"
