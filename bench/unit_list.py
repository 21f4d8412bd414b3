"""How fast the unit and customer list pages answer at 100,000 units (issue 2).

    .venv/bin/python bench/unit_list.py [--units 100000]

Builds a throw-away SQLite database in a temporary data folder, fills it with one estate of
N units and a customer per unit, then times the staff list pages through Django's test
client (the whole request: middleware, permission checks, queries, template).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ESTATEDESK_DATA_DIR", tempfile.mkdtemp(prefix="estatedesk-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estatedesk.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from estatedesk.org import services  # noqa: E402
from estatedesk.org.models import Building, Customer, Estate, Occupancy, Unit  # noqa: E402


def fill(n_units: int) -> None:
    estate = Estate.objects.create(name="基准花园", code="BENCH")
    other = Estate.objects.create(name="对照花园", code="OTHER")
    per_building = 1000
    buildings = Building.objects.bulk_create(
        Building(estate=estate, name=f"{i + 1}栋")
        for i in range((n_units + per_building - 1) // per_building)
    )
    Building.objects.create(estate=other, name="1栋")
    units = []
    for i in range(n_units):
        b = buildings[i // per_building]
        k = i % per_building
        units.append(
            Unit(estate=estate, building=b, number=f"{k // 4 + 1:02d}{k % 4 + 1:02d}", occupied=i % 10 != 0)
        )
    Unit.objects.bulk_create(units, batch_size=5000)
    customers = []
    for i in range(n_units):
        c = Customer(estate=estate, name=f"业主{i:06d}", kind="owner")
        c.set_phone(f"139{i:08d}")
        customers.append(c)
    Customer.objects.bulk_create(customers, batch_size=5000)
    unit_ids = list(Unit.objects.filter(estate=estate).order_by("id").values_list("id", flat=True))
    customer_ids = list(Customer.objects.filter(estate=estate).order_by("id").values_list("id", flat=True))
    Occupancy.objects.bulk_create(
        (Occupancy(unit_id=u, customer_id=c) for u, c in zip(unit_ids, customer_ids, strict=True)),
        batch_size=5000,
    )


def timed(client: Client, url: str, repeat: int = 7) -> tuple[float, float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    fill(args.units)
    print(f"filled {args.units:,} units and customers in {time.perf_counter() - start:.1f} s")
    admin = services.save_staff(
        actor=None,
        staff=None,
        username="bench",
        display_name="bench",
        role="admin",
        estates=[],
        departments=[],
        password="bench-pass-123",
    ).user
    handler = services.save_staff(
        actor=None,
        staff=None,
        username="handler",
        display_name="handler",
        role="handler",
        estates=list(Estate.objects.filter(code="BENCH")),
        departments=[],
        password="bench-pass-123",
    ).user
    reset_queries()
    print(f"{'page':48} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for who, user in [("admin", admin), ("handler", handler)]:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for url in [
            "/org/units/",
            "/org/units/?page=1000",
            "/org/units/?page=2000",
            "/org/units/?q=57-1203",
            "/org/customers/",
            "/org/customers/?q=13900054321",
            "/org/customers/?q=业主0543",
        ]:
            median, worst, queries = timed(client, url)
            print(f"{who + ' ' + url:48} {median:10.1f} {worst:8.1f} {queries:8d}")


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
