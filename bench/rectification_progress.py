"""The rectification progress page and a team's item list at 200,000 items (issue 16, SPEC R-5,
P-1): time and query counts, which must not grow with the items.

    .venv/bin/python bench/rectification_progress.py [--items 200000] [--first 20000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rectification .venv/bin/python bench/rectification_progress.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench"): four
estates of 2,000 units, two developers with their customer service and three teams each, our
engineering department, ten handover reports per estate, and the items in bulk
(``core.bulk.insert_rows``) spread over reports, units, categories, teams, rounds (most in
round 1, some in 2 and 3) and every status, with completion dates around today (some
overdue) and accepted items with their acceptance time.

It measures at ``--first`` items, then adds the rest and measures again at ``--items``:

* ``GET /rectification/progress/`` as the GM (the whole company), as a handler of one estate,
  as the developer's customer service and as a team member;
* ``GET /rectification/progress/?estate=…&from=…`` (filters);
* ``GET /rectification/items/`` as the team member (``rectification:item_list``, written by
  another family: the status code is printed and whatever the URL answers is timed).

For each: the median of --repeat runs, the first run, the status code and the number of
queries. The query counts at both sizes are printed side by side: they must be equal.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaints_list import analyze, scratch_database  # noqa: E402 - sibling benchmark

ESTATES = 4
UNITS = 2000
REPORTS = 10
TEAMS = 3
CATEGORIES = [
    "walls",
    "doors_windows",
    "plumbing",
    "electrical",
    "waterproofing",
    "fittings",
    "public_areas",
    "other",
]
# status, share: most accepted, a good part still open
STATUSES = (
    ["accepted"] * 50
    + ["res_check"] * 8
    + ["to_notify"] * 4
    + ["dev_inspect"] * 5
    + ["team_fixing"] * 15
    + ["dev_review"] * 4
    + ["prop_fixing"] * 6
    + ["reported"] * 5
    + ["cancelled"] * 3
)
ROUNDS = [1] * 80 + [2] * 15 + [3] * 5


class World:
    def __init__(self) -> None:
        from estatedesk.core.actors import SYSTEM
        from estatedesk.core.clock import now
        from estatedesk.org import services as org_services
        from estatedesk.org.models import Building, Department, Developer, Estate, Unit
        from estatedesk.rectification.models import Report

        def staff(username: str, role: str, estates: list, departments: list) -> Any:
            return org_services.save_staff(
                actor=SYSTEM,
                staff=None,
                username=username,
                display_name=username,
                role=role,
                estates=estates,
                departments=departments,
                password="bench-pass-1234",
            ).user

        self.estates = [
            Estate.objects.create(name=f"基准花园{e + 1}期", code=f"R{e + 1}") for e in range(ESTATES)
        ]
        self.units: dict[int, list[int]] = {}
        for estate in self.estates:
            building = Building.objects.create(estate=estate, name="1栋", floors=40)
            Unit.objects.bulk_create(
                Unit(
                    estate=estate,
                    building=building,
                    number=f"{u // 50 + 1:02d}{u % 50 + 1:02d}",
                    occupied=True,
                )
                for u in range(UNITS)
            )
            self.units[estate.pk] = list(Unit.objects.filter(estate=estate).values_list("pk", flat=True))
        self.developers = [Developer.objects.create(name=f"基准置业{d + 1}") for d in range(2)]
        for i, estate in enumerate(self.estates):
            self.developers[i % 2].estates.add(estate)
        self.dev_cs = [
            Department.objects.create(name=f"{d.name}客服部", kind="developer_cs", developer=d)
            for d in self.developers
        ]
        self.teams = {
            d.pk: [
                Department.objects.create(
                    name=f"{d.name}整改{t + 1}组", kind="rectification_team", developer=d
                )
                for t in range(TEAMS)
            ]
            for d in self.developers
        }
        self.engineering = Department.objects.create(name="工程部", kind="engineering")
        office = Department.objects.create(
            name="基准花园1期管理处", kind="management_office", estate=self.estates[0]
        )
        self.gm = staff("gm", "gm", [], [])
        self.handler = staff("handler", "handler", [self.estates[0]], [office])
        self.developer_cs = staff("dev", "developer_cs", [], [self.dev_cs[0]])
        self.team_member = staff("team", "rectification", [], [self.teams[self.developers[0].pk][0]])
        self.reports: list[Report] = []
        for e, estate in enumerate(self.estates):
            for r in range(REPORTS):
                self.reports.append(
                    Report.objects.create(
                        number=f"ZG-B{e}{r:02d}",
                        estate=estate,
                        developer=self.developers[e % 2],
                        title=f"第{r + 1}批交付验房",
                        created_at=now(),
                    )
                )
        self.made = 0

    def add(self, count: int) -> None:
        from estatedesk.core.bulk import db_datetime, insert_rows
        from estatedesk.core.clock import company_today, now
        from estatedesk.rectification.models import Item

        rng = random.Random(self.made)  # noqa: S311 - benchmark data, not security
        today, at = company_today(), now()
        columns = [
            "report_id", "estate_id", "number", "unit_id", "location", "description", "category", "source",
            "reported_at", "reporter_name", "status", "route", "department_id", "developer_id", "team_id",
            "measure", "due_date", "round", "accepted_at", "acceptance_method", "signed_name", "signature",
            "objection", "edit_version",
        ]  # fmt: skip

        def rows() -> Any:
            for n in range(self.made, self.made + count):
                report = self.reports[n % len(self.reports)]
                developer = report.developer_id
                status = rng.choice(STATUSES)
                ours = status == "prop_fixing" or (
                    status in ("to_notify", "res_check", "accepted") and n % 7 == 0
                )
                decided = status not in ("reported", "cancelled")
                team = (
                    rng.choice(self.teams[developer]).pk
                    if decided and not ours and status != "dev_review"
                    else None
                )
                reported = at - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 600))
                accepted = reported + timedelta(days=rng.randint(2, 40)) if status == "accepted" else None
                yield (
                    report.pk, report.estate_id, f"ZX-B-{n:07d}", rng.choice(self.units[report.estate_id]),
                    "客厅", "墙面空鼓开裂", rng.choice(CATEGORIES), "handover",
                    db_datetime(reported), "验房员", status,
                    "" if not decided else "property" if ours else "developer",
                    self.engineering.pk if ours else None, None if ours or not decided else developer, team,
                    "", today + timedelta(days=rng.randint(-10, 20)) if decided else None,
                    rng.choice(ROUNDS) if decided else 1, db_datetime(accepted),
                    "paper" if accepted else "", "", "", "", 0,
                )  # fmt: skip

        insert_rows(Item, columns, rows())
        self.made += count


def measure(world: World, repeat: int) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from estatedesk.core.clock import company_today
    from estatedesk.rectification.models import Item

    progress = reverse("rectification:progress")
    since = (company_today() - timedelta(days=30)).isoformat()
    pages = [
        ("progress, GM (whole company)", world.gm, progress),
        ("progress, handler of one estate", world.handler, progress),
        ("progress, developer's customer service", world.developer_cs, progress),
        ("progress, team member", world.team_member, progress),
        (
            "progress, GM, one estate, last 30 days",
            world.gm,
            f"{progress}?estate={world.estates[1].pk}&from={since}",
        ),
        ("team's item list (rectification:item_list)", world.team_member, reverse("rectification:item_list")),
    ]
    print(f"\n{connection.vendor}: {Item.objects.count():,} items")
    print(f"{'page':48} {'median':>8} {'first':>8} {'status':>6} {'queries':>7}")
    counts = {}
    for label, user, url in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get(url)  # the session's first request reads what later ones keep
        times, status = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                status = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code
            times.append(time.perf_counter() - started)
        counts[label] = len(captured.captured_queries)
        print(
            f"{label:48} {statistics.median(times) * 1000:6.0f}ms {times[0] * 1000:6.0f}ms {status:>6} {counts[label]:>7}"
        )
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--first", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection

        world = World()
        started = time.perf_counter()
        world.add(args.first)
        print(f"{connection.vendor}: {args.first:,} items filled in {time.perf_counter() - started:.1f} s")
        analyze()
        small = measure(world, args.repeat)
        started = time.perf_counter()
        world.add(args.items - args.first)
        print(
            f"\n{connection.vendor}: {args.items - args.first:,} more filled in {time.perf_counter() - started:.1f} s"
        )
        analyze()
        large = measure(world, args.repeat)
        print(f"\nqueries at {args.first:,} and {args.items:,} items:")
        for label in small:
            same = "same" if small[label] == large[label] else "DIFFERENT"
            print(f"  {label:48} {small[label]:>4} {large[label]:>4}  {same}")
        if small != large:
            return 1
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
