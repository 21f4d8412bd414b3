"""The working-day calendar as data (SPEC P-4).

Monday to Friday is the rule; a row of ``CalendarDay`` is a day the State Council's notice
(or an administrator) names: a day off (``holiday``) or a weekend day worked to make up for
one (``workday``). An ordinary day is never stored, so an empty table means "Monday to
Friday" and a missing year is simply one nobody has confirmed yet.

A holiday range entered from a notice is stored day by day, weekends inside it included:
those rows change nothing for counting, but the calendar then shows the range exactly as
the notice announced it.

``CalendarRevision`` holds one random token per region, replaced by every change, so each
process can check with one tiny query whether its cached calendar is still current.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.TextChoices):
    CN = "CN", _("Mainland China")
    HK = "HK", _("Hong Kong")
    MO = "MO", _("Macao")
    TW = "TW", _("Taiwan")


class Source(models.TextChoices):
    OFFICIAL = "official", _("Official notice")
    MANUAL = "manual", _("Manual correction")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day")


class CalendarYear(models.Model):
    """Whether a year's notice has been entered; an unconfirmed year counts Monday to Friday."""

    region = models.CharField(_("region"), max_length=2, choices=Region.choices, default=Region.CN)
    year = models.PositiveSmallIntegerField(_("year"))
    confirmed = models.BooleanField(_("confirmed"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OFFICIAL)
    reference = models.TextField(
        _("notice"), blank=True, help_text=_("Title, number or web address of the State Council notice")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["region", "year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="workcal_year_unique")]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


class CalendarDay(models.Model):
    region = models.CharField(_("region"), max_length=2, choices=Region.choices, default=Region.CN)
    date = models.DateField(_("date"))
    # The notice the day belongs to: usually date.year, but a notice may make a day of the
    # previous December a working day (the 2012 notice did so for 31 December 2011).
    year = models.PositiveSmallIntegerField(_("notice year"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OFFICIAL)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["region", "date"]
        constraints = [models.UniqueConstraint(fields=["region", "date"], name="workcal_day_unique")]
        indexes = [models.Index(fields=["region", "year"], name="workcal_day_region_year")]

    def __str__(self) -> str:
        return f"{self.region} {self.date} {self.kind}"

    def name_for(self, language: str | None) -> str:
        """The name in a Django language code (zh-hans, zh-hant, en), falling back to any name."""
        code = (language or "").lower()
        if code.startswith("en"):
            preferred = [self.name_en, self.name_zh_hans, self.name_zh_hant]
        elif code in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            preferred = [self.name_zh_hant, self.name_zh_hans, self.name_en]
        else:
            preferred = [self.name_zh_hans, self.name_zh_hant, self.name_en]
        return next((name for name in preferred if name), "")


def new_token() -> str:
    return uuid.uuid4().hex


class CalendarRevision(models.Model):
    """One row per region; its token changes with every change to that region's calendar.

    A random token rather than a counter: a change that is rolled back must never leave a
    number that a later, different change could reuse while a process still caches it.
    """

    region = models.CharField(_("region"), max_length=2, choices=Region.choices, primary_key=True)
    token = models.CharField(max_length=32, default=new_token)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")

    def __str__(self) -> str:
        return f"{self.region} {self.token}"
