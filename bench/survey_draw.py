"""How long drawing the annual survey's sample takes at 300,000 households with 20,000 past
complainants (issue 13, SPEC S-7), next to a plain ``random.sample`` over the same ids.

    .venv/bin/python bench/survey_draw.py [--households 300000] [--complainants 20000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_surveys .venv/bin/python bench/survey_draw.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench") in bulk,
not through the services: --estates estates (20) of 500-unit buildings, the households
(occupied units, each with its owner and the occupancy linking them) plus 5 % vacant units,
and one complaint of the past year (with its unit and customer) for each of --complainants
households. Then a second process — its memory is the draw's, not the filling's — times,
median of --repeat runs, each on a fresh annual survey in a transaction rolled back after:

* ``surveys.services.draw_sample``: the whole draw of the customer-service supervisor —
  the frame read, the key households asked of the complaints, the seeded per-estate draw, the
  occupants, one ``Household`` row (with its token) per drawn household, the record;
* the baseline: the occupied units' ids read in one query and ``random.sample`` of the same
  share per estate; ``random.sample`` alone over ids already in memory; and the baseline
  followed by the drawn rows written plainly (INSERTs in batches, with a token each), since
  the draw's main work is the 150,000 rows it writes;
* the parts of the draw: the frame read, ``key_households``, the pure ``sampling.draw``, and
  the rows written;

and prints the times, the ratio to the baseline, the largest Python allocation of one draw
(tracemalloc) and the process's peak RSS. It checks the sample: 50 % of each estate rounded
up, every complainant in it.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import peak_rss_mib  # noqa: E402
from complaints_list import analyze, scratch_database, setup  # noqa: E402 - sibling benchmark

PER_BUILDING = 500
BATCH = 5000
VACANT_SHARE = 0.05


# --- Filling ------------------------------------------------------------------------------------


def fill_units(households: int, estates: int, *, customers: bool = True) -> dict[str, Any]:
    """Estates, buildings, units (households occupied, 5 % more vacant), and with ``customers``
    an owner per household and the occupancy; bulk, in batches. Returns the staff and ids made."""
    from django.db import transaction

    from estatedesk.core.actors import SYSTEM
    from estatedesk.org import services as org_services
    from estatedesk.org.models import Building, Customer, Department, Estate, Occupancy, Unit

    rng = random.Random(13)
    made = [Estate(name=f"基准花园{i + 1:02d}", code=f"B{i + 1:02d}") for i in range(estates)]
    Estate.objects.bulk_create(made)
    estate_list = list(Estate.objects.order_by("code"))
    # Estates of different sizes, as a company's are: weights 1..3.
    weights = [1 + (i % 3) for i in range(estates)]
    sizes = [households * w // sum(weights) for w in weights]
    sizes[0] += households - sum(sizes)
    department = Department.objects.create(name="客户服务部", kind="customer_service")
    supervisor = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[department],
        password="bench-pass-1234",
    ).user
    offices = {}
    for estate in estate_list:
        offices[estate.pk] = Department.objects.create(
            name=f"{estate.name}管理处", kind="management_office", estate=estate
        )
    for estate, size in zip(estate_list, sizes, strict=True):
        vacant = math.ceil(size * VACANT_SHARE)
        total = size + vacant
        buildings = Building.objects.bulk_create(
            Building(estate=estate, name=f"{b + 1}栋")
            for b in range((total + PER_BUILDING - 1) // PER_BUILDING)
        )
        empty = set(rng.sample(range(total), vacant))
        with transaction.atomic():
            Unit.objects.bulk_create(
                (
                    Unit(
                        estate=estate,
                        building=buildings[i // PER_BUILDING],
                        number=f"{i % PER_BUILDING // 4 + 1:03d}{i % 4 + 1:02d}",
                        floor=i % PER_BUILDING // 4 + 1,
                        occupied=i not in empty,
                    )
                    for i in range(total)
                ),
                batch_size=BATCH,
            )
        if not customers:
            continue
        unit_ids = list(
            Unit.objects.filter(estate=estate, occupied=True).order_by("pk").values_list("pk", flat=True)
        )
        with transaction.atomic():
            Customer.objects.bulk_create(
                (
                    Customer(estate=estate, name=f"业主{estate.code}-{i:06d}", kind="owner")
                    for i in range(size)
                ),
                batch_size=BATCH,
            )
            customer_ids = list(
                Customer.objects.filter(estate=estate).order_by("pk").values_list("pk", flat=True)
            )
            Occupancy.objects.bulk_create(
                (
                    Occupancy(unit_id=u, customer_id=c, relation="owner")
                    for u, c in zip(unit_ids, customer_ids, strict=True)
                ),
                batch_size=BATCH,
            )
    return {"supervisor": supervisor, "offices": offices, "estates": estate_list}


def fill_complaints(count: int, made: dict[str, Any]) -> None:
    """One complaint of the past year for each of ``count`` households drawn at random."""
    import secrets

    from django.db import transaction
    from django.utils import timezone

    from estatedesk.complaints.models import Category, Complaint
    from estatedesk.org.models import Occupancy

    rng = random.Random(17)
    homes = list(Occupancy.objects.values_list("unit_id", "customer_id", "unit__estate_id"))
    chosen = rng.sample(homes, min(count, len(homes)))
    categories = list(Category.objects.all())
    now = timezone.now()
    recorder = made["supervisor"].pk
    rows = []
    for i, (unit_id, customer_id, estate_id) in enumerate(chosen):
        received = now - timedelta(minutes=rng.randrange(60, 360 * 24 * 60))
        rows.append(
            Complaint(
                number=f"TS-{received.year}-{i + 1:06d}",
                kind="complaint",
                status="closed",
                estate_id=estate_id,
                unit_id=unit_id,
                customer_id=customer_id,
                complainant_name="业主",
                channel="phone",
                category=rng.choice(categories),
                description="电梯经常停运，报修后三天才修好。",
                received_at=received,
                recorded_by_id=recorder,
                department=made["offices"][estate_id],
                portal_token=secrets.token_urlsafe(24),
            )
        )
    with transaction.atomic():
        Complaint.objects.bulk_create(rows, batch_size=2000)


# --- Measuring ----------------------------------------------------------------------------------


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` runs and the largest Python allocation peak of one (bytes)."""
    import tracemalloc

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak


