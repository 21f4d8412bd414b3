"""The demo's year, loaded in order: last year's satisfaction survey and its analysis (they lie
before the replayed year), the complaints month by month, the year's monthly consultations,
half-year statistics and last year's owners' forum, the year's customer communication, the
last weeks' rectification of a handover batch, then the reports on them all (decision 0006), each step told to the progress record the home page reads."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from estatedesk.complaints.demo import history
from estatedesk.core.clock import company_zone
from estatedesk.demo import progress
from estatedesk.demo.analysis import load_analysis
from estatedesk.demo.communication_log import load_log
from estatedesk.demo.communication_notices import load_notices
from estatedesk.demo.communication_records import load_contracts_and_property
from estatedesk.demo.consultations import load_consultations
from estatedesk.demo.forums import load_forums
from estatedesk.demo.half_year import load_half_years
from estatedesk.demo.rectification import UNITS, load_rectification
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
    load_reviews(present)
    load_communication(present)
    # A smaller year (a quick look, a test) gets a smaller handover batch.
    load_rectification_history(present, units=max(12, UNITS * count // history.HISTORY_SIZE))
    load_reports(present)
    progress.finished()
    return summary


def _settled_since(mark: int, present: datetime) -> None:
    """The messages written after ``mark`` and dated before the present belong to the replayed
    past: read, or sent (those of the present's own day excepted)."""
    local = present.astimezone(company_zone())
    today = timezone.make_aware(datetime.combine(local.date(), datetime.min.time()), company_zone())
    with transaction.atomic():
        ours = Message.objects.filter(id__gt=mark, created_at__lt=present)
        notifications.settle_replayed(ours, read=False, read_before=today)


def load_reviews(present: datetime) -> None:
    """The year's monthly consultations, the half-year statistics on them and last year's owners'
    forum (SPEC S-4 … S-6), before the reports that count them. Each part that fails is logged
    and does not keep the others or the reports from loading."""
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for part in (load_consultations, load_half_years, load_forums):
        try:
            part(present)
        except Exception:  # the demo's year is more than one of its parts
            log.exception("demo %s not loaded", part.__name__)
    _settled_since(mark, present)


def load_communication(present: datetime) -> None:
    """The year's customer communication (SPEC C-2 … C-6): notices to customers with their read
    receipts, the communication log, contracts and customer property. Like the reviews, a part that fails is logged and keeps no other part
    from loading; their messages belong to the replayed past."""
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for part in (load_notices, load_log, load_contracts_and_property):
        try:
            part(present)
        except Exception:  # the demo's year is more than one of its parts
            log.exception("demo %s not loaded", part.__name__)
    _settled_since(mark, present)


def load_rectification_history(present: datetime, *, units: int = UNITS) -> None:
    """The handover batch's rectification and the departments' findings of the weeks before the
    present (SPEC R-1 … R-5, decision 0044); their messages belong to that past, those of the
    present's own day excepted. A failure is logged and does not keep the reports from loading."""
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        load_rectification(present, units=units)
    except Exception:  # the demo's year is more than its rectification
        log.exception("demo rectification not loaded")
    _settled_since(mark, present)


def load_reports(present: datetime) -> int:
    """The reports and corrective actions of the year before ``present``; their messages belong
    to that past (read, or sent) like the complaints' — those of the present's own day excepted."""
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    written = load_report_history(present)
    _settled_since(mark, present)
    return written


def load_survey_history(present: datetime, *, pace: bool = True) -> None:
    """Last year's annual survey with its analysis, and this year's draft (``surveys.demo``,
    ``demo.analysis``). Loaded before the complaints: last year's draw happened before the
    replayed year, and would otherwise count that year's complainants, who complained after it,
    into its key sample. A failure here is logged and does not keep the complaints from loading."""
    try:
        load_surveys(present, pace=pace)
        load_analysis(present)  # last year's survey analysed, its suggestions decided (S-9)
    except Exception:  # the demo's year is more than its surveys
        log.exception("demo surveys not loaded")
