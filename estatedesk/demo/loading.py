"""The demo's year, loaded in order: the complaints month by month, then the reports on them
(decision 0006), each step told to the progress record the home page reads."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from estatedesk.complaints.demo import history
from estatedesk.core.clock import company_zone
from estatedesk.demo import progress
from estatedesk.notifications import services as notifications
from estatedesk.notifications.models import Message
from estatedesk.reports.demo import load_report_history


def load_everything(
    *, count: int, now: datetime | None = None, pace: bool = True
) -> history.HistorySummary | None:
    summary = history.load_history(count=count, now=now, pace=pace, progress=progress.months_done)
    present = history.present()
    if present is None:
        return summary
    progress.writing_reports()
    load_reports(present)
    progress.finished()
    return summary


def load_reports(present: datetime) -> int:
    """The reports and corrective actions of the year before ``present``; their messages belong
    to that past (read, or sent) like the complaints' — those of the present's own day excepted."""
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    written = load_report_history(present)
    local = present.astimezone(company_zone())
    today = timezone.make_aware(datetime.combine(local.date(), datetime.min.time()), company_zone())
    with transaction.atomic():
        # Only what the loader wrote: after the mark and dated before the present (real use is later).
        ours = Message.objects.filter(id__gt=mark, created_at__lt=present)
        notifications.settle_replayed(ours, read=False, read_before=today)
    return written
