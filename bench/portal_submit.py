"""How many complaints residents can submit through the portal per second, and what it costs.

    .venv/bin/python bench/portal_submit.py [--submits 1000] [--rows 0] [--keep]
    .venv/bin/python bench/portal_submit.py --reuse FOLDER [--profile]   # a kept folder, copied
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_portal .venv/bin/python bench/portal_submit.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again; its name must contain "bench") with the demo
company and, with --rows, N complaints made by ``bench/complaints_list.py``'s filler. Then a
fresh process — its memory is the serving's, not the filling's — submits complaints as a
resident's phone does, through Django's test client and the whole middleware chain: it opens
the estate's page (``/r/<code>/``, what the poster's QR code opens), reads the signed one-time
submission key and the privacy notice's version from the form, and posts the complaint (a unit
written as ``3栋-1201``, a name, a mobile number, a category), answered by a redirect to the
receipt. Only the POST is timed; the form's GET is timed separately.

The portal's rate limits (``PORTAL_RATE_SUBMIT_IP``, ``PORTAL_RATE_SUBMIT_ESTATE``) are lifted
for the run, as they would stop a bench at its sixth submit; each submit comes from its own
address anyway. Notifications are queued (``HUEY_IMMEDIATE=0``), not sent, as in production.

Prints submits per second (wall and CPU), the SQL statements of one submit and of one form
page, and the submitting process's own peak memory (VmHWM), with the load average.

``--reuse FOLDER`` (SQLite) submits into a copy of a data folder kept by an earlier run (``--keep``),
so that runs before and after a change start from the same data without filling again; the
copy is removed afterwards. ``--profile`` runs the timed POSTs under cProfile and prints the
functions that took the most time, and the SQL of one submit.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_average_text, peak_rss_mib  # noqa: E402
from complaints_list import Filler, analyze, demo_company, setup  # noqa: E402

UNLIMITED = "100000000/1m"


def _field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"the form carries {name}"
    return match.group(1)


def measure(submits: int, profile: bool = False) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from estatedesk.complaints.models import Category, Complaint
    from estatedesk.org import demo
    from estatedesk.org.models import Estate, Unit

    estate = Estate.objects.get(code=demo.CUIHU)
    units = [
        f"{u.building.name}-{u.number}"
        for u in Unit.objects.filter(estate=estate, occupied=True).select_related("building").order_by("pk")
    ]
    categories = list(Category.objects.filter(active=True).values_list("pk", flat=True))
    url = f"/r/{estate.code}/"
    before = Complaint.objects.count()

    def form(client: Client) -> dict[str, str]:
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        text = page.content.decode()
        return {
            "submission_key": _field(text, "submission_key"),
            "privacy_version": _field(text, "privacy_version"),
        }

    def data(i: int, fields: dict[str, str]) -> dict[str, object]:
        return {
            **fields,
            "privacy_ack": "on",
            "kind": "complaint",
            "category": categories[i % len(categories)],
            "description": f"地下车库B2入口漏水，地面很滑（第{i}次）",
            "unit": units[i % len(units)],
            "name": "王小明",
            "phone": f"139{i % 100_000_000:08d}",
        }

    def client_for(i: int) -> Client:
        return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")

    for i in range(10):  # warm: first queries, templates, translations
        client = client_for(i)
        response = client.post(url, data(i, form(client)))
        assert response.status_code == 302, (response.status_code, response.content[:500])

    posts: list[float] = []
    gets: list[float] = []
    cpu = 0.0
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not the busy machine's waits
    for i in range(10, 10 + submits):
        client = client_for(i)
        started = time.perf_counter()
        fields = form(client)
        gets.append(time.perf_counter() - started)
        payload = data(i, fields)
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        response = client.post(url, payload)
        if profiler is not None:
            profiler.disable()
        posts.append(time.perf_counter() - started)
        cpu += time.process_time() - cpu_started
        assert response.status_code == 302 and "/r/c/" in response["Location"], response.status_code
    made = Complaint.objects.count() - before
    assert made == submits + 10, (made, submits)

    client = client_for(1)
    with CaptureQueriesContext(connection) as page_queries:
        fields = form(client)
    with CaptureQueriesContext(connection) as submit_queries:
        client.post(url, data(1, fields))
    wall = sum(posts)
    print(f"{connection.vendor}: {before:,} complaints before; {submits:,} portal submits on {url}")
    print(
        f"submit (POST):  {submits / wall:7.1f}/s  median {statistics.median(posts) * 1000:6.1f} ms  "
        f"max {max(posts) * 1000:6.1f} ms  CPU {cpu * 1000 / submits:.1f} ms each  "
        f"{len(submit_queries)} queries"
    )
    print(f"form page (GET): median {statistics.median(gets) * 1000:6.1f} ms  {len(page_queries)} queries")
    print(f"submitting process: peak RSS (VmHWM) {peak_rss_mib():.0f} MiB; {load_average_text()}")
    if profiler is not None:
        print_profile(profiler, [query["sql"] for query in submit_queries.captured_queries])


def print_profile(profiler: cProfile.Profile, statements: list[str]) -> None:
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(35)
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_callees(r"views.py:\d+\(estate\)|intake.py:\d+\(record_intake\)|forms.py:\d+\(full_clean\)")
    print("SQL of one submit:")
    for sql in statements:
        print("  ", sql[:1500])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=0, help="complaints filled in before submitting")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument("--reuse", metavar="FOLDER", help="submit into a copy of a kept data folder")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed POSTs")
    parser.add_argument("--serve", metavar="FOLDER", help=argparse.SUPPRESS)  # the submitting child
    args = parser.parse_args()
    if args.serve:
        os.environ["PORTAL_RATE_SUBMIT_IP"] = UNLIMITED
        os.environ["PORTAL_RATE_SUBMIT_ESTATE"] = UNLIMITED
        setup(args.serve)
        measure(args.submits, args.profile)
        return 0

    def child(data_dir: str) -> None:
        argv = [sys.executable, __file__, "--serve", data_dir, "--submits", str(args.submits)]
        argv += ["--profile"] if args.profile else []
        subprocess.run(argv, check=True, env=os.environ.copy())  # noqa: S603 - our own script

    if args.reuse:
        copy = Path(tempfile.mkdtemp(prefix="estatedesk-bench-")) / "data"
        try:
            shutil.copytree(args.reuse, copy)
            child(str(copy))
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
        return 0

    with demo_company(args.keep) as data_dir:
        from django.db import connection

        if args.rows:
            started = time.perf_counter()
            Filler(args.rows).fill()
            print(f"filled {args.rows:,} complaints in {time.perf_counter() - started:.0f} s")
            analyze()
        connection.close()
        child(data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
