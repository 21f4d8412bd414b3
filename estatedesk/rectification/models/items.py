"""Rectification reports and their items (SPEC R-1 … R-4, procedure §7.5).

* ``Report`` (项目整改报告, §7.5.2): one per estate and handover batch, or per department's
  findings; the property customer service collects items into it.
* ``Item``: one defect: unit (none for a public area), where in it, what, category, source,
  who reported it, its route and who fixes it, the completion date, the round (R-4).
* ``ItemPhoto``: photos of the defect, of the completed work, of an objection, and the scan
  of a paper acceptance; each tagged with its round.
* ``UnitLink``: a unit's private link to its items, ``/r/z/<token>/`` (W-1): the resident
  sees and accepts only that unit's items through it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core.fields import EncryptedTextField
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Department, Developer, Estate, Unit
from estatedesk.rectification.workflow import ITEM, ItemStatus

DESCRIPTION_LENGTH = 1000
LOCATION_LENGTH = 100


class Category(models.TextChoices):
    WALLS = "walls", _("Walls, floors and ceilings")
    DOORS_WINDOWS = "doors_windows", _("Doors and windows")
    PLUMBING = "plumbing", _("Plumbing and drainage")
    ELECTRICAL = "electrical", _("Electrical")
    WATERPROOFING = "waterproofing", _("Waterproofing and leaks")
    FITTINGS = "fittings", _("Fittings and fixtures")
    PUBLIC_AREAS = "public_areas", _("Public areas")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    """Where the item was found (R-1, §7.5.1)."""

    HANDOVER = "handover", _("Handover inspection")
    ENGINEERING = "engineering", _("Engineering department")
    SECURITY = "security", _("Security department")
    CLEANING = "cleaning", _("Cleaning department")
    SALES = "sales", _("Sales and marketing")
    OTHER = "other", _("Other")


class Route(models.TextChoices):
    """Who fixes it (R-3)."""

    PROPERTY = "property", _("Property company")
    DEVELOPER = "developer", _("Developer")


class AcceptanceMethod(models.TextChoices):
    SIGNATURE = "signature", _("Signed on the phone")
    TYPED = "typed", _("Name typed on the phone")
    PAPER = "paper", _("Signed on paper")
    ON_BEHALF = "on_behalf", _("Accepted for the department")


class PhotoStage(models.TextChoices):
    REPORTED = "reported", _("The defect")
    COMPLETED = "completed", _("The work done")
    OBJECTION = "objection", _("The resident's objection")
    ACCEPTANCE = "acceptance", _("Signed acceptance (scan)")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Report(Versioned):
    """A rectification report (项目整改报告): an estate's handover batch, or a department's findings."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("developer"),
        help_text=_("Whose customer service rectifies what the property company cannot fix"),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("For example: 2026 first handover batch")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.HANDOVER)
    finding_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("found by department"),
        help_text=_("The department told the results (§7.5.5)"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_name = models.CharField(_("created by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Item(Versioned):
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="items", verbose_name=_("report")
    )
    # Copied from the report: every list filters by it.
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    number = models.CharField(_("number"), max_length=20, unique=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    location = models.CharField(
        _("location"),
        max_length=LOCATION_LENGTH,
        help_text=_("Room or part, e.g. master bedroom, north window"),
    )
    description = models.TextField(_("description"), max_length=DESCRIPTION_LENGTH)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    finding_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("found by department"),
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter"), max_length=100, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=ITEM.choices, default=ItemStatus.REPORTED, db_index=True
    )
    route = models.CharField(_("fixed by"), max_length=10, choices=Route.choices, blank=True)
    # Our department that fixes it (route "property").
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    # Set when escalated: the developer whose people then see the item.
    developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("developer"),
    )
    team = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rectification team"),
    )
    measure = models.TextField(_("measure"), blank=True, max_length=DESCRIPTION_LENGTH)
    due_date = models.DateField(_("completion date"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("resident told at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, db_index=True)
    acceptance_method = models.CharField(
        _("accepted by"), max_length=10, choices=AcceptanceMethod.choices, blank=True
    )
    # The resident's name as signed or typed (personal data, SPEC D-3: encrypted, masked in lists).
    signed_name = EncryptedTextField(_("signed by"), blank=True, default="")
    signature = models.CharField(_("signature"), max_length=255, blank=True)  # stored file name
    objection = models.TextField(_("objection"), blank=True, max_length=DESCRIPTION_LENGTH)
    # The deadline sweeps' claims (one reminder and one overdue notice per round and date).
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["reminder_sent_at", "overdue_notified_at"])

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "status"], name="rect_item_estate_status"),
            models.Index(fields=["team", "status", "due_date"], name="rect_item_team"),
            models.Index(fields=["developer", "status"], name="rect_item_developer"),
            models.Index(fields=["report", "unit"], name="rect_item_report_unit"),
            models.Index(fields=["status", "due_date"], name="rect_item_due"),
            models.Index(fields=["unit", "status"], name="rect_item_unit"),
        ]

    def __str__(self) -> str:
        return self.number


class ItemPhoto(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=12, choices=PhotoStage.choices)
    round = models.PositiveSmallIntegerField(_("round"))
    file = models.CharField(_("file"), max_length=255)  # the stored name, under the upload root
    name = models.CharField(_("file name"), max_length=120, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("rectification photo")
        verbose_name_plural = _("rectification photos")
        ordering = ["item_id", "round", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name or self.file


class UnitLink(models.Model):
    """A unit's private link to its rectification items, ``/r/z/<token>/`` (W-1).

    The token is the household's only key (never in a log: ``core.redact``)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("unit rectification link")
        verbose_name_plural = _("unit rectification links")

    def __str__(self) -> str:
        return str(self.unit_id)
