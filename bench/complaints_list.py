"""How fast the complaint lists answer at 1,000,000 complaints, and what serving them costs.

    .venv/bin/python bench/complaints_list.py [--rows 1000000] [--repeat 7] [--keep]
    .venv/bin/python bench/complaints_list.py --serve FOLDER [--repeat 7]   # a kept folder, no refill
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_complaints .venv/bin/python bench/complaints_list.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again; its name must contain "bench") with the
demo company and N complaints over the past twelve months across its three estates. The
rows are written with ``bulk_create`` in batches (no timeline events or history rows: the
lists do not read them), but every column the lists read is consistent: numbers per year,
statuses, deadlines from the real deadline engine and calendar, replies, on-time flags,
encrypted phone numbers with their blind index, unique portal tokens.

Then a second process — the "server" — times whole requests through Django's test client
(middleware, permission checks, queries, template or JSON), as the handler of one estate
and as the deputy GM: the department list page (page 1, a late page, by status, overdue,
search by number) and the API list. It prints the median of several runs (wall time and
the serving process's CPU time, the steadier figure on a shared machine), the SQL queries per
request (compare a run with --rows 1000: the count must not change), the serving process's own
peak memory (VmHWM, bench/common.py) and the largest Python allocation peak of one request
(tracemalloc). --serve FOLDER times again on a folder kept with --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 20_000
ESTATE_WEIGHTS = {"CHHY": 0.45, "JSY": 0.33, "JRDS": 0.22}
KINDS = ["complaint"] * 8 + ["enquiry", "grievance"]
CHANNELS = ["phone"] * 5 + ["face_to_face"] * 2 + ["portal"] * 2 + ["wechat", "sms", "email", "letter"]
TEXTS = [
    "卫生间天花板渗水，怀疑楼上排水管漏水。",
    "楼道垃圾两天没人清理，气味很大。",
    "固定车位被外来车辆占用。",
    "电梯频繁故障，老人上下楼很困难。",
    "物业费账单多算了一个月。",
    "晚上广场音乐声太大，影响休息。",
]
OPEN_WINDOW = timedelta(days=14)  # older complaints are closed, as in a company that keeps up


def setup(data_dir: str) -> None:
    os.environ["ESTATEDESK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "estatedesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def scratch_database(keep: bool = False) -> Iterator[str]:
    """A throw-away data folder (and, with DATABASE_URL, the PostgreSQL database it names, made
    afresh) with the migrations run; removed afterwards unless ``keep``. Every bench that fills
    its own data starts here."""
    data_dir = tempfile.mkdtemp(prefix="estatedesk-bench-")
    if os.environ.get("DATABASE_URL"):
        prepare_postgres(os.environ["DATABASE_URL"])
    setup(data_dir)
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield data_dir
    finally:
        if keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def demo_company(keep: bool) -> Iterator[str]:
    """``scratch_database`` with the demo company loaded."""
    with scratch_database(keep) as data_dir:
        from estatedesk.org import demo

        demo.seed()
        yield data_dir


def prepare_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Filling ------------------------------------------------------------------------------------


class Filler:
    def __init__(self, rows: int) -> None:
        from django.utils import timezone

        from estatedesk.complaints.models import Category
        from estatedesk.core.clock import company_zone
        from estatedesk.core.models import CompanySettings
        from estatedesk.org import demo
        from estatedesk.org.models import Department, Estate, Occupancy, Staff
        from estatedesk.workcal.deadlines import DeadlinePolicy
        from estatedesk.workcal.selectors import load_calendar, office_hours_for

        self.rows = rows
        self.rng = random.Random(11)
        self.now = timezone.now()
        self.start = self.now - timedelta(days=365)
        self.company = CompanySettings.load()
        # The deadline engine itself, with the calendar and office hours read once.
        self.policy = DeadlinePolicy.from_settings(self.company)
        self.calendar = load_calendar()
        self.zone = company_zone(self.company)
        self.categories = list(Category.objects.all())
        self.estates = {e.code: e for e in Estate.objects.filter(code__in=ESTATE_WEIGHTS)}
        self.sites: dict[str, dict[str, Any]] = {}
        handler = {demo.CUIHU: "handler_a", demo.JINSHAN: "handler_b", demo.TOWER: "handler_office"}
        duty = {demo.CUIHU: "duty", demo.JINSHAN: "duty_b", demo.TOWER: "duty_office"}
        for code, estate in self.estates.items():
            homes = []
            for occupancy in Occupancy.objects.filter(unit__estate=estate).select_related("customer"):
                customer = occupancy.customer
                homes.append((occupancy.unit_id, customer.pk, customer.name, customer.phone))
            self.sites[code] = {
                "estate": estate,
                "homes": homes,
                "office": Department.objects.get(estate=estate, kind="management_office"),
                "handler": Staff.objects.get(user__username=handler[code]),
                "duty": Staff.objects.get(user__username=duty[code]).user_id,
                "hours": office_hours_for(estate, company=self.company),
            }
        self.engineering = Department.objects.get(kind="engineering")
        self.counters: dict[int, int] = {}

    def fill(self) -> None:
        from django.db import transaction

        from estatedesk.complaints.models import Complaint
        from estatedesk.core.models import Counter

        step = (self.now - timedelta(hours=1) - self.start) / self.rows
        for first in range(0, self.rows, BATCH):
            batch = [
                self.complaint(self.start + step * i) for i in range(first, min(first + BATCH, self.rows))
            ]
            with transaction.atomic():
                Complaint.objects.bulk_create(batch, batch_size=2000)
        for year, value in self.counters.items():
            Counter.objects.update_or_create(prefix="TS", year=year, defaults={"value": value})

    def complaint(self, received: datetime) -> Any:
        from estatedesk.complaints.models import Complaint
        from estatedesk.workcal.deadlines import reply_deadline

        rng = self.rng
        code = rng.choices(list(ESTATE_WEIGHTS), weights=list(ESTATE_WEIGHTS.values()))[0]
        site = self.sites[code]
        unit_id, customer_id, name, phone = rng.choice(site["homes"])
        year = received.astimezone(self.zone).year
        self.counters[year] = self.counters.get(year, 0) + 1
        kind = rng.choice(KINDS)
        c = Complaint(
            number=f"TS-{year}-{self.counters[year]:06d}",
            kind=kind,
            estate=site["estate"],
            unit_id=unit_id,
            customer_id=customer_id,
            complainant_name=name,
            channel=rng.choice(CHANNELS),
            category=rng.choice(self.categories),
            description=rng.choice(TEXTS),
            received_at=received,
            received_on=received.astimezone(self.zone).date(),  # the kept counts' day (no settings query)
            recorded_by_id=site["duty"],
            department=self.engineering if rng.random() < 0.1 else site["office"],
            handler=site["handler"],
            portal_token=secrets.token_urlsafe(24),
        )
        c.set_phone(phone)
        if kind == "complaint":
            c.valid = rng.random() < 0.8
            c.cause = "management" if c.valid else "external"
            c.urgent = c.valid and rng.random() < 0.15
            c.assessed_at = received + timedelta(minutes=30)
        deadline = reply_deadline(
            received_at=received,
            urgent=c.urgent,
            serious=False,
            valid=c.valid,
            requested_at=None,
            policy=self.policy,
            cal=self.calendar,
            hours=site["hours"],
        )
        c.reply_due, c.due_basis, c.due_provisional = deadline.due, deadline.basis, deadline.provisional
        recent = self.now - received < OPEN_WINDOW
        c.status = rng.choice(["new", "in_progress", "referred", "replied", "closed"]) if recent else "closed"
        if c.status in ("replied", "closed"):
            late = rng.random() < 0.08
            span = deadline.due - received
            c.replied_at = c.first_replied_at = (
                deadline.due + timedelta(hours=3) if late else received + span * rng.uniform(0.1, 0.95)
            )
            if c.replied_at > self.now:
                c.replied_at = c.first_replied_at = self.now - timedelta(minutes=5)
            c.on_time = c.replied_at <= deadline.due
            c.reply = "已处理并答复。"
        if c.status == "closed":
            c.closed_at = c.replied_at + timedelta(days=1) if c.replied_at else received
            c.closed_on = c.closed_at.astimezone(self.zone).date()  # after closed_at: no settings query
            c.satisfaction = "satisfied"
        return c


def analyze() -> None:
    """Table statistics, as production has them: on SQLite the product's hourly job
    (``core.services.refresh_query_statistics``), on PostgreSQL what autovacuum does after a
    million inserts: VACUUM as well as ANALYZE (since PostgreSQL 13 inserts alone start it),
    which sets the visibility map, so index-only scans read no table pages."""
    from django.db import connection

    from estatedesk.core.services import refresh_query_statistics

    if not refresh_query_statistics():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- Serving ------------------------------------------------------------------------------------


def urls(number: str, late_page: int) -> list[str]:
    from estatedesk.core.paging import CappedPaginator

    # The page lists count up to a cap and page within it; the API pages through everything.
    last_listed = CappedPaginator.cap // 50
    return [
        "/complaints/",
        f"/complaints/?page={min(late_page, last_listed)}",
        "/complaints/?status=in_progress",
        "/complaints/?due=overdue",
        f"/complaints/?q={number}",
        "/api/complaints",
        f"/api/complaints?page={late_page}&page_size=50",
        "/api/complaints?status=in_progress",
        "/api/complaints?due_state=overdue",
        f"/api/complaints?q={number}",
    ]


def measure(repeat: int) -> None:
    import tracemalloc

    from common import peak_rss_mib, repeated_get
    from django.contrib.auth import get_user_model
    from django.test import Client

    from estatedesk.complaints import selectors
    from estatedesk.core.services import create_api_token

    users = get_user_model().objects
    # CPU time of this process per request (time.process_time) beside the wall time: on a shared
    # machine the wall time follows the load, the CPU time much less (decision 0060).
    print(f"{'request':58} {'median ms':>10} {'max ms':>8} {'cpu ms':>7} {'queries':>8}")
    peaks = []
    for username in ("handler_a", "deputy_gm"):
        user = users.get(username=username)
        scope = selectors.complaint_list(user).order_by("-received_at", "-id")
        total = scope.count()
        pick = scope.filter(status="closed")[total // 3 : total // 3 + 1].get()
        late_page = max(1, (total // 50) * 4 // 5)  # four fifths of the way down
        _token, raw = create_api_token(user=user, name="bench")
        page_client = Client(HTTP_HOST="127.0.0.1")
        page_client.force_login(user)
        api_client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
        for url in urls(pick.number, late_page):
            client = api_client if url.startswith("/api/") else page_client
            timed = repeated_get(client, url, repeat)
            tracemalloc.start()
            client.get(url)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            label = f"{username} {url}"
            print(
                f"{label[:58]:58} {timed.median_ms:10.1f} {timed.max_ms:8.1f} {timed.cpu_ms:7.1f} {timed.queries:8d}"
            )
        print(f"  ({username} sees {total:,} complaints; late page = page {late_page:,})")
    print(
        f"serving process: peak RSS (VmHWM) {peak_rss_mib():.0f} MiB; largest Python allocation peak of one request "
        f"{max(peaks) / 1e6:.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip gathering table statistics after filling (production gathers them hourly)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument(
        "--serve", metavar="FOLDER", help="time again on a folder kept with --keep (no refill)"
    )
    args = parser.parse_args()
    if args.serve:
        setup(args.serve)
        measure(args.repeat)
        return 0

    with demo_company(args.keep) as data_dir:
        from django.db import connection

        started = time.perf_counter()
        Filler(args.rows).fill()
        seconds = time.perf_counter() - started
        print(
            f"{connection.vendor}: filled {args.rows:,} complaints in {seconds:.0f} s "
            f"({args.rows / seconds:,.0f} rows/s)"
        )
        if not args.no_analyze:
            started = time.perf_counter()
            analyze()
            print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
        connection.close()
        # A fresh process serves, so its memory is the serving's, not the filling's.
        child = [sys.executable, __file__, "--serve", data_dir, "--repeat", str(args.repeat)]
        subprocess.run(child, check=True, env=os.environ.copy())  # noqa: S603 - our own script
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
