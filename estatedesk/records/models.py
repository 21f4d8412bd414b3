from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """Who read whose full contact details, when and why (SPEC D-3). Rows are never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    subject_type = models.CharField(_("record type"), max_length=50)
    subject_id = models.BigIntegerField(_("record id"))
    subject_label = models.CharField(_("record"), max_length=200)
    field = models.CharField(_("field"), max_length=50)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="pda_subject")]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject_label} ({self.field})"
