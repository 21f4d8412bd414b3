"""How far the demo's history has loaded (decision 0006): one row, written by the loader."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoadPhase(models.TextChoices):
    COMPLAINTS = "complaints", _("Replaying the complaints")
    REPORTS = "reports", _("Writing the monthly reports")
    DONE = "done", _("Loaded")


class HistoryLoad(models.Model):
    """The background load of the demo's year: the home page says it is still loading, and how far."""

    phase = models.CharField(max_length=12, choices=LoadPhase.choices, default=LoadPhase.COMPLAINTS)
    months_done = models.PositiveSmallIntegerField(default=0)
    months_total = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("demo history load")

    def __str__(self) -> str:
        return f"{self.phase} {self.months_done}/{self.months_total}"
