"""Timeline events: the shape every app's event rows share.

Each app declares its event kinds once, as an enum with labels (``complaints/events.py``,
``improvement/events.py``, ``reports/events.py``), and writes events only through one
function per kind in that module, the way saleor's ``order/events.py`` does. The concrete
event model of an app subclasses ``TimelineEvent`` and adds the record it belongs to and its
kind field (with the enum's choices).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models

from estatedesk.core import actors, clock


class TimelineEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=100, blank=True)  # kept if the user is removed
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


def event_fields(actor: actors.Actor | None, at: datetime | None = None) -> dict[str, Any]:
    """The fields every event gets: when (the clock, so the demo's replayed time), and who."""
    return {"at": at or clock.now(), "actor": actors.user_of(actor), "actor_name": actors.name_of(actor)}
