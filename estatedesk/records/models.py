from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core.versioning import Versioned


class PersonalDataAccess(models.Model):
    """Who read whose full contact details, when and why (SPEC D-3). Rows are never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    subject_type = models.CharField(_("record type"), max_length=50)
    subject_id = models.BigIntegerField(_("record id"))
    subject_label = models.CharField(_("record"), max_length=200)
    field = models.CharField(_("field"), max_length=50)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="pda_subject")]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject_label} ({self.field})"


class RetentionRule(Versioned):
    """How long one record type is kept (SPEC D-1). A type with no row keeps its default period.

    The record types themselves are declared by the apps that own them (``records.registry``);
    this row holds only what an administrator changed: the period in months and a note.
    """

    record_type = models.CharField(_("record type"), max_length=50, unique=True)
    months = models.PositiveSmallIntegerField(_("retention (months)"))
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["record_type"]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.months}"


class LegalHold(models.Model):
    """A record kept past its retention until the hold is released (SPEC D-2).

    A hold on a record covers everything disposed of with it (a complaint's events, slips,
    notices, replies, visits and files). Released holds stay as the record of who held what.
    """

    record_type = models.CharField(_("record type"), max_length=50)
    record_id = models.BigIntegerField(_("record id"))
    record_label = models.CharField(_("record"), max_length=200)
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.TextField(_("reason for release"), blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="hold_record")]
        constraints = [
            # One hold in force per record; a released one may be followed by a new one.
            models.UniqueConstraint(
                fields=["record_type", "record_id"],
                condition=models.Q(released_at__isnull=True),
                name="hold_one_in_force",
            )
        ]

    def __str__(self) -> str:
        return self.record_label

    @property
    def in_force(self) -> bool:
        return self.released_at is None


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Monthly job")
    COMMAND = "command", _("Command")
    BUTTON = "button", _("Administrator")


class RunStatus(models.TextChoices):
    # Listing and archiving: nothing is deleted yet; an interrupted run here is abandoned.
    ARCHIVING = "archiving", _("Archiving")
    # The archive is closed and its checksum recorded: every entry of the run may now go.
    ARCHIVED = "archived", _("Archived, disposing")
    DONE = "done", _("Done")
    PREVIEW = "preview", _("Dry run")
    ABANDONED = "abandoned", _("Interrupted before the archive was complete")


class DisposalRun(models.Model):
    """One run of the disposal job: what it listed, archived and disposed of, by whom (SPEC D-2)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    trigger = models.CharField(_("started by"), max_length=10, choices=RunTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    archived_at = models.DateTimeField(_("archive closed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Per record type: {"complaints": {"listed": n, "held": n, "archived": n, "disposed": n,
    # "cutoff": iso, "months": m}}.
    counts = models.JSONField(_("counts"), default=dict)
    archive_name = models.CharField(_("archive"), max_length=200, blank=True)
    archive_sha256 = models.CharField(_("archive SHA-256"), max_length=64, blank=True)
    archive_bytes = models.BigIntegerField(_("archive size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("disposal run")
        verbose_name_plural = _("disposal runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.number


class DisposalEntry(models.Model):
    """One record a run archived; ``disposed_at`` once it was deleted or anonymised.

    The ledger that makes disposal idempotent: only records with an entry in a run whose
    archive is closed are ever disposed of, each once.
    """

    run = models.ForeignKey(DisposalRun, on_delete=models.PROTECT, related_name="entries")
    record_type = models.CharField(_("record type"), max_length=50)
    record_id = models.BigIntegerField(_("record id"))
    record_label = models.CharField(_("record"), max_length=200)
    disposed_at = models.DateTimeField(_("disposed of at"), null=True, blank=True)
    # Set instead of disposed_at when a hold was placed between archiving and disposal.
    kept_reason = models.CharField(_("kept because"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("disposed record")
        verbose_name_plural = _("disposed records")
        ordering = ["run_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "record_type", "record_id"], name="disposal_entry_once")
        ]
        indexes = [
            models.Index(fields=["run", "disposed_at", "id"], name="disposal_entry_pending"),
            models.Index(fields=["record_type", "record_id"], name="disposal_entry_record"),
        ]

    def __str__(self) -> str:
        return self.record_label


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Copy of their data")
    ERASE = "erase", _("Erasure")


class DataRequest(models.Model):
    """A customer's request for their personal data or its erasure, and its outcome (SPEC D-3).

    The request names the customer only masked; the export itself is never stored.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("request"), max_length=10, choices=RequestKind.choices)
    subject_label = models.CharField(_("customer"), max_length=200)
    customer_ids = models.JSONField(_("customers"), default=list)
    received_via = models.CharField(_("received via"), max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now, db_index=True)
    # {"sections": {title: count}} for an export; {"erased": {source: n}, "kept": [{what, why,
    # until}]} for an erasure.
    outcome = models.JSONField(_("outcome"), default=dict)

    class Meta:
        verbose_name = _("personal-data request")
        verbose_name_plural = _("personal-data requests")
        ordering = ["-handled_at", "-id"]

    def __str__(self) -> str:
        return self.number
