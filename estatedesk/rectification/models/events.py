"""The timeline of a rectification item: its kinds (written by ``rectification.events``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.events import TimelineEvent
from estatedesk.rectification.models.items import Item


class ItemEventKind(models.TextChoices):
    CREATED = "created", _("Recorded")
    EDITED = "edited", _("Edited")
    FIX_OURSELVES = "fix_ourselves", _("To be fixed by the property company")
    ESCALATED = "escalated", _("Escalated to the developer")
    PLANNED = "planned", _("Measure, date and team set")
    REPLANNED = "replanned", _("Measure, date or team changed")
    COMPLETED = "completed", _("Rectification reported done")
    INSPECTION_PASSED = "inspect_pass", _("Accepted by the developer's inspection")
    INSPECTION_FAILED = "inspect_fail", _("Sent back to the team")
    NOTIFIED = "notified", _("Resident asked to inspect")
    ACCEPTED = "accepted", _("Accepted")
    OBJECTED = "objected", _("Objection: next round")
    CANCELLED = "cancelled", _("Cancelled")
    PHOTO = "photo", _("Photo added")
    DEPARTMENT_TOLD = "dept_told", _("Result reported to the department")


class ItemEvent(TimelineEvent):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=ItemEventKind.choices)
    round = models.PositiveSmallIntegerField(default=1)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("rectification item event")
        verbose_name_plural = _("rectification item events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"
