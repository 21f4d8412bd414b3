"""Report records (SPEC K-12, K-13, K-15): one monthly report per department and calendar
month, one quarterly analysis per quarter, one annual summary per year, and their timelines.

Their statuses are the states of ``workflow``; only the services' transitions change them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core.events import TimelineEvent
from estatedesk.core.i18n import month_label
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Department, Staff
from estatedesk.reports.events import ReportEventKind
from estatedesk.reports.workflow import ANNUAL, MONTHLY, QUARTERLY, AnnualStatus, PeriodStatus, ReportStatus

__all__ = [
    "AnnualStatus",
    "AnnualSummary",
    "MonthlyReport",
    "PeriodStatus",
    "QuarterlyAnalysis",
    "ReportEvent",
    "ReportStatus",
    "ReviewDecision",
]


class ReviewDecision(models.TextChoices):
    NO_ACTION = "no_action", _("No action needed")
    ACTIONS = "actions", _("Corrective / preventive actions opened")


class MonthlyReport(Versioned):
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
    status = models.CharField(_("status"), max_length=20, choices=MONTHLY.choices, default=ReportStatus.DRAFT)
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
    # The deputy GM's review (K-14).
    decision = models.CharField(
        _("decision"), max_length=20, choices=ReviewDecision.choices, blank=True, default=""
    )
    review_note = models.TextField(_("review remarks"), blank=True, default="")
    reviewed_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
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
        return f"{self.department} {self.period}"

    @property
    def period(self) -> str:
        """2026年6月 (2026-06 in English)."""
        return month_label(self.year, self.month)


class QuarterlyAnalysis(Versioned):
    """The customer-service department's cross-department analysis of a quarter (K-13).

    Drafted with figures by the period job; customer service writes the analysis and
    publishes it to every department, after which the figures and text are frozen.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(
        _("status"), max_length=20, choices=QUARTERLY.choices, default=PeriodStatus.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict)
    analysis = models.TextField(_("analysis"), blank=True, default="")
    drafted_at = models.DateTimeField(_("figures drafted at"))
    edited_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True)
    published_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarterly analysis")
        verbose_name_plural = _("quarterly analyses")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"], name="reports_one_quarterly_analysis_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="reports_quarter_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class AnnualSummary(Versioned):
    """The deputy GM's annual complaint summary and management-review pack (K-15, I-2)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(_("status"), max_length=20, choices=ANNUAL.choices, default=AnnualStatus.DRAFT)
    figures = models.JSONField(_("figures"), default=dict)
    summary = models.TextField(_("summary"), blank=True, default="")
    drafted_at = models.DateTimeField(_("figures drafted at"))
    published_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    published_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual complaint summary")
        verbose_name_plural = _("annual complaint summaries")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class ReportEvent(TimelineEvent):
    """One line of a report's timeline, written by ``events`` (one function per kind).

    One table for the three kinds of report: each row points at exactly one of them by a real
    foreign key (a check constraint says so), so each report's timeline is one indexed filter
    on ``report.events``, the kinds are one enum, and no generic foreign key is needed.
    """

    monthly_report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    quarterly_analysis = models.ForeignKey(
        QuarterlyAnalysis, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    annual_summary = models.ForeignKey(
        AnnualSummary, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("what happened"), max_length=30, choices=ReportEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(monthly_report__isnull=False, quarterly_analysis=None, annual_summary=None)
                    | models.Q(monthly_report=None, quarterly_analysis__isnull=False, annual_summary=None)
                    | models.Q(monthly_report=None, quarterly_analysis=None, annual_summary__isnull=False)
                ),
                name="reports_event_of_exactly_one_report",
            )
        ]

    def __str__(self) -> str:
        return self.kind
