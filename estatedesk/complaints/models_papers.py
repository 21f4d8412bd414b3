"""The papers around complaints (SPEC K-8, K-9, K-11): work transfer slips with their
signatures, work arrangement notices and weekly reviews. Imported by ``models`` (so they point
at the complaint by its label: this module imports nothing of ``models``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.complaints import workflow
from estatedesk.complaints.workflow import NoticeStatus, SlipStatus
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Department, Estate, Staff


class SlipLevel(models.TextChoices):
    DEPARTMENT_HEAD = "department_head", _("Department head")
    DEPUTY_GM = "deputy_gm", _("Deputy general manager")
    GM = "gm", _("General manager")


class TransferSlip(Versioned):
    """工作傳簽單 (K-8): a matter a handler cannot resolve, passed up the chain."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="slips", verbose_name=_("complaint")
    )
    status = models.CharField(
        _("status"), max_length=15, choices=workflow.SLIP.choices, default=SlipStatus.AT_HEAD
    )
    raised_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"))
    # The first signer the raiser chose (§7.2.8): the head of the complaint's department, or
    # directly the deputy GM or the GM; the steps before it are skipped.
    first_signer = models.CharField(
        _("first signer"), max_length=20, choices=SlipLevel.choices, default=SlipLevel.DEPARTMENT_HEAD
    )
    matter = models.TextField(_("matter"))
    handler_opinion = models.TextField(_("handler's opinion"), blank=True)
    result = models.TextField(_("final result"), blank=True)
    result_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("result by")
    )
    result_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work transfer slip")
        verbose_name_plural = _("work transfer slips")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Signature(models.Model):
    """A signer's opinion on a slip, in the order signed."""

    slip = models.ForeignKey(TransferSlip, on_delete=models.CASCADE, related_name="signatures")
    level = models.CharField(_("level"), max_length=20, choices=SlipLevel.choices)
    signer = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"))
    signed_at = models.DateTimeField(_("signed at"))
    opinion = models.TextField(_("opinion"))
    decision = models.CharField(max_length=12)  # "escalate" | "decide"
    # The role the signer signed for when standing in for it (the GM for the deputy GM, when the
    # company settings allow it); empty when signing in their own role.
    acting_for = models.CharField(_("acting for"), max_length=20, choices=SlipLevel.choices, blank=True)

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.level} {self.signed_at:%Y-%m-%d %H:%M}"

    @property
    def signer_name(self) -> str:
        """Who signed, as ``chain.slip_chain`` reads a signature (select ``signer`` with it)."""
        return self.signer.display_name


class NoticeOrigin(models.TextChoices):
    INITIATIVE = "initiative", _("Superior's own initiative")
    SLIP = "slip", _("From a work transfer slip")


class WorkNotice(Versioned):
    """工作安排通知單 (K-9)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    origin = models.CharField(_("origin"), max_length=12, choices=NoticeOrigin.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=workflow.NOTICE.choices, default=NoticeStatus.ISSUED
    )
    slip = models.ForeignKey(
        TransferSlip,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("work transfer slip"),
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("complaint"),
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("estate")
    )
    issued_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="work_notices",
        verbose_name=_("responsible department"),
    )
    task = models.TextField(_("task"))
    due_at = models.DateTimeField(_("complete by"), db_index=True)
    completion_report = models.TextField(_("completion report"), blank=True)
    reported_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True)
    verified_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work arrangement notice")
        verbose_name_plural = _("work arrangement notices")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class WeeklyReview(models.Model):
    """A department head's weekly look at the department's records and slips (K-11)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="weekly_reviews")
    week_start = models.DateField(_("week starting"))  # a Monday, in company time
    reviewed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))
    remarks = models.TextField(_("remarks"), blank=True)
    complaint_count = models.PositiveIntegerField(default=0)
    slip_count = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("weekly review")
        verbose_name_plural = _("weekly reviews")
        ordering = ["-week_start", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "week_start"], name="one_review_per_department_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.week_start}"
