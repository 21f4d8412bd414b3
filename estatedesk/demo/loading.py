"""The demo's year, loaded in order: last year's satisfaction survey (it lies before the replayed
year), the complaints month by month, then the reports on them (decision 0006), each step told
to the progress record the home page reads."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from estatedesk.complaints.demo import history
from estatedesk.core.clock import company_zone
from estatedesk.demo import progress
from estatedesk.notifications import services as notifications
from estatedesk.notifications.models import Message
from estatedesk.reports.demo import load_report_history
from estatedesk.surveys.demo import load_surveys

log = logging.getLogger("estatedesk.demo")


def load_everything(
    *, count: int, now: datetime | None = None, pace: bool = True
) -> history.HistorySummary | None:
    # The present the replay will use (a resumed load keeps the one it began with).
    present_at = history.present() or now or timezone.now()
    if history.history_state() in ("needed", "partial"):
        load_survey_history(present_at, pace=pace)
    summary = history.load_history(count=count, now=present_at, pace=pace, progress=progress.months_done)
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


def load_survey_history(present: datetime, *, pace: bool = True) -> None:
    """Last year's annual survey and this year's draft (``surveys.demo``). Loaded before the
    complaints: last year's draw happened before the replayed year, and would otherwise count
    that year's complainants, who complained after it, into its key sample. A failure here is
    logged and does not keep the complaints from loading."""
    try:
        load_surveys(present, pace=pace)
    except Exception:  # the demo's year is more than its surveys
        log.exception("demo surveys not loaded")
