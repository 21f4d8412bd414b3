"""How fast a complaint's page opens with 10 timeline events, at N complaints.

    .venv/bin/python bench/complaint_detail.py [--rows 100000] [--repeat 15] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_detail .venv/bin/python bench/complaint_detail.py

Fills a throw-away database exactly like ``bench/complaints_list.py`` (its ``Filler``: the demo
company and N complaints over the past twelve months; SQLite in a temporary data folder, or the
PostgreSQL database named by DATABASE_URL, dropped and created again, whose name must contain
"bench") and gathers statistics, as production does hourly. Then it picks complaints of the
handler's estate — one still open and one closed — and gives each 10 timeline events (recorded,
assessed, replied, closed, visited, in turn, one every six hours).

A fresh process — its memory is the serving's, not the filling's — opens each one's page
(``/complaints/<id>/``) as the handler of that estate, through Django's test client and the
whole middleware chain, one warm-up and then --repeat times, and prints the median and the
slowest, the median CPU time of the serving process (steadier than the wall time on a shared
machine), the SQL statements of one request (compare --rows 10000: the count must not change,
nor should the time), the serving process's own peak memory (VmHWM) and the load average.
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

from common import load_average_text, peak_rss_mib, repeated_get  # noqa: E402
from complaints_list import Filler, analyze, demo_company, setup  # noqa: E402

EVENTS = 10
EVENT_KINDS = ["recorded", "assessed", "replied", "closed", "visited"]


def pick_and_add_events() -> list[int]:
    """An open and a closed complaint of the handler's estate, each with EVENTS timeline rows."""
    from django.db import transaction

    from estatedesk.complaints.models import Complaint, Event
    from estatedesk.org import demo

    picked = []
    scope = Complaint.objects.filter(estate__code=demo.CUIHU).order_by("pk")
    for status_filter in ({"closed_at__isnull": True}, {"status": "closed"}):
        found = scope.filter(**status_filter)
        total = found.count()
        complaint = found[total // 2 : total // 2 + 1].get()
        picked.append(complaint.pk)
        with transaction.atomic():
            Event.objects.filter(complaint=complaint).delete()
            Event.objects.bulk_create(
                Event(
                    complaint=complaint,
                    at=complaint.received_at + timedelta(hours=6 * n),
                    actor_id=complaint.recorded_by_id,
                    actor_name="值班员",
                    action=EVENT_KINDS[n % len(EVENT_KINDS)],
                    note="已联系业主，安排维修。" if n else "",
                )
                for n in range(EVENTS)
            )
    return picked


def measure(ids: list[int], repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from estatedesk.complaints.models import Complaint, Event

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="handler_a"))
    print(
        f"{connection.vendor}: {Complaint.objects.count():,} complaints; the handler of one estate opens "
        f"a complaint with {EVENTS} timeline events"
    )
    print(f"{'page':40} {'median ms':>10} {'max ms':>8} {'CPU ms':>7} {'queries':>8}")
    for pk in ids:
        complaint = Complaint.objects.get(pk=pk)
        assert Event.objects.filter(complaint_id=pk).count() == EVENTS
        url = f"/complaints/{pk}/"
        timed = repeated_get(client, url, repeat)
        label = f"{url} ({complaint.status})"
        print(
            f"{label:40} {timed.median_ms:10.1f} {timed.max_ms:8.1f} {timed.cpu_ms:7.1f} {timed.queries:8d}"
        )
    print(f"serving process: peak RSS (VmHWM) {peak_rss_mib():.0f} MiB; {load_average_text()}")


def serve(data_dir: str, ids: list[int], repeat: int) -> int:
    """Time in a fresh process, so that its memory is the serving's, not the filling's."""
    from django.db import connection

    connection.close()
    child = [
        *(sys.executable, __file__, "--serve", data_dir),
        *("--ids", ",".join(map(str, ids)), "--repeat", str(repeat)),
    ]
    return subprocess.run(child, check=True, env=os.environ.copy()).returncode  # noqa: S603 - our own script


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument("--serve", metavar="FOLDER", help=argparse.SUPPRESS)  # the timing child
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    parser.add_argument(
        "--measure",
        metavar="FOLDER",
        help="time on a data folder kept by a bench of the same filler, no refill",
    )
    args = parser.parse_args()
    if args.serve:
        setup(args.serve)
        measure([int(pk) for pk in args.ids.split(",")], args.repeat)
        return 0
    if args.measure:
        setup(args.measure)
        return serve(args.measure, pick_and_add_events(), args.repeat)

    with demo_company(args.keep) as data_dir:
        started = time.perf_counter()
        Filler(args.rows).fill()
        print(f"filled {args.rows:,} complaints in {time.perf_counter() - started:.0f} s")
        analyze()
        serve(data_dir, pick_and_add_events(), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
