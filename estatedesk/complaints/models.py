"""Complaints, enquiries and grievances, and the papers that carry them (SPEC §2, C-7).

Status fields are written only by ``services`` through the transitions declared in
``workflow``; nothing else assigns them. Phone numbers are encrypted with a blind index
for look-up (SPEC D-3), as on ``org.Customer``.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.complaints import workflow
from estatedesk.complaints.events import ComplaintEvent
from estatedesk.complaints.generated import Microseconds, complainant_key
from estatedesk.complaints.workflow import NoticeStatus, SlipStatus, Status
from estatedesk.core import crypto, i18n
from estatedesk.core.events import TimelineEvent
from estatedesk.core.fields import EncryptedTextField, LocalDateField
from estatedesk.core.versioning import Versioned
from estatedesk.org import channels
from estatedesk.org.models import Customer, Department, Developer, Estate, PrivacyNotice, Staff, Unit


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    GRIEVANCE = "grievance", _("Grievance")
    ENQUIRY = "enquiry", _("Enquiry")


class Channel(StrEnum):
    """The built-in channel codes complaints act on (the portal's intake, the suggestion box
    that needs no contact, the leadership channels of §7.2.2). The list itself, with its names
    in three languages, is the administrators' (``org.Channel``, SPEC C-1); a complaint keeps
    the code and reads the name from there (``Complaint.channel_name``)."""

    PHONE = "phone"
    FACE_TO_FACE = "face_to_face"
    LETTER = "letter"
    SUGGESTION_BOX = "suggestion_box"
    RETURN_VISIT = "return_visit"
    PORTAL = "portal"
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"
    COMPANY = "company"
    GROUP_COMPANY = "group_company"
    MEDIA = "media"
    GOVERNMENT = "government"


# §7.2.2: complaints that reach these are entered by company leadership.
LEADERSHIP_CHANNELS = frozenset({Channel.COMPANY, Channel.GROUP_COMPANY, Channel.MEDIA, Channel.GOVERNMENT})


class Category(Versioned):
    """The complaint categories of §7.3.1 / §4.1 (SPEC K-3), kept by administrators.

    Written only by ``complaints.categories`` (add, rename, reorder, deactivate, delete while
    unused); a rename is based on the ``edit_version`` the form showed (decision 0011). A
    deactivated category is no longer offered for new complaints, and stays on old ones.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=50)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_in(get_language())

    def name_in(self, language: str | None) -> str:
        """The name in ``language`` (the active one for ``str()``); Simplified Chinese by default."""
        return i18n.text_in(language, self.name_zh_hans, self.name_zh_hant, self.name_en)


class Cause(models.TextChoices):
    """§4.1: only the company's own responsibility makes a complaint valid (SPEC K-4)."""

    MANAGEMENT = "management", _("Company: management service")
    CHARGES = "charges", _("Company: charges")
    FUNDS = "funds", _("Company: funds management")
    MAINTENANCE = "maintenance", _("Company: repairs and maintenance")
    DEVELOPER = "developer", _("Developer")
    EXTERNAL = "external", _("External environment")
    PUBLIC_FACILITIES = "public_facilities", _("Public facilities outside our jurisdiction")
    UNFOUNDED = "unfounded", _("Unfounded")


COMPANY_CAUSES = frozenset({Cause.MANAGEMENT, Cause.CHARGES, Cause.FUNDS, Cause.MAINTENANCE})
REFERRAL_CAUSES = frozenset({Cause.DEVELOPER, Cause.EXTERNAL, Cause.PUBLIC_FACILITIES})


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.REFERRED, Status.REPLIED)
# Statuses in which the reply deadline still runs.
AWAITING_REPLY = (Status.NEW, Status.IN_PROGRESS, Status.REFERRED)


class ReplyManner(models.TextChoices):
    ORAL = "oral", _("Oral")
    WRITTEN = "written", _("Written")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")


SATISFIED_ANSWERS = frozenset({Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED})