def rolled_back(function: Callable[[], Any]) -> Callable[[], Any]:
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            result = function()
            transaction.set_rollback(True)
        return result

    return run


def measure(repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count

    from estatedesk.core.models import CompanySettings
    from estatedesk.org.key_households import key_households
    from estatedesk.org.models import Unit
    from estatedesk.surveys import sampling, services
    from estatedesk.surveys.models import Household

    supervisor = get_user_model().objects.get(username="cs_supervisor")
    company = CompanySettings.load()

    def new_survey() -> Any:
        return services.create_survey(actor=supervisor, kind="annual", title="年度业户满意度调查")

    def draw() -> Any:
        return services.draw_sample(actor=supervisor, survey=new_survey(), seed="bench")

    # Check once: 50 % of each estate rounded up, every complainant in it.
    def check() -> None:
        survey = draw()
        occupied = dict(
            Unit.objects.filter(occupied=True).values_list("estate_id").annotate(n=Count("pk")).order_by()
        )
        for row in survey.estates.all():
            assert row.frame_size == occupied[row.estate_id], row.estate_id
            assert row.sample_size == max(math.ceil(row.frame_size / 2), row.second_stage_count)
        keys = set(key_households(services.key_since(survey, company), list(occupied)))
        drawn = set(Household.objects.filter(survey=survey).values_list("unit_id", flat=True))
        assert keys <= drawn and survey.second_stage_count == len(keys)
        print(
            f"{connection.vendor}: {survey.frame_size:,} households in {len(occupied)} estates "
            f"({survey.vacant_count:,} vacant units left out), {len(keys):,} key households; sample "
            f"{survey.sample_size:,} = {survey.second_stage_count:,} key + {survey.random_count:,} random"
        )

    rolled_back(check)()

    def read_frames() -> dict[int, list[int]]:
        frames: dict[int, list[int]] = {}
        for unit_id, estate_id in (
            Unit.objects.filter(occupied=True).values_list("pk", "estate_id").iterator()
        ):
            frames.setdefault(estate_id, []).append(unit_id)
        return frames

    def baseline() -> int:
        rng = random.Random("bench")
        return sum(len(rng.sample(ids, math.ceil(len(ids) / 2))) for ids in read_frames().values())

    frames = read_frames()
    survey_for_rows = new_survey()

    def baseline_written() -> int:
        """The baseline, then the drawn rows written plainly, token and all, as few columns as
        the table needs: on SQLite one-row INSERTs by executemany, on PostgreSQL 2,000 rows a
        statement."""
        from django.db import connection as conn

        from estatedesk.surveys.models import new_token

        rng = random.Random("bench")
        places = dict(Unit.objects.filter(occupied=True).values_list("pk", "building_id").iterator())
        by_estate: dict[int, list[int]] = {}
        for unit_id, estate_id in (
            Unit.objects.filter(occupied=True).values_list("pk", "estate_id").iterator()
        ):
            by_estate.setdefault(estate_id, []).append(unit_id)
        json = "%s::jsonb" if conn.vendor == "postgresql" else "%s"
        sql = (
            "INSERT INTO surveys_household (survey_id, estate_id, building_id, unit_id, customer_kind, "
            f"second_stage, reasons, token, reminders_sent, draft) VALUES (%s, %s, %s, %s, '', false, {json}, "
            f"%s, 0, {json})"
        )
        rows = [
            (survey_for_rows.pk, estate_id, places[u], u, "[]", new_token(), "{}")
            for estate_id, ids in by_estate.items()
            for u in rng.sample(ids, math.ceil(len(ids) / 2))
        ]
        with conn.cursor() as cursor:
            for start in range(0, len(rows), 2000):
                batch = rows[start : start + 2000]
                if conn.vendor == "postgresql":  # many rows a statement: executemany is a round trip each
                    head, values = sql.split(" VALUES ")
                    cursor.execute(
                        f"{head} VALUES {', '.join([values] * len(batch))}", [v for r in batch for v in r]
                    )
                else:
                    cursor.executemany(sql, batch)
        return len(rows)

    def in_memory() -> int:
        rng = random.Random("bench")
        return sum(len(rng.sample(ids, math.ceil(len(ids) / 2))) for ids in frames.values())

    since = services.key_since(new_survey(), company)
    keys = frozenset(key_households(since, list(frames)))

    def pure_draw() -> Any:
        return sampling.draw(frames, keys, sampling.share_of(50), "bench")

    operations: list[tuple[str, Callable[[], Any], str | None]] = [
        ("baseline: read ids + random.sample", baseline, None),
        ("random.sample alone (ids in memory)", in_memory, None),
        (
            "baseline + rows written plainly",
            rolled_back(baseline_written),
            "baseline: read ids + random.sample",
        ),
        ("draw_sample (whole, rows written)", rolled_back(draw), "baseline: read ids + random.sample"),
        ("draw_sample / baseline + rows written", lambda: None, None),
        ("  part: frame read", read_frames, "baseline: read ids + random.sample"),
        ("  part: key_households", lambda: key_households(since, list(frames)), None),
        ("  part: sampling.draw (pure)", pure_draw, "random.sample alone (ids in memory)"),
    ]
    results: dict[str, float] = {}
    print(f"\n{'operation':40} {'median s':>9} {'× base':>7} {'py peak MB':>11}")
    for label, function, base in operations:
        if label == "draw_sample / baseline + rows written":
            whole, plain = (
                results["draw_sample (whole, rows written)"],
                results["baseline + rows written plainly"],
            )
            print(f"{label:40} {'':9} {whole / plain:7.1f}")
            continue
        seconds, peak = timed(function, repeat)
        results[label] = seconds
        ratio = f"{seconds / results[base]:.1f}" if base else "1.0"
        print(f"{label:40} {seconds:9.3f} {ratio:>7} {peak / 1e6:11.1f}")
    print(f"\ndrawing process: peak RSS {peak_rss_mib():.0f} MiB (VmHWM)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--complainants", type=int, default=20_000)
    parser.add_argument("--estates", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup(args.measure)
        measure(args.repeat)
        return 0
    with scratch_database() as data_dir:
        from django.db import connection

        started = time.perf_counter()
        made = fill_units(args.households, args.estates)
        units = time.perf_counter() - started
        fill_complaints(args.complainants, made)
        print(
            f"{connection.vendor}: filled {args.households:,} households in {units:.0f} s, "
            f"{args.complainants:,} complaints in {time.perf_counter() - started - units:.0f} s"
        )
        analyze()
        connection.close()
        child = [sys.executable, __file__, "--measure", data_dir, "--repeat", str(args.repeat)]
        subprocess.run(child, check=True)  # noqa: S603 - our own script
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
