"""Satisfaction surveys (SPEC S-1, S-2, S-3, S-7, S-8): the evaluation standard, surveys, their
drawn samples, and the answers households give.

The evaluation standard (業戶滿意度測評標準) is a ``Questionnaire`` with numbered
``QuestionnaireVersion``s: a survey keeps the version it asked, and editing a version a survey
has used makes a new one (``standards.edit``). Texts are kept in the three languages of the
product, so a resident reads the questionnaire in theirs.

A household is an occupied unit with its occupying customer; the sample is a ``Household`` row
per drawn unit, carrying the personal link's token. One ``Response`` per household (a unique
key, so two submissions at once cannot both land), with one ``Answer`` per question; the
answers repeat the survey, estate, building and category so that the results are one grouped
query over one table.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core import i18n
from estatedesk.core.events import TimelineEvent
from estatedesk.core.versioning import Versioned
from estatedesk.org.models import Building, Customer, CustomerKind, Estate, EstateKind, Unit
from estatedesk.surveys import workflow
from estatedesk.surveys.events import SurveyEventKind
from estatedesk.surveys.workflow import SurveyStatus


class Category(models.TextChoices):
    """What a question is about: §7.3.1's categories for residential estates, and the bank
    example's (companion article) for office buildings."""

    HOUSING = "housing", _("Housing management")
    SECURITY = "security", _("Public order")
    VEHICLES = "vehicles", _("Vehicles and parking")
    CLEANING = "cleaning", _("Cleaning")
    LANDSCAPING = "landscaping", _("Landscaping")
    REPAIRS = "repairs", _("Repairs")
    COMMUNITY = "community", _("Community activities")
    CONVENIENCE = "convenience", _("Convenience services")
    RECEPTION = "reception", _("Management and reception")
    CLEANING_LANDSCAPING = "cleaning_landscaping", _("Cleaning and landscaping")
    GUARDING = "guarding", _("Security guarding")
    FACILITIES = "facilities", _("Facilities maintenance")
    OVERALL = "overall", _("Overall")


RESIDENTIAL_CATEGORIES = (
    Category.HOUSING,
    Category.SECURITY,
    Category.VEHICLES,
    Category.CLEANING,
    Category.LANDSCAPING,
    Category.REPAIRS,
    Category.COMMUNITY,
    Category.CONVENIENCE,
)
OFFICE_CATEGORIES = (
    Category.RECEPTION,
    Category.CLEANING_LANDSCAPING,
    Category.GUARDING,
    Category.FACILITIES,
)


def text_in(language: str | None, zh_hans: str, zh_hant: str, en: str) -> str:
    """A text in the reader's language (the active one by default)."""
    return i18n.text_in(language or get_language(), zh_hans, zh_hant, en)