class RatingScore(models.TextChoices):
    """The resident's own rating of a reply on the status page: the three answers residents know
    from satisfaction cards (满意 / 基本满意 / 不满意); the first two count as satisfied."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")


def new_portal_token() -> str:
    return secrets.token_urlsafe(24)


class Complaint(Versioned):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPLAINT)
    status = models.CharField(
        _("status"), max_length=12, choices=workflow.COMPLAINT.choices, default=Status.NEW
    )
    # Kept by the database from status (``is_open`` is the same in Python). The open records'
    # partial indexes are "WHERE open", a condition the ORM writes as the bare column, so
    # SQLite's planner can match it: with "status IN (…)" as parameters it cannot, and its
    # statistics do not show that nearly every record is closed.
    open = models.GeneratedField(
        expression=ExpressionWrapper(~Q(status=Status.CLOSED), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # Kept by the database too: the record waits for its first reply against a deadline (the
    # "due soon" and "overdue" of lists, panels, the dashboard and the reminders). Its partial
    # indexes hold (scope, reply_due, due_basis), so a scope's due counts are a range of one
    # index, not a read of every open record's row (decision 0064).
    awaiting_reply = models.GeneratedField(
        expression=ExpressionWrapper(
            Q(status__in=AWAITING_REPLY, replied_at__isnull=True, reply_due__isnull=False),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("estate")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("unit"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("customer"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=100, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    # Kept by the database: who complained, as the monthly report groups repeat complainants
    # ('customer:<id>', 'phone:<blind index>', 'name:<name>', NULL), read from the index
    # complaint_dept_month (decision 0068). It holds nothing the row does not: the name is
    # complainant_name's, and follows it when that is erased.
    complainant = models.GeneratedField(
        expression=complainant_key(), output_field=models.TextField(null=True), db_persist=True
    )
    # An ``org.Channel`` code used for complaints (SPEC C-1); kept when the channel is switched off.
    channel = models.CharField(_("channel"), max_length=30)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category")
    )
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("received at"))
    # The company-local date of received_at: the key of the kept counts (complaints.tally).
    received_on = LocalDateField(source="received_at", editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    requested_reply_at = models.DateTimeField(_("reply time the customer asked for"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("handling department"),
    )
    handler = models.ForeignKey(
        Staff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("handler"),
    )
    lead = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # the partial index complaint_lead in Meta
        related_name="duplicates",
        verbose_name=_("handled together with"),
    )

    # Assessment (K-4, K-5)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    valid = models.BooleanField(_("valid"), null=True, blank=True)
    serious = models.BooleanField(_("serious"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    # Deadline (K-5): an indexed column, so sweeps and lists use the index.
    reply_due = models.DateTimeField(_("reply due"), null=True, blank=True)
    due_basis = models.CharField(_("deadline basis"), max_length=10, blank=True)
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Referral to the developer or an outside party (K-6)
    referred_developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("developer"),
    )
    referred_to = models.CharField(_("referred to (party and person)"), max_length=200, blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referral_result = models.TextField(_("result from the party"), blank=True)
    referral_result_at = models.DateTimeField(_("result received at"), null=True, blank=True)

    # Handling (K-7)
    cause_analysis = models.TextField(_("cause analysis"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    result = models.TextField(_("result"), blank=True)

    # Reply (K-1 immediate reply, K-7)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply_manner = models.CharField(_("reply manner"), max_length=10, choices=ReplyManner.choices, blank=True)
    reply = models.TextField(_("reply to the customer"), blank=True)
    replied_by = models.ForeignKey(
        Staff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at_intake = models.BooleanField(_("answered at intake"), default=False)
    # The first reply decides "on time" (K-7) and stays when a visit reopens the complaint;
    # ``replied_at`` is the latest reply and is cleared on reopening.
    first_replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    # Kept by the database: first reply − received in whole microseconds (NULL without a
    # reply), the monthly report's reply times, ranked from the index (decision 0068).
    reply_us = models.GeneratedField(
        expression=Microseconds("first_replied_at", "received_at"),
        output_field=models.BigIntegerField(null=True),
        db_persist=True,
    )
    on_time = models.BooleanField(_("replied on time"), null=True, blank=True)

    # Visit and closing (K-10)
    complainant_opinion = models.TextField(_("complainant opinion"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The company-local date of closed_at, following it on every save: the closed month of the
    # kept open counts (complaints.tally, the monthly report's open items at month end).
    closed_on = LocalDateField(source="closed_at", follows=True, null=True, editable=False)
    closing_reason = models.TextField(_("reason for closing"), blank=True)

    # Grievances (C-7, §7.2.11)
    grievance_analysis = models.TextField(_("department head's analysis"), blank=True)

    # Resident portal (W-1)
    portal_token = models.CharField(max_length=64, unique=True, default=new_portal_token, editable=False)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # SHA-256 of what the form with that key said: the same key with other words is refused (422).
    submission_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The privacy notice the resident was shown and acknowledged before sending (PIPL, D-3).
    privacy_notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("privacy notice shown"),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[
            "phone_index",
            "portal_token",
            "submission_key",
            "submission_hash",
            "received_on",
            "closed_on",
            "open",
            # Derived from columns the history keeps (phone_index is not among them).
            "reply_us",
            "complainant",
        ]
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "-received_at", "-id"], name="complaint_estate_recent"),
            models.Index(fields=["department", "-received_at", "-id"], name="complaint_dept_recent"),
            models.Index(fields=["-received_at", "-id"], name="complaint_recent"),
            models.Index(fields=["status", "reply_due"], name="complaint_status_due"),
            models.Index(fields=["handler", "status", "reply_due"], name="complaint_handler_due"),
            models.Index(fields=["customer", "-received_at"], name="complaint_customer"),
            # The open work of a scope (dashboard, panels): the few open records of an estate or
            # a department, whatever the number of closed ones; newest first within a status,
            # for a list filtered by an open status, one ordered walk per half of the scope
            # (the department's carries the estate, which that half excludes; decision 0065).
            models.Index(
                fields=["estate", "status", "received_at", "id"],
                name="complaint_open_estate",
                condition=Q(open=True),
            ),
            models.Index(
                fields=["department", "status", "received_at", "id", "estate"],
                name="complaint_open_dept",
                condition=Q(open=True),
            ),
            # The records waiting for a reply, by deadline: "due soon" and "overdue" of a scope.
            models.Index(
                fields=["estate", "reply_due", "due_basis"],
                name="complaint_awaiting_estate",
                condition=Q(awaiting_reply=True),
            ),
            models.Index(
                fields=["department", "reply_due", "due_basis"],
                name="complaint_awaiting_dept",
                condition=Q(awaiting_reply=True),
            ),
            # A department-month's complaints as the monthly report reads them: the reply times'
            # ranks, the repeat complainants and their count; on PostgreSQL from this index alone
            # (SQLite still looks the rows up: it reads no generated column from an index, 0068).
            models.Index(
                fields=["department", "kind", "received_at", "reply_us", "complainant", "id"],
                name="complaint_dept_month",
            ),
            # Almost every lead_id is NULL: a full index's statistics make the planners scan the
            # table for a lead's duplicates; the non-NULL ones alone are few (decision 0058).
            models.Index(fields=["lead"], name="complaint_lead", condition=models.Q(lead__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number

    def set_phone(self, value: str) -> None:
        self.contact_phone = crypto.normalise_phone(value) if value else ""
        self.phone_index = crypto.blind_index(value) if value else ""

    @property
    def channel_name(self) -> str:
        """The channel's name in the reader's language, from the administrators' list."""
        return channels.name_of(self.channel)

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(self.contact_phone)

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class Event(TimelineEvent):
    """One line of a complaint's timeline: every transition and every recorded fact.

    Written only through ``complaints.events``, one function per kind."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=ComplaintEvent.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["complaint", "at"], name="event_complaint_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class Visit(models.Model):
    """A follow-up visit (回訪) and the complainant's opinion (K-10)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    visitor = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("visited by")
    )
    method = models.CharField(_("method"), max_length=10, choices=VisitMethod.choices)
    opinion = models.TextField(_("complainant opinion"))
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visited_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.visited_at:%Y-%m-%d}"

    @property
    def satisfied(self) -> bool:
        return self.satisfaction in SATISFIED_ANSWERS


