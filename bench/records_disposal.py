"""What disposing of N complaints past retention costs: time, archive size, peak memory (SPEC D-2).

    .venv/bin/python bench/records_disposal.py [--rows 500000] [--events 3] [--keep]
    .venv/bin/python bench/records_disposal.py --rows 50000        # the same, smaller: memory is flat
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_disposal .venv/bin/python bench/records_disposal.py

Fills a throw-away database with the filler of ``bench/complaints_list.py`` (the demo company
and N complaints over twelve months, nearly all closed), plus ``--events`` timeline events per
complaint (received, assessed, replied, closed …, as the services write them), then — in a
fresh process, so that its memory is the job's and not the filling's — runs the disposal job
itself (``records.disposal.dispose_past_retention``) three years later, when every closed
complaint is past its two years: it lists them, writes the archive (JSON, CSV and manifest,
streamed), deletes them with their events, and records the run.

Prints: rows filled, the job's wall time (archiving and deleting apart, from the run's own
timestamps), complaints disposed per second, the archive's size and its size per complaint,
that the archive verifies (every member's SHA-256), and the job process's peak RSS. Run it at
two sizes: a streamed job's peak memory does not grow with N.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import complaints_list  # noqa: E402 - the sibling benchmark's filler, found through the line above
from common import peak_rss_mib  # noqa: E402
from complaints_list import setup  # noqa: E402

EVENT_KINDS = ["recorded", "assessed", "replied", "closed", "visited"]


def fill_events(per_complaint: int) -> int:
    """Timeline rows for every complaint, in bulk: the archive carries them, the job deletes them."""
    from django.db import transaction

    from estatedesk.complaints.models import Complaint, Event

    written, last = 0, 0
    while True:
        chunk = list(
            Complaint.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "received_at", "recorded_by_id")[:20_000]
        )
        if not chunk:
            return written
        rows = [
            Event(
                complaint_id=pk,
                at=received + timedelta(hours=6 * n),
                actor_id=actor,
                actor_name="值班员",
                action=EVENT_KINDS[n % len(EVENT_KINDS)],
                note="已处理并答复。" if n else "",
            )
            for pk, received, actor in chunk
            for n in range(per_complaint)
        ]
        with transaction.atomic():
            Event.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
        last = chunk[-1][0]


def dispose(data_dir: str) -> None:
    """The child: the job, three years on, as the monthly schedule runs it."""
    setup(data_dir)
    from django.utils import timezone

    from estatedesk.complaints.models import Complaint, Event
    from estatedesk.core.actors import SYSTEM
    from estatedesk.records import archive, disposal
    from estatedesk.records.models import RunTrigger

    before = Complaint.objects.count()
    events_before = Event.objects.count()
    started = time.perf_counter()
    run = disposal.dispose_past_retention(
        actor=SYSTEM, trigger=RunTrigger.SCHEDULE, now=timezone.now() + timedelta(days=3 * 366)
    )
    seconds = time.perf_counter() - started
    gone = before - Complaint.objects.count()
    path = disposal.archive_path(run)
    size = path.stat().st_size
    archiving = (run.archived_at - run.started_at).total_seconds() if run.archived_at else float("nan")
    deleting = (
        (run.finished_at - run.archived_at).total_seconds() if run.finished_at and run.archived_at else 0
    )
    peak_mib = peak_rss_mib()
    verify_started = time.perf_counter()
    problems = archive.verify(path)
    verify_seconds = time.perf_counter() - verify_started
    print(f"run {run.number}: {run.status}; counts {run.counts.get('complaints', {})}")
    print(
        f"disposed of {gone:,} complaints ({events_before - Event.objects.count():,} events) "
        f"in {seconds:.1f} s: archiving {archiving:.1f} s, deleting {deleting:.1f} s "
        f"({gone / seconds:,.0f} complaints/s)"
    )
    print(f"archive {path.name}: {size / 2**20:,.1f} MiB ({size / max(gone, 1):,.0f} bytes per complaint)")
    print(
        f"verify: {'every member matches its SHA-256' if not problems else problems[:3]} ({verify_seconds:.1f} s)"
    )
    print(f"peak RSS of the job's process: {peak_mib:,.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--events", type=int, default=3, help="timeline events per complaint")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument("--dispose", metavar="FOLDER", help=argparse.SUPPRESS)  # the job's child
    args = parser.parse_args()
    if args.dispose:
        dispose(args.dispose)
        return 0

    with complaints_list.demo_company(args.keep) as data_dir:
        from django.db import connection

        started = time.perf_counter()
        complaints_list.Filler(args.rows).fill()
        events = fill_events(args.events)
        print(
            f"{connection.vendor}: filled {args.rows:,} complaints and {events:,} events "
            f"in {time.perf_counter() - started:.0f} s"
        )
        complaints_list.analyze()
        connection.close()
        child = [sys.executable, __file__, "--dispose", data_dir]
        subprocess.run(child, check=True, env=os.environ.copy())  # noqa: S603 - our own script
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
