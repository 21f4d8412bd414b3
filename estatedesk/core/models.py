from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core import officehours
from estatedesk.core.prepared import Prepared


class CountingMode(models.TextChoices):
    CIVIL_CODE = "civil", _("Civil Code (whole working days, ending at close of business)")
    BUSINESS_TIME = "business", _("Business time (counted inside office hours)")


class CompanySettings(models.Model):
    """The one company this installation serves (SPEC §0). Always row pk=1."""

    name = models.CharField(_("company name"), max_length=200, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    office_hours = models.CharField(
        _("default office hours"),
        max_length=200,
        default="08:30-12:00,13:30-17:30",
        help_text=_("One or more periods a day, for example 08:30-12:00,13:30-17:30"),
        validators=[officehours.validate],
    )
    urgent_reply_hours = models.PositiveSmallIntegerField(_("urgent reply (clock hours)"), default=2)
    normal_reply_working_days = models.PositiveSmallIntegerField(
        _("non-urgent reply (working days)"), default=2
    )
    invalid_explanation_working_days = models.PositiveSmallIntegerField(
        _("explanation of an invalid complaint (working days)"), default=1
    )
    counting_mode = models.CharField(
        _("working-day counting"),
        max_length=10,
        choices=CountingMode.choices,
        default=CountingMode.CIVIL_CODE,
    )
    due_soon_hours = models.PositiveSmallIntegerField(
        _("working-day deadlines: due soon (hours before)"), default=4
    )
    urgent_due_soon_minutes = models.PositiveSmallIntegerField(
        _("urgent deadlines: due soon (minutes before)"), default=30
    )
    satisfaction_target = models.DecimalField(
        _("satisfaction-rate target (%)"), max_digits=5, decimal_places=2, default=90
    )
    # Satisfaction surveys (SPEC S-3, S-7): copied onto a survey when it is prepared.
    survey_share = models.DecimalField(
        _("survey sample share (%)"),
        max_digits=5,
        decimal_places=2,
        default=50,
        help_text=_("The share of each estate's occupied households an annual survey asks (§7.3.6a)."),
    )
    survey_return_threshold = models.DecimalField(
        _("survey return rate needed (%)"), max_digits=5, decimal_places=2, default=50
    )
    survey_return_step = models.DecimalField(
        _("points short per penalty step"), max_digits=5, decimal_places=2, default=5
    )
    survey_return_penalty = models.DecimalField(
        _("satisfaction points off per step"), max_digits=5, decimal_places=2, default=1
    )
    survey_key_lookback_days = models.PositiveSmallIntegerField(
        _("key sample: days counted back when there was no earlier survey"), default=365
    )
    # Notices to customers (SPEC C-2, §7.1.5): a work notice goes out this long before the work.
    notice_lead_hours = models.PositiveSmallIntegerField(
        _("work notices: hours ahead of the work"),
        default=24,
        help_text=_(
            "A notice of a water or power cut, pest control or a repair is published at least this long "
            "before the work starts; publishing later needs a recorded reason."
        ),
    )
    cs_supervisor_runs_surveys = models.BooleanField(
        _("The customer-service supervisor may open and close surveys"),
        default=False,
        help_text=_(
            "Off: the deputy GM opens and closes the surveys the supervisor prepares (§7.3.5). On: the "
            "supervisor may do it as well."
        ),
    )
    gm_acts_for_deputy_gm = models.BooleanField(
        _("The general manager may act for the deputy GM"),
        default=False,
        help_text=_(
            "When on, the general manager may take the deputy GM's steps (receiving complaints made to "
            "the company, signing a transfer slip at the deputy GM's step, reviewing monthly reports, "
            "writing the annual summary); the record says who acted in whose place."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")

    def __str__(self) -> str:
        return self.name or str(_("Company"))

    @classmethod
    def load(cls) -> CompanySettings:
        found = _SETTINGS.first()  # read by nearly every page: compiled once (decision 0067)
        if found is not None:
            return found
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


_SETTINGS: Prepared[CompanySettings] = Prepared(lambda: CompanySettings.objects.filter(pk=1))


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the clear token is shown once."""

    PREFIX = "edk_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("token starts with"), max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def new_raw() -> str:
        return ApiToken.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class Counter(models.Model):
    """Per-year sequence behind readable document numbers (TS-2026-000123, CA-2026-000007).

    The table keeps the name it was created under in the complaints app, with its numbers.
    """

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "complaints_counter"
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.value}"


class WorkerHeartbeat(models.Model):
    """The background worker's last sign of life, one row per worker host (``/health/``).

    The worker writes it when it starts and from a periodic task every minute, so a fresh
    ``beat_at`` means both that the scheduler enqueues and that a consumer runs tasks.
    """

    worker = models.CharField(max_length=200, unique=True)  # the host name: bounded, never a person
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker}: {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ExportRecord(models.Model):
    """Who exported which list, with which filters and how many rows (SPEC D-3, P-2). Never edited."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as text too: the row still says who it was if the account is ever deleted.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    list_name = models.CharField(_("list"), max_length=100, db_index=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)  # None: a document, not a list
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.list_name} ({self.row_count})"
