"""Report records (SPEC K-12): one monthly report per department and calendar month."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.org.models import Department, Staff


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class MonthlyReport(models.Model):
    """A department's monthly complaint report.

    While a draft, ``figures`` is refreshed by the period job; on submission it is computed
    one last time and frozen: later edits to complaints never change it (see
    ``services.live_differs`` for showing that the live figures now differ).
    """

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="monthly_reports",
        verbose_name=_("department"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # A JSON-safe snapshot of figures.MonthlyFigures (services.snapshot).
    figures = models.JSONField(_("figures"), default=dict)
    analysis = models.TextField(_("analysis"), blank=True, default="")
    drafted_at = models.DateTimeField(_("figures drafted at"))
    submitted_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-year", "-month", "department__name"]
        constraints = [
            # The period key: running the job twice, or on two workers, makes one report.
            models.UniqueConstraint(
                fields=["department", "year", "month"], name="reports_one_monthly_report_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="reports_monthly_report_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}-{self.month:02d}"
