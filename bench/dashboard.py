"""How fast the dashboard page opens (SPEC A-1), as the deputy GM and as the handler of one estate.

    .venv/bin/python bench/dashboard.py [--rows 100000] [--repeat 7] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard .venv/bin/python bench/dashboard.py

Fills a throw-away database exactly like ``bench/reports.py`` (its ``ReportFiller`` and
follow-up visits over ``bench/complaints_list.py``'s filler: the demo company and N complaints
over the past twelve months; SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench"), and
gathers statistics as production does hourly.

``bench/reports.py`` times ``dashboard_for`` alone; this times the page a person opens,
``/reports/dashboard/``, through Django's test client and the whole middleware chain
(session, permissions, the figures, the template and the chart data). A fresh process —
its memory is the serving's, not the filling's — opens it once to warm up, then --repeat
times per person, and prints the median and the slowest, the SQL statements of one request
(compare --rows 10000), the serving process's own peak memory (VmHWM) and the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_average_text, peak_rss_mib, repeated_get  # noqa: E402
from complaints_list import analyze, demo_company, setup  # noqa: E402
from reports import ReportFiller, add_visits  # noqa: E402

URL = "/reports/dashboard/"


def measure(repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from estatedesk.complaints.models import Complaint, Visit

    print(f"{connection.vendor}: {Complaint.objects.count():,} complaints, {Visit.objects.count():,} visits")
    print(f"{'page':40} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for username in ("deputy_gm", "handler_a"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        timed = repeated_get(client, URL, repeat)
        label = f"{username} {URL}"
        print(f"{label:40} {timed.median_ms:10.1f} {timed.max_ms:8.1f} {timed.queries:8d}")
    print(f"serving process: peak RSS (VmHWM) {peak_rss_mib():.0f} MiB; {load_average_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument("--measure", metavar="FOLDER", help="time again on a kept data folder, no refill")
    args = parser.parse_args()
    if args.measure:
        setup(args.measure)
        measure(args.repeat)
        return 0

    with demo_company(args.keep) as data_dir:
        from django.db import connection

        started = time.perf_counter()
        filler = ReportFiller(args.rows)
        filler.fill()
        visits = add_visits(filler.rng)
        print(
            f"filled {args.rows:,} complaints and {visits:,} visits in {time.perf_counter() - started:.0f} s"
        )
        analyze()
        connection.close()
        child = [sys.executable, __file__, "--measure", data_dir, "--repeat", str(args.repeat)]
        subprocess.run(child, check=True, env=os.environ.copy())  # noqa: S603 - our own script
    return 0


if __name__ == "__main__":
    sys.exit(main())