class Questionnaire(models.Model):
    """An evaluation standard: a family of versions, one per edit after a survey used it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    estate_kind = models.CharField(
        _("for"), max_length=20, choices=EstateKind.choices, default=EstateKind.RESIDENTIAL
    )
    # The one a new survey asks in estates of this kind unless told otherwise.
    is_default = models.BooleanField(_("default for its kind of estate"), default=False)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation standard")
        verbose_name_plural = _("evaluation standards")
        ordering = ["estate_kind", "name"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> QuestionnaireVersion:
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class StandardLevel(models.TextChoices):
    """The default scale's levels; a scale level with one of these codes is labelled by the
    catalogue (很满意 …; a context of their own, since a complaint's rating says 非常满意), any
    other by the labels written on the scale."""

    VERY_SATISFIED = "very_satisfied", pgettext_lazy("survey scale", "Very satisfied")
    SATISFIED = "satisfied", pgettext_lazy("survey scale", "Satisfied")
    NEUTRAL = "neutral", pgettext_lazy("survey scale", "Neutral")
    DISSATISFIED = "dissatisfied", pgettext_lazy("survey scale", "Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", pgettext_lazy("survey scale", "Very dissatisfied")


def level_label(level: dict[str, object], language: str | None = None) -> str:
    code = str(level.get("code", ""))
    if code in StandardLevel.values:
        return str(StandardLevel(code).label)
    labels = level.get("labels") or {}
    if not isinstance(labels, dict):
        return code
    return text_in(
        language, str(labels.get("zh-hans", code)), str(labels.get("zh-hant", "")), str(labels.get("en", ""))
    )


def default_scale() -> list[dict[str, object]]:
    """The five levels of SPEC S-1: 很满意 100 … 很不满意 20; the top two are satisfied, the
    bottom two dissatisfied (which puts a household in the next survey's key sample)."""
    return [
        {"code": "very_satisfied", "score": 100, "satisfied": True, "dissatisfied": False},
        {"code": "satisfied", "score": 80, "satisfied": True, "dissatisfied": False},
        {"code": "neutral", "score": 60, "satisfied": False, "dissatisfied": False},
        {"code": "dissatisfied", "score": 40, "satisfied": False, "dissatisfied": True},
        {"code": "very_dissatisfied", "score": 20, "satisfied": False, "dissatisfied": True},
    ]


class QuestionnaireVersion(Versioned):
    """One version of an evaluation standard: its title, introduction, rating scale and
    questions. Never changed once a survey has asked it (an edit in ``standards`` makes the
    next one). Its texts may be edited by two people at once: ``Versioned`` (decision 0011)."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("evaluation standard"),
    )
    number = models.PositiveIntegerField(_("version"))
    title_zh_hans = models.CharField(_("title (Simplified Chinese)"), max_length=200)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh_hans = models.TextField(_("introduction (Simplified Chinese)"), blank=True)
    intro_zh_hant = models.TextField(_("introduction (Traditional Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    # [{"code", "score", "satisfied", "dissatisfied", "labels": {"zh-hans", "zh-hant", "en"}?}]
    # in the order shown, best first; the five standard codes are labelled by the catalogue.
    scale = models.JSONField(_("rating scale"), default=default_scale)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation standard version")
        verbose_name_plural = _("evaluation standard versions")
        ordering = ["questionnaire_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="questionnaire_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"

    def title(self, language: str | None = None) -> str:
        return text_in(language, self.title_zh_hans, self.title_zh_hant, self.title_en)

    def intro(self, language: str | None = None) -> str:
        return text_in(language, self.intro_zh_hans, self.intro_zh_hant, self.intro_en)


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating on the scale")
    TEXT = "text", _("Free text")


class Question(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.RATING
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    text_zh_hans = models.CharField(_("question (Simplified Chinese)"), max_length=300)
    text_zh_hant = models.CharField(_("question (Traditional Chinese)"), max_length=300, blank=True)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=True)
    # A rating at a dissatisfied level then asks "why?" (optional for the resident).
    ask_reason = models.BooleanField(_("ask the reason for dissatisfaction"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version_id", "position", "id"]

    def __str__(self) -> str:
        return self.text_zh_hans

    def text(self, language: str | None = None) -> str:
        return text_in(language, self.text_zh_hans, self.text_zh_hant, self.text_en)


class SurveyKind(models.TextChoices):
    ANNUAL = "annual", _("Annual survey")
    SPECIAL = "special", _("Special-purpose survey")


class Survey(Versioned):
    """One survey: the annual one (§7.3.5) or a special-purpose one, with the sample drawn for
    it and the rules its figures follow (copied from the company settings when it is prepared,
    so a later change of settings does not rewrite a finished survey's results)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices, default=SurveyKind.ANNUAL)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=12, choices=workflow.SURVEY.choices, default=SurveyStatus.DRAFT, db_index=True
    )
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("questionnaire"),
        help_text=_("Asked in residential estates"),
    )
    office_version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_surveys",
        verbose_name=_("questionnaire for office buildings"),
        help_text=_("Asked in office buildings; empty: the same questionnaire everywhere"),
    )
    share = models.DecimalField(_("sample share (%)"), max_digits=5, decimal_places=2, default=50)
    # Only for a special-purpose survey: narrow the frame to these buildings / households.
    buildings = models.ManyToManyField(Building, blank=True, related_name="+", verbose_name=_("buildings"))
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("households"))
    closes_on = models.DateField(_("answers accepted until"), null=True, blank=True)
    reminder_gap_days = models.PositiveSmallIntegerField(_("days between reminders"), default=3)
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    # The return-rate rule (S-3) and the target, as they were when the survey was prepared.
    return_threshold = models.DecimalField(_("return rate needed (%)"), max_digits=5, decimal_places=2)
    return_step = models.DecimalField(_("penalty step (points short)"), max_digits=5, decimal_places=2)
    return_penalty = models.DecimalField(_("penalty per step (points)"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("satisfaction-rate target (%)"), max_digits=5, decimal_places=2)
    # Shown to residents before the first question (S-9: the improvements since the last survey).
    improvements = models.TextField(_("improvements since the last survey"), blank=True)
    # The draw (recorded once): who, when, with which seed, and what it found.
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drawn_by_name = models.CharField(_("drawn by"), max_length=100, blank=True)
    key_since = models.DateTimeField(_("key sample counts from"), null=True, blank=True)
    frame_size = models.PositiveIntegerField(_("households in the frame"), default=0)
    vacant_count = models.PositiveIntegerField(_("vacant units left out"), default=0)
    second_stage_count = models.PositiveIntegerField(_("key households"), default=0)
    random_count = models.PositiveIntegerField(_("randomly drawn households"), default=0)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-year", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def sample_size(self) -> int:
        return self.second_stage_count + self.random_count


class SurveyEstate(models.Model):
    """An estate a survey covers, the questionnaire asked there and what its draw found."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="estates", verbose_name=_("survey")
    )
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate"))
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("questionnaire")
    )
    frame_size = models.PositiveIntegerField(_("households in the frame"), default=0)
    vacant_count = models.PositiveIntegerField(_("vacant units left out"), default=0)
    target_size = models.PositiveIntegerField(_("households the share asks for"), default=0)
    second_stage_count = models.PositiveIntegerField(_("key households"), default=0)
    random_count = models.PositiveIntegerField(_("randomly drawn households"), default=0)

    class Meta:
        verbose_name = _("estate of a survey")
        verbose_name_plural = _("estates of a survey")
        ordering = ["survey_id", "estate__code"]
        constraints = [models.UniqueConstraint(fields=["survey", "estate"], name="survey_estate_unique")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.estate_id}"

    @property
    def sample_size(self) -> int:
        return self.second_stage_count + self.random_count


def new_token() -> str:
    return secrets.token_urlsafe(24)


class KeyReason(models.TextChoices):
    """Why a household is in the second-stage (key) sample (§7.3.6b)."""

    COMPLAINED = "complained", _("complained")
    GRIEVED = "grieved", _("raised a grievance")
    DISSATISFIED_VISIT = "dissatisfied_visit", _("dissatisfied at a follow-up visit")
    DISSATISFIED_REPLY = "dissatisfied_reply", _("rated a reply as dissatisfied")
    DISSATISFIED_SURVEY = "dissatisfied_survey", _("dissatisfied in the last survey")


class Household(models.Model):
    """A drawn household: an occupied unit and its occupying customer at the draw, with the
    personal link's token (the resident's only key; never in a log, ``core.redact``)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="households")
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
    second_stage = models.BooleanField(_("key household"), default=False)
    # KeyReason values, in order
    reasons = models.JSONField(_("why a key household"), default=list, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sms_sent_at = models.DateTimeField(_("link sent by SMS"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    # A half-finished online answer: {"answers": {question id: {"level", "reason", "text"}}, "step": n}
    draft = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("sampled household")
        verbose_name_plural = _("sampled households")
        ordering = ["survey_id", "estate_id", "building_id", "unit__floor", "unit__number"]
        constraints = [models.UniqueConstraint(fields=["survey", "unit"], name="household_once_per_survey")]
        indexes = [
            models.Index(fields=["survey", "estate", "building"], name="household_survey_place"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.unit_id}"


class ResponseChannel(models.TextChoices):
    ONLINE = "online", _("Online (personal link)")
    PAPER = "paper", _("Paper questionnaire")


class Response(models.Model):
    """A household's returned questionnaire. One per household: the unique key refuses a
    second one, even when two arrive at the same moment."""

    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="response", verbose_name=_("household")
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("returned"), max_length=10, choices=ResponseChannel.choices)
    submitted_at = models.DateTimeField(_("returned at"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by_name = models.CharField(_("entered by"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The household at the time (S-10 breaks results down by these).
    customer_kind = models.CharField(
        _("customer type"), max_length=20, choices=CustomerKind.choices, blank=True
    )
    second_stage = models.BooleanField(_("key household"), default=False)

    class Meta:
        verbose_name = _("returned questionnaire")
        verbose_name_plural = _("returned questionnaires")
        ordering = ["survey_id", "-submitted_at", "-id"]
        indexes = [models.Index(fields=["survey", "estate", "building"], name="response_survey_place")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.household_id}"


class Answer(models.Model):
    """One question answered. ``level`` is empty for a skipped optional question and for a
    free-text question; only an answer with a level is *valid* for the figures (S-2)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, blank=True)
    level = models.CharField(max_length=30, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    satisfied = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False)
    reason = models.TextField(_("reason for dissatisfaction"), blank=True)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response_id", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")
        ]
        indexes = [
            models.Index(fields=["survey", "estate", "building", "question"], name="answer_survey_place")
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.question_id} {self.level}"


class SatisfactionTarget(models.Model):
    """A quality target other than the company's (``CompanySettings.satisfaction_target``): for
    one category, one estate, or one category in one estate. The most specific one applies."""

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("estate")
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    target = models.DecimalField(_("satisfaction-rate target (%)"), max_digits=5, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("satisfaction target")
        verbose_name_plural = _("satisfaction targets")
        ordering = ["estate_id", "category"]
        # The company-wide rows (no estate) are kept one per category by ``targets.set_target``.
        constraints = [models.UniqueConstraint(fields=["estate", "category"], name="target_unique")]

    def __str__(self) -> str:
        return f"{self.estate_id or '*'} {self.category or '*'} {self.target}"


class SurveyEvent(TimelineEvent):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="events", verbose_name=_("survey")
    )
    kind = models.CharField(_("what happened"), max_length=30, choices=SurveyEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("survey event")
        verbose_name_plural = _("survey events")

    def __str__(self) -> str:
        return f"{self.survey_id} {self.kind}"


__all__ = [
    "OFFICE_CATEGORIES",
    "RESIDENTIAL_CATEGORIES",
    "Answer",
    "Category",
    "Household",
    "KeyReason",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "ResponseChannel",
    "SatisfactionTarget",
    "StandardLevel",
    "Survey",
    "SurveyEstate",
    "SurveyEvent",
    "SurveyKind",
    "SurveyStatus",
    "default_scale",
    "level_label",
    "new_token",
    "text_in",
]
