"""What the cluster test asks of the cluster's own database and queue, run as a separate process
with the cluster's environment (``python -m tests.cluster.probe <command>``): it prints one JSON
object. The test process itself is connected to its own test database, not to the cluster's.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import timedelta
from typing import Any

NIGHTLY = (
    "estatedesk.reports.tasks.draft_monthly_reports",
    "estatedesk.reports.tasks.draft_period_reports",
    "estatedesk.records.tasks.dispose_monthly",
)
ESTATE = "CHHY"  # the demo company's 翠湖花园
NOTICE_BY = "handler_a"  # its complaint handler, who may publish its notices


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estatedesk.settings")
    import django

    django.setup()


def enqueue_nightly(copies: int) -> dict[str, Any]:
    """Each nightly job ``copies`` times at once, as schedulers on several workers would."""
    from estatedesk.records import tasks as records_tasks
    from estatedesk.reports import tasks as reports_tasks

    jobs = (
        reports_tasks.draft_monthly_reports,
        reports_tasks.draft_period_reports,
        records_tasks.dispose_monthly,
    )
    for _ in range(copies):
        for job in jobs:
            job()  # not immediate: this puts the task on the queue
    return {"queued": copies * len(jobs)}


def publish_notice() -> dict[str, Any]:
    """An urgent water cut to every household of the estate by SMS: a mass mailing in the outbox."""
    from django.contrib.auth import get_user_model

    from estatedesk.communication.services import notices
    from estatedesk.communication.services.notices import NoticeDraft
    from estatedesk.core.clock import now
    from estatedesk.notifications.models import Message
    from estatedesk.org.models import Estate

    handler = get_user_model().objects.get(username=NOTICE_BY)
    estate = Estate.objects.get(code=ESTATE)
    starts = now() + timedelta(hours=3)
    draft = NoticeDraft(
        kind="water_cut",
        title="紧急停水通知（压测）",
        body="<p>因市政供水管网抢修，全小区停水，请提前储水。</p>",
        estate=estate.pk,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        channels=["portal", "sms"],
        urgent=True,
        late_reason="市政管网爆裂，临时通知",
    )
    notice = notices.publish_notice(actor=handler, notice=notices.create_notice(actor=handler, draft=draft))
    return {
        "notice": notice.number,
        "sms": Message.objects.filter(key__startswith=f"{notice.number}:").count(),
    }


def run_out_leases(killed_at: float) -> dict[str, Any]:
    """The rows a killed worker had claimed stay "sending" until their lease (10 minutes) runs
    out; move its end to now, as ten minutes passing would, and queue retry passes for them.
    Only rows claimed before the kill (``killed_at``, seconds since the epoch): the living
    worker's are its own."""
    from datetime import UTC, datetime

    from django.utils import timezone

    from estatedesk.notifications import delivery
    from estatedesk.notifications.models import Message, MessageStatus

    claimed_before = datetime.fromtimestamp(killed_at, UTC) + delivery.LEASE
    stuck = list(
        Message.objects.filter(status=MessageStatus.SENDING, next_attempt_at__lte=claimed_before).values_list(
            "pk", flat=True
        )
    )
    Message.objects.filter(pk__in=stuck).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    return {"sending": stuck, **queue_retries()}


def queue_retries() -> dict[str, Any]:
    """Enough passes of the periodic retry (50 rows each) for every row that is due."""
    from django.utils import timezone

    from estatedesk.notifications import delivery, tasks
    from estatedesk.notifications.models import Message, MessageStatus

    due = (
        Message.objects.filter(status__in=delivery.CLAIMABLE, next_attempt_at__lte=timezone.now())
        .exclude(status=MessageStatus.SENT)
        .count()
    )
    passes = due // delivery.RETRY_BATCH + 1
    for _ in range(passes):
        tasks.retry_due_messages()
    return {"due": due, "passes": passes}


def state() -> dict[str, Any]:
    from django.db.models import Count
    from huey.contrib.djhuey import HUEY

    from estatedesk.complaints.models import Complaint
    from estatedesk.notifications.models import Channel, Message
    from estatedesk.records.models import DisposalRun, RunTrigger
    from estatedesk.reports.models import ReportEvent, ReportEventKind

    statuses: Counter[str] = Counter()
    for channel, status, count in (
        Message.objects.exclude(channel=Channel.IN_APP)
        .values_list("channel", "status")
        .annotate(n=Count("pk"))
        .values_list("channel", "status", "n")
    ):
        statuses[f"{channel}:{status}"] += count
    loaded = Complaint.objects.filter(description__startswith="[load ")
    drafted = ReportEvent.objects.filter(kind=ReportEventKind.DRAFTED)
    per_record = Counter(
        drafted.values_list("monthly_report_id", "quarterly_analysis_id", "annual_summary_id")
    )
    return {
        "queue": HUEY.pending_count(),
        "complaints": loaded.count(),
        "descriptions": list(loaded.values_list("description", flat=True)),
        "numbers": list(loaded.values_list("number", flat=True)),
        "tokens": list(loaded.values_list("portal_token", flat=True)),
        "outbox": dict(statuses),
        "outbox_ids": list(Message.objects.exclude(channel=Channel.IN_APP).values_list("pk", "status")),
        "drafted_events": sorted(per_record.values()),
        "scheduled_disposal_runs": DisposalRun.objects.filter(
            trigger=RunTrigger.SCHEDULE, dry_run=False
        ).count(),
    }


COMMANDS = {
    "nightly": lambda args: enqueue_nightly(int(args[0])),
    "publish": lambda args: publish_notice(),
    "run-out-leases": lambda args: run_out_leases(float(args[0])),
    "retries": lambda args: queue_retries(),
    "state": lambda args: state(),
}


def main(argv: list[str]) -> int:
    setup()
    print(json.dumps(COMMANDS[argv[0]](argv[1:]), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
