"""How many complaints a second can be recorded, through the service and through the API.

    .venv/bin/python bench/complaints_create.py [--service 2000] [--api 1000] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_complaints .venv/bin/python bench/complaints_create.py

Runs on a throw-away SQLite database in a temporary data folder, or on the PostgreSQL
database named by DATABASE_URL, which is dropped and created again (its name must contain
"bench"). Loads the demo company (three estates, about 1,700 units and customers, staff),
then records complaints one after another, each in its own transaction as in real use:

- through ``services.record_complaint`` as the duty staff of 翠湖花园, and
- through ``POST /api/complaints`` with a personal API token, via Django's test client
  (the whole request: middleware, token check, validation, service, the answer's JSON).

Each complaint names a demo customer and unit, so intake also checks them and tells the
handler. Prints complaints per second and milliseconds per complaint (wall and CPU).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ["repairs", "cleaning", "security", "vehicles", "housing", "charges"]
CHANNELS = ["phone", "face_to_face", "wechat", "sms"]


def prepare_postgres(url: str) -> None:
    """Drop and create the bench database, so every run starts empty."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup() -> str:
    data_dir = tempfile.mkdtemp(prefix="estatedesk-bench-")
    os.environ["ESTATEDESK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "estatedesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "0"  # queued jobs go to the throw-away queue
    sys.path.insert(0, str(ROOT))
    if os.environ.get("DATABASE_URL"):
        prepare_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()
    return data_dir


def describe() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"


def rate(label: str, n: int, seconds: float, cpu: float) -> None:
    print(
        f"{label:44} {n:6,} in {seconds:6.1f} s  {n / seconds:7.1f}/s  "
        f"{1000 * seconds / n:6.1f} ms each ({1000 * cpu / n:.1f} ms CPU)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--service", type=int, default=2000, help="complaints through the service")
    parser.add_argument("--api", type=int, default=1000, help="complaints through the API")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument(
        "--profile", action="store_true", help="the API requests under cProfile, and one request's SQL"
    )
    args = parser.parse_args()
    data_dir = setup()
    try:
        run(args)
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def run(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from estatedesk.complaints import services
    from estatedesk.complaints.models import Category, Complaint
    from estatedesk.core.services import create_api_token
    from estatedesk.org import demo
    from estatedesk.org.models import Estate, Occupancy

    call_command("migrate", verbosity=0)
    demo.seed()
    print(f"database: {describe()}; demo company loaded")
    estate = Estate.objects.get(code=demo.CUIHU)
    households = list(
        Occupancy.objects.filter(unit__estate=estate).select_related("unit", "customer").order_by("id")
    )
    categories = {c.code: c for c in Category.objects.filter(code__in=CATEGORIES)}
    users = get_user_model().objects
    duty, handler = users.get(username="duty"), users.get(username="handler_a")
    rng = random.Random(7)

    def intake(i: int) -> services.Intake:
        home = households[i % len(households)]
        return services.Intake(
            estate=estate,
            kind="complaint",
            channel=rng.choice(CHANNELS),
            category=categories[rng.choice(CATEGORIES)],
            description=f"{home.unit.label} 基准投诉 {i}：楼道灯不亮，已经三天。",
            unit=home.unit,
            customer=home.customer,
        )

    # Warm up (first queries, translations, caches) outside the timing.
    for i in range(20):
        services.record_complaint(actor=duty, data=intake(i))

    started, cpu = time.perf_counter(), time.process_time()
    for i in range(args.service):
        services.record_complaint(actor=duty, data=intake(i))
    rate(
        "service: services.record_complaint",
        args.service,
        time.perf_counter() - started,
        time.process_time() - cpu,
    )

    _token, raw = create_api_token(user=handler, name="bench")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")

    def payload(i: int) -> dict[str, Any]:
        home = households[(i * 7) % len(households)]
        return {
            "estate": estate.pk,
            "kind": "complaint",
            "channel": rng.choice(CHANNELS),
            "category": rng.choice(CATEGORIES),
            "description": f"{home.unit.label} 接口基准投诉 {i}：电梯异响。",
            "unit": home.unit_id,
            "customer": home.customer_id,
        }

    for i in range(10):
        response = client.post("/api/complaints", payload(i), content_type="application/json")
        assert response.status_code == 201, response.content
    profiler = cProfile.Profile() if args.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    for i in range(args.api):
        response = client.post("/api/complaints", payload(i), content_type="application/json")
        assert response.status_code == 201, response.content
    if profiler is not None:
        profiler.disable()
    rate(
        "API: POST /api/complaints (token)",
        args.api,
        time.perf_counter() - started,
        time.process_time() - cpu,
    )
    print(f"in the database: {Complaint.objects.count():,} complaints")
    with CaptureQueriesContext(connection) as service_queries:
        services.record_complaint(actor=duty, data=intake(0))
    with CaptureQueriesContext(connection) as api_queries:
        client.post("/api/complaints", payload(0), content_type="application/json")
    print(f"SQL statements per complaint: service {len(service_queries)}, API request {len(api_queries)}")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        for query in api_queries.captured_queries:
            print("  ", query["sql"][:300])


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
