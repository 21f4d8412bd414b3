"""How long proposing the month's consultation samples takes for 300 estates of 1,000 occupied
households each, with a year of history (issue 14, SPEC S-4).

    .venv/bin/python bench/consultation_proposal.py [--estates 300] [--households 1000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_consultations .venv/bin/python bench/consultation_proposal.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench") in bulk,
not through the services: --estates estates, each with its management office, two buildings
and --households occupied units (plus 5 % vacant), each with its owner; and eleven past
monthly consultations per estate (January to November), finished, each with 5 % of the
occupied households asked (households not asked yet that year first, as the proposal does) and
most of them answered. Then it times, median of --repeat runs, each in a transaction rolled back
after:

* ``plan_consultation`` for every estate (December): the whole step an office takes — the
  estate checked, the consultation written, the history read, the proposal, the households'
  rows (with their occupant and whether they complained) written, the timeline event;
* the proposal alone for every estate: ``occupied_units`` + ``history_of`` (one grouped query)
  + the pure ``propose``;
* the pure ``propose`` alone over histories already in memory;

and prints seconds and milliseconds per estate. It checks the proposal: 5 % rounded up, and
only households not asked yet this year.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaints_list import analyze, scratch_database  # noqa: E402 - sibling benchmark

PER_BUILDING = 500
BATCH = 5000
VACANT_SHARE = 0.05
YEAR = 2026
HISTORY_MONTHS = 11


def fill(estates: int, households: int) -> Any:
    """The estates, offices, units, owners and a year of consultations; returns the supervisor."""
    from django.db import transaction
    from django.utils import timezone

    from estatedesk.core.actors import SYSTEM
    from estatedesk.core.clock import company_zone
    from estatedesk.org import services as org_services
    from estatedesk.org.models import Building, Customer, Department, Estate, Occupancy, Unit
    from estatedesk.surveys.consultation_sampling import sample_size
    from estatedesk.surveys.models import Consultation, ConsultedHousehold

    rng = random.Random(14)
    Estate.objects.bulk_create(
        Estate(name=f"基准花园{i + 1:03d}", code=f"C{i + 1:03d}") for i in range(estates)
    )
    estate_list = list(Estate.objects.order_by("code"))
    service = Department.objects.create(name="客户服务部", kind="customer_service")
    supervisor = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[service],
        password="bench-pass-1234",
    ).user
    Department.objects.bulk_create(
        Department(name=f"{e.name}管理处", kind="management_office", estate=e) for e in estate_list
    )
    vacant = math.ceil(households * VACANT_SHARE)
    total = households + vacant
    per_estate = (total + PER_BUILDING - 1) // PER_BUILDING
    Building.objects.bulk_create(
        Building(estate=e, name=f"{b + 1}栋") for e in estate_list for b in range(per_estate)
    )
    buildings: dict[int, list[int]] = {}
    for pk, estate_id in Building.objects.order_by("pk").values_list("pk", "estate_id"):
        buildings.setdefault(estate_id, []).append(pk)
    at = timezone.now()
    for start in range(0, len(estate_list), 20):
        chunk = estate_list[start : start + 20]
        with transaction.atomic():
            units = []
            for estate in chunk:
                empty = set(rng.sample(range(total), vacant))
                units.extend(
                    Unit(
                        estate=estate,
                        building_id=buildings[estate.pk][i // PER_BUILDING],
                        number=f"{i % PER_BUILDING // 4 + 1:03d}{i % 4 + 1:02d}",
                        floor=i % PER_BUILDING // 4 + 1,
                        occupied=i not in empty,
                    )
                    for i in range(total)
                )
            Unit.objects.bulk_create(units, batch_size=BATCH)
            Customer.objects.bulk_create(
                (
                    Customer(estate=estate, name=f"业主{estate.code}-{i:05d}", kind="owner")
                    for estate in chunk
                    for i in range(households)
                ),
                batch_size=BATCH,
            )
            ids = [e.pk for e in chunk]
            occupied = list(
                Unit.objects.filter(estate__in=ids, occupied=True)
                .order_by("estate_id", "pk")
                .values_list("pk", flat=True)
            )
            customers = list(
                Customer.objects.filter(estate__in=ids)
                .order_by("estate_id", "pk")
                .values_list("pk", flat=True)
            )
            Occupancy.objects.bulk_create(
                (
                    Occupancy(unit_id=u, customer_id=c, relation="owner")
                    for u, c in zip(occupied, customers, strict=True)
                ),
                batch_size=BATCH,
            )
    # A year of consultations: 11 per estate, 5 % each, households not asked yet this year first.
    zone = company_zone()
    history = [
        Consultation(
            number=f"MCB-{e.code}-{m:02d}",
            estate=e,
            month=date(YEAR, m, 1),
            topics=["cleaning", "security"],
            method="door_to_door",
            status="finished",
            share=5,
            seed=f"bench-{e.code}-{m}",
            occupied_count=households,
            fresh_count=households,
            proposed_count=sample_size(households, 5),
            return_threshold=50,
            return_step=5,
            return_penalty=1,
            target=90,
            created_at=datetime(YEAR, m, 3, 10, tzinfo=zone),
            started_at=datetime(YEAR, m, 5, 9, tzinfo=zone),
            finished_at=datetime(YEAR, m, 25, 17, tzinfo=zone),
        )
        for e in estate_list
        for m in range(1, HISTORY_MONTHS + 1)
    ]
    Consultation.objects.bulk_create(history, batch_size=BATCH)
    by_place = {
        (c.estate_id, c.month.month): c.pk for c in Consultation.objects.only("pk", "estate_id", "month")
    }
    for start in range(0, len(estate_list), 20):
        chunk = estate_list[start : start + 20]
        rows = []
        for estate in chunk:
            units = list(
                Unit.objects.filter(estate=estate, occupied=True)
                .order_by("pk")
                .values_list("pk", "building_id")
            )
            rng.shuffle(units)
            size = sample_size(len(units), 5)
            for m in range(1, HISTORY_MONTHS + 1):
                for unit, building in units[(m - 1) * size : m * size]:
                    answered = rng.random() < 0.9
                    rows.append(
                        ConsultedHousehold(
                            consultation_id=by_place[estate.pk, m],
                            estate_id=estate.pk,
                            building_id=building,
                            unit_id=unit,
                            customer_kind="owner",
                            answered_at=datetime(YEAR, m, 6, 10, tzinfo=zone) if answered else None,
                            channel="door_to_door" if answered else "",
                        )
                    )
        with transaction.atomic():
            ConsultedHousehold.objects.bulk_create(rows, batch_size=BATCH)
    del at
    return supervisor


def timed(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rolled_back(function: Callable[[], Any]) -> Callable[[], Any]:
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            result = function()
            transaction.set_rollback(True)
        return result

    return run


def measure(supervisor: Any, repeat: int) -> None:
    from django.db import connection

    from estatedesk.core.clock import clock_at, company_zone
    from estatedesk.org.models import Estate
    from estatedesk.surveys.consultation_sampling import propose, sample_size
    from estatedesk.surveys.models import ConsultedHousehold
    from estatedesk.surveys.services import consultations as service

    estates = list(Estate.objects.order_by("code").values_list("pk", flat=True))
    december = date(YEAR, 12, 1)

    def plan_all() -> int:
        made = 0
        with clock_at(datetime(YEAR, 12, 2, 10, tzinfo=company_zone())):
            for pk in estates:
                service.plan_consultation(
                    actor=supervisor,
                    estate=pk,
                    month=december,
                    topics=["cleaning", "repairs"],
                    method="phone",
                    seed=f"bench-{pk}",
                )
                made += 1
        return made

    def propose_all() -> int:
        total = 0
        for pk in estates:
            units = service.occupied_units(pk)
            history = service.history_of(pk, YEAR)
            total += propose(units, history, "5", f"bench-{pk}").size
        return total

    frames = {pk: (service.occupied_units(pk), service.history_of(pk, YEAR)) for pk in estates}

    def pure_all() -> int:
        return sum(
            propose(units, history, "5", f"bench-{pk}").size for pk, (units, history) in frames.items()
        )

    def check() -> None:
        plan_all()
        from estatedesk.surveys.models import Consultation

        for consultation in Consultation.objects.filter(month=december):
            assert consultation.proposed_count == sample_size(consultation.occupied_count, 5)
            asked = ConsultedHousehold.objects.filter(consultation=consultation)
            assert not asked.filter(fresh=False).exists(), consultation.estate_id
        print(
            f"{connection.vendor}: {len(estates)} estates × {consultation.occupied_count:,} occupied households, "
            f"{ConsultedHousehold.objects.exclude(consultation__month=december).count():,} households "
            f"in {HISTORY_MONTHS} past consultations each; December proposes {consultation.proposed_count} "
            f"households an estate, none asked before this year"
        )

    rolled_back(check)()
    print(f"\n{'operation (all estates)':48} {'median s':>9} {'ms / estate':>12}")
    for label, function in (
        ("plan_consultation (whole step, rows written)", rolled_back(plan_all)),
        ("proposal: occupied_units + history_of + propose", propose_all),
        ("propose alone (history in memory)", pure_all),
    ):
        seconds = timed(function, repeat)
        print(f"{label:48} {seconds:9.2f} {seconds * 1000 / len(estates):12.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--estates", type=int, default=300)
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection

        started = time.perf_counter()
        supervisor = fill(args.estates, args.households)
        print(f"{connection.vendor}: filled in {time.perf_counter() - started:.0f} s")
        analyze()
        measure(supervisor, args.repeat)
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
