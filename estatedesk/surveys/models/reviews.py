"""The reviews that turn figures into work (SPEC S-5, S-6, S-9; procedure §7.3.3, §7.3.4, §7.3.7).

* ``HalfYearStatistics``: per management office and half year, the consultations' and the
  survey's results by category against the quality targets; its ``HalfYearLine``s are the
  categories below target and the issues many owners raised, each of which a corrective or
  preventive action can be opened from (the action points back at the line). The office
  director signs it off; from then on its figures are the ones kept.
* ``Forum``: the year-end meeting with owners or the owners' committee (座談會): participants,
  each opinion with the company's answer, and follow-ups with an owner and a due date.
* ``ReasonCode``: the administrator's list that codes dissatisfaction reasons for the Pareto
  chart (the free text is always kept).
* ``SurveyAnalysis`` and ``Suggestion``: the deputy GM's analysis of a survey (a fishbone for a
  chosen problem) and the improvement suggestions the GM decides.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core import i18n
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import CommitteeMember, Customer, Department, Estate, Staff, Unit
from estatedesk.surveys.models.surveys import Category, Survey
from estatedesk.surveys.workflow import SUGGESTION, SuggestionStatus


class Half(models.IntegerChoices):
    FIRST = 1, _("First half (January–June)")
    SECOND = 2, _("Second half (July–December)")


class HalfYearStatistics(Versioned):
    office = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("management office")
    )
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half year"), choices=Half.choices)
    # The figures as computed (``half_year.compute``), kept as they were when signed off.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    # The director's conclusions (two people may edit them: Versioned).
    conclusions = models.TextField(_("director's conclusions"), blank=True)
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_by_name = models.CharField(_("signed off by"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("half-year statistics")
        verbose_name_plural = _("half-year statistics")
        ordering = ["-year", "-half", "estate__code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "half"], name="half_year_once_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year} H{self.half}"

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


class LineKind(models.TextChoices):
    BELOW_TARGET = "below_target", _("Below the quality target")
    ISSUE = "issue", _("Raised by many owners")


class HalfYearLine(models.Model):
    """A category below target, or an issue many owners raised, in a half-year's statistics."""

    statistics = models.ForeignKey(HalfYearStatistics, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    # What the line says, written when computed ("清洁 82.0%（n=150）低于目标 90%").
    summary = models.CharField(_("summary"), max_length=300)
    households = models.PositiveIntegerField(_("households"), default=0)

    class Meta:
        verbose_name = _("half-year statistics line")
        verbose_name_plural = _("half-year statistics lines")
        ordering = ["statistics_id", "position", "id"]

    def __str__(self) -> str:
        return self.summary


class Forum(Versioned):
    """The year-end meeting with owners or the owners' committee (§7.3.4)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    estates = models.ManyToManyField(Estate, related_name="+", verbose_name=_("estates"))
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    chaired_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chaired by")
    )
    summary = models.TextField(_("summary of the meeting"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("owners' forum")
        verbose_name_plural = _("owners' forums")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ParticipantKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    COMMITTEE = "committee", _("Owners' committee member")
    STAFF = "staff", _("Company staff")
    OTHER = "other", _("Other")


class ForumParticipant(models.Model):
    """Who came: an owner by unit, a committee member, a staff member, or someone else named."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=ParticipantKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    committee_member = models.ForeignKey(
        CommitteeMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("committee member"),
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("staff")
    )
    # Only for "other" (or to keep a name when the linked record is erased, D-3): masked in lists.
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("forum participant")
        verbose_name_plural = _("forum participants")
        ordering = ["forum_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.forum_id} {self.kind}"


class ForumOpinion(Versioned):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="opinions")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    text = models.TextField(_("opinion"))
    raised_by = models.ForeignKey(
        ForumParticipant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("raised by"),
    )
    answer = models.TextField(_("the company's answer"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forum opinion")
        verbose_name_plural = _("forum opinions")
        ordering = ["forum_id", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ForumFollowUp(models.Model):
    opinion = models.ForeignKey(ForumOpinion, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.TextField(_("what to do"))
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"), db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by_name = models.CharField(_("done by"), max_length=100, blank=True)
    result = models.TextField(_("result"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forum follow-up")
        verbose_name_plural = _("forum follow-ups")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class ReasonCode(models.Model):
    """A code for dissatisfaction reasons (S-9's Pareto chart): a reason whose text holds one of
    the keywords gets the code; the reason's own words are always kept beside it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_zh_hans = models.CharField(_("label (Simplified Chinese)"), max_length=100)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=100, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    # One keyword per line, in any of the three scripts (matched case-insensitively).
    keywords = models.TextField(_("keywords"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    def label(self, language: str | None = None) -> str:
        return i18n.text_in(language or get_language(), self.label_zh_hans, self.label_zh_hant, self.label_en)


class SurveyAnalysis(Versioned):
    """The deputy GM's analysis of a survey (§7.3.7): a summary, and a fishbone for the problem
    chosen (the same six bones as a corrective action's)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="analysis")
    summary = models.TextField(_("analysis"), blank=True)
    problem = models.CharField(_("problem analysed"), max_length=200, blank=True)
    fishbone = models.JSONField(_("fishbone"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey analysis")
        verbose_name_plural = _("survey analyses")

    def __str__(self) -> str:
        return f"{self.survey_id}"


class Suggestion(Versioned):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="suggestions")
    number = models.CharField(_("number"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("estate")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("suggestion"))
    status = models.CharField(
        _("status"), max_length=12, choices=SUGGESTION.choices, default=SuggestionStatus.DRAFT, db_index=True
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    written_by_name = models.CharField(_("written by"), max_length=100, blank=True)
    written_at = models.DateTimeField(_("written at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=100, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    # Accepted: who carries it out, by when (the action opened from it has the same step).
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement suggestion")
        verbose_name_plural = _("improvement suggestions")
        ordering = ["survey_id", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
