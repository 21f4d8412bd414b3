"""The monthly consultation of owners (業主意見征詢, SPEC S-4, procedure §7.3.1–7.3.2).

Each management office consults owners at least once a month on topics it chooses from the
§7.3.1 categories, by visiting, phoning, talking in the outdoor areas, or a questionnaire. The
system proposes at least 5 % of the estate's occupied households (``consultation_sampling``),
preferring those not consulted yet this year; the office may swap one for another while the
consultation is planned, and both the proposal and the households asked are kept.

A consulted household answers one rating per topic on the survey scale (with the reason when
dissatisfied) and may add other opinions. Answers repeat the consultation, estate, building and
category, so the figures are one grouped query, like a survey's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core.events import TimelineEvent
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Building, Customer, CustomerKind, Department, Estate, Staff, Unit
from estatedesk.surveys.events import ConsultationEventKind
from estatedesk.surveys.models.surveys import Category, default_scale, new_token
from estatedesk.surveys.workflow import CONSULTATION, ConsultationStatus


class ConsultationMethod(models.TextChoices):
    """§7.3.1 a)–d)."""

    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visit")
    PHONE = "phone", _("Phone call")
    OUTDOOR = "outdoor", _("Talk in the outdoor areas")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")


class Consultation(Versioned):
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
    # The first day of the month it counts for (§7.3.1: at least one a month).
    month = models.DateField(_("month"), db_index=True)
    topics = models.JSONField(_("topics"), default=list)  # Category values, in the order asked
    method = models.CharField(_("method"), max_length=20, choices=ConsultationMethod.choices)
    staff = models.ManyToManyField(Staff, blank=True, related_name="+", verbose_name=_("staff consulting"))
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CONSULTATION.choices,
        default=ConsultationStatus.PLANNED,
        db_index=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    scale = models.JSONField(_("rating scale"), default=default_scale)
    # The share asked for and what the proposal found, recorded once (§7.3.2: at least 5 %).
    share = models.DecimalField(_("sample share (%)"), max_digits=5, decimal_places=2, default=5)
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    occupied_count = models.PositiveIntegerField(_("occupied households"), default=0)
    fresh_count = models.PositiveIntegerField(_("households not yet consulted this year"), default=0)
    proposed_count = models.PositiveIntegerField(_("households proposed"), default=0)
    # The return-rate rule (S-3) and the target as they were when planned (questionnaire method).
    return_threshold = models.DecimalField(_("return rate needed (%)"), max_digits=5, decimal_places=2)
    return_step = models.DecimalField(_("penalty step (points short)"), max_digits=5, decimal_places=2)
    return_penalty = models.DecimalField(_("penalty per step (points)"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("satisfaction-rate target (%)"), max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(_("planned by"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monthly consultation")
        verbose_name_plural = _("monthly consultations")
        ordering = ["-month", "estate__code", "-id"]
        indexes = [models.Index(fields=["estate", "month"], name="consultation_estate_month")]

    def __str__(self) -> str:
        return f"{self.number} {self.month:%Y-%m}"

    @property
    def is_questionnaire(self) -> bool:
        return self.method == ConsultationMethod.QUESTIONNAIRE

    def topic_labels(self) -> list[str]:
        return [str(Category(t).label) if t in Category.values else t for t in self.topics]


class ConsultedHousehold(models.Model):
    """A household in a consultation's sample. ``proposed`` says the system proposed it,
    ``asked`` that it is in the sample the office kept (a swapped-out household stays, with
    ``asked`` false and ``replaced_by`` the one asked instead)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="households")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    customer_kind = models.CharField(
        _("customer type"), max_length=20, choices=CustomerKind.choices, blank=True
    )
    # Complained or grieved in the twelve months before the proposal (S-10's segment).
    complained = models.BooleanField(_("complained in the period"), default=False)
    proposed = models.BooleanField(_("proposed by the system"), default=True)
    asked = models.BooleanField(_("in the sample"), default=True)
    # Not consulted earlier in the year when proposed (the proposal prefers these).
    fresh = models.BooleanField(_("first consultation this year"), default=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("swapped for"),
    )
    swap_reason = models.CharField(_("why swapped"), max_length=200, blank=True)
    swapped_by_name = models.CharField(_("swapped by"), max_length=100, blank=True)
    swapped_at = models.DateTimeField(_("swapped at"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)
    channel = models.CharField(
        _("answered by"), max_length=20, blank=True
    )  # a ConsultationMethod or "online"
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by_name = models.CharField(_("entered by"), max_length=100, blank=True)
    # The key a phone sent its answer with: the same answer sent again (the connection came
    # back after a timeout) is recognised and recorded once.
    submission_key = models.CharField(max_length=64, blank=True, default="")
    remarks = models.TextField(_("other opinions"), blank=True)

    class Meta:
        verbose_name = _("consulted household")
        verbose_name_plural = _("consulted households")
        ordering = ["consultation_id", "building__name", "unit__floor", "unit__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "unit"], name="consulted_once_per_consultation")
        ]
        indexes = [
            models.Index(fields=["estate", "asked", "unit"], name="consulted_estate_unit"),
            models.Index(fields=["consultation", "asked"], name="consulted_asked"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.unit_id}"


class ConsultationAnswer(models.Model):
    """A household's rating of one topic; ``level`` empty when it gave none (not valid)."""

    household = models.ForeignKey(ConsultedHousehold, on_delete=models.CASCADE, related_name="answers")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("topic"), max_length=30, choices=Category.choices)
    level = models.CharField(max_length=30, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    satisfied = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False)
    reason = models.TextField(_("reason for dissatisfaction"), blank=True)

    class Meta:
        verbose_name = _("consultation answer")
        verbose_name_plural = _("consultation answers")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "category"], name="consultation_answer_once")
        ]
        indexes = [models.Index(fields=["estate", "consultation", "category"], name="consult_answer_place")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.category} {self.level}"


class ConsultationEvent(TimelineEvent):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="events", verbose_name=_("monthly consultation")
    )
    kind = models.CharField(_("what happened"), max_length=30, choices=ConsultationEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("consultation event")
        verbose_name_plural = _("consultation events")

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.kind}"