class ResidentRating(models.Model):
    """The resident's own rating of a reply, given through the private status link (W-1).

    Not a follow-up visit: §7.2.10 has the handler (or someone they authorise) visit and write
    the complainant's opinion on the record form; this is what the resident said unasked. One per
    reply: ``reply_round`` is the complaint's ``reopen_count`` when the reply was given, so a
    reply given after a reopening can be rated again (decision 0016)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="resident_ratings")
    reply_round = models.PositiveSmallIntegerField(_("reply round"))
    replied_at = models.DateTimeField(_("reply rated"))
    score = models.CharField(_("rating"), max_length=20, choices=RatingScore.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"))
    reopened = models.BooleanField(_("reopened the complaint"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident's rating")
        verbose_name_plural = _("residents' ratings")
        ordering = ["rated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "reply_round"], name="resident_rating_once_per_reply"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.score}"

    @property
    def satisfied(self) -> bool:
        return self.score != RatingScore.DISSATISFIED


class Attachment(models.Model):
    """A photo or document. Stored under a server-made name; served only through a scoped view."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# The papers live in their own module; Django finds them through this import.
from estatedesk.complaints.models_papers import (  # noqa: E402
    NoticeOrigin,
    Signature,
    SlipLevel,
    TransferSlip,
    WeeklyReview,
    WorkNotice,
)
from estatedesk.complaints.models_tally import (  # noqa: E402
    DAY_MEASURES,
    MONTH_MEASURES,
    CauseTally,
    DayTally,
    MonthTally,
    OpenTally,
    RepeatRow,
    RepeatTally,
    ReplyTime,
)

__all__ = [
    "AWAITING_REPLY",
    "COMPANY_CAUSES",
    "DAY_MEASURES",
    "LEADERSHIP_CHANNELS",
    "MONTH_MEASURES",
    "OPEN_STATUSES",
    "REFERRAL_CAUSES",
    "SATISFIED_ANSWERS",
    "Attachment",
    "Category",
    "Cause",
    "CauseTally",
    "Channel",
    "Complaint",
    "DayTally",
    "Event",
    "Kind",
    "MonthTally",
    "NoticeOrigin",
    "NoticeStatus",
    "OpenTally",
    "RatingScore",
    "RepeatRow",
    "RepeatTally",
    "ReplyManner",
    "ReplyTime",
    "ResidentRating",
    "Satisfaction",
    "Signature",
    "SlipLevel",
    "SlipStatus",
    "Status",
    "TransferSlip",
    "Visit",
    "VisitMethod",
    "WeeklyReview",
    "WorkNotice",
    "new_portal_token",
]
