"""Corrective and preventive actions (SPEC I-1, procedure §7.4, §7.2.11, §7.2.15).

An action (CAPA) records a problem found from some source, the analysis of its causes (with
an optional fishbone), the steps taken (each with an owner and a due date), and the
verification of whether they worked. Its status moves only through ``services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.complaints.models import Complaint
from estatedesk.core.causes import Bone
from estatedesk.core.events import TimelineEvent
from estatedesk.core.versioning import Versioned
from estatedesk.improvement.events import ActionEventKind
from estatedesk.improvement.workflow import ACTION, ActionStatus
from estatedesk.org.models import Department, Estate, Staff
from estatedesk.surveys.models import HalfYearLine, Suggestion

__all__ = ["Action", "ActionEvent", "ActionKind", "ActionStatus", "Bone", "Source", "Step", "Verification"]


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective")
    PREVENTIVE = "preventive", _("Preventive")


class Source(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    GRIEVANCE = "grievance", _("Grievance")
    MONTHLY_REPORT = "monthly_report", _("Monthly report")
    HALF_YEAR_STATISTICS = "half_year_statistics", _("Half-year statistics")
    SURVEY = "survey", _("Satisfaction survey")
    FORUM = "forum", _("Residents' forum")
    INSPECTION = "inspection", _("Inspection")


class Action(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    # The record it was opened from, when that record lives in EstateDesk; the link is
    # shown on both sides. Sources without a record here are described in source_reference.
    source_complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("source complaint"),
    )
    # By label: reports sits above improvement and is not imported here (improvement.sources).
    source_report = models.ForeignKey(
        "reports.MonthlyReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("source monthly report"),
    )
    # A line of a management office's half-year statistics (S-5) and a survey's improvement
    # suggestion the GM accepted (S-9); both pages link back to the action.
    source_half_year_line = models.ForeignKey(
        HalfYearLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("source half-year statistics line"),
    )
    source_suggestion = models.OneToOneField(
        Suggestion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_action",
        verbose_name=_("source improvement suggestion"),
    )
    source_reference = models.CharField(_("source reference"), max_length=200, blank=True, default="")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
        verbose_name=_("responsible department"),
    )
    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("estate"),
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    cause_analysis = models.TextField(_("cause analysis"), blank=True, default="")
    # {"man": ["…", …], "machine": […], …}: only the six Bone keys, lists of short causes.
    fishbone = models.JSONField(_("fishbone"), default=dict, blank=True)
    # The states of workflow.ACTION; only its transitions (services) change it.
    status = models.CharField(
        _("status"), max_length=20, choices=ACTION.choices, default=ActionStatus.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"))
    # The earliest due date of an unfinished step, kept by services: overdue lists filter on it.
    next_due = models.DateField(_("next step due"), null=True, blank=True, db_index=True)
    verification = models.TextField(_("verification of effectiveness"), blank=True, default="")
    verified_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("corrective / preventive action")
        verbose_name_plural = _("corrective / preventive actions")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["department", "status"], name="improvement_dept_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Step(models.Model):
    """One thing to do, by one person, by one date."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="steps", verbose_name=_("action")
    )
    description = models.TextField(_("what to do"))
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("done by")
    )
    result = models.TextField(_("result"), blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action step")
        verbose_name_plural = _("action steps")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class Verification(models.Model):
    """Each check of effectiveness, kept: an ineffective one sends the action back to work."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("action")
    )
    effective = models.BooleanField(_("effective"))
    note = models.TextField(_("evidence and remarks"))
    verified_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("verified by")
    )
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["verified_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.verified_at:%Y-%m-%d}"


class ActionEvent(TimelineEvent):
    """One line of the action's timeline, written by ``events`` (one function per kind)."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="events", verbose_name=_("action")
    )
    kind = models.CharField(_("what happened"), max_length=30, choices=ActionEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("action event")
        verbose_name_plural = _("action events")

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind}"
