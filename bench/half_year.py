"""How long the half-year statistics of 300 management offices take (issue 14, SPEC S-5).

    .venv/bin/python bench/half_year.py [--offices 300] [--households 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_half_year .venv/bin/python bench/half_year.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench") in bulk,
not through the services: --offices estates, each with its management office and
--households occupied units (two buildings); six monthly consultations (January–June) per
estate of 50 households each, every household answering four topics (cleaning, security,
repairs, landscaping) with a few estates doing worse in cleaning, dissatisfied answers
carrying a reason, a tenth of the households adding another opinion; six reason codes.

Then times, for every office, ``services.half_year.compute_half_year`` (the whole thing: the
grouped reads, the pure computation, the figures and lines written) and separately its parts:
``half_year_data.inputs_for`` (the reads) and the pure ``half_year.compute``. Prints the
times, the lines found, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import peak_rss_mib  # noqa: E402
from complaints_list import analyze, scratch_database  # noqa: E402 - sibling benchmark

BATCH = 5000
TOPICS = ["cleaning", "security", "repairs", "landscaping"]
REASONS = {
    "cleaning": ["垃圾清运不及时，夏天有异味", "楼道地面不干净", "保洁阿姨态度不好"],
    "security": ["门岗不查访客", "晚上巡逻看不到人"],
    "repairs": ["电梯经常停运，报修后三天才修好", "报修没人回复"],
    "landscaping": ["草坪长期没人修剪", "树枝挡住路灯"],
}
OPINIONS = ["希望增加儿童游乐设施", "地下车库灯光太暗", "电梯广告太吵", "建议增加快递柜"]
CODES = [
    ("rubbish", "垃圾清运", "垃圾\n清运", "cleaning"),
    ("dirty", "地面卫生", "不干净\n卫生", "cleaning"),
    ("lift", "电梯", "电梯", ""),
    ("repair_reply", "报修响应", "报修\n没人回复", "repairs"),
    ("patrol", "巡逻", "巡逻\n门岗", "security"),
    ("lighting", "照明", "灯光\n路灯", ""),
]


def fill(offices: int, households: int) -> dict[str, Any]:
    from django.db import transaction

    from estatedesk.core.actors import SYSTEM
    from estatedesk.org import services as org_services
    from estatedesk.org.models import Building, Department, Estate, Unit
    from estatedesk.surveys.models import Consultation, ConsultationAnswer, ConsultedHousehold, ReasonCode

    rng = random.Random(14)
    Estate.objects.bulk_create(
        Estate(name=f"基准花园{i + 1:03d}", code=f"H{i + 1:03d}") for i in range(offices)
    )
    estates = list(Estate.objects.order_by("code"))
    Department.objects.bulk_create(
        Department(name=f"{e.name}管理处", kind="management_office", estate=e) for e in estates
    )
    cs = Department.objects.create(name="客户服务部", kind="customer_service")
    supervisor = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[cs],
        password="bench-pass-1234",
    ).user
    ReasonCode.objects.bulk_create(
        ReasonCode(code=c, label_zh_hans=label, keywords=words, category=cat, position=i)
        for i, (c, label, words, cat) in enumerate(CODES)
    )
    with transaction.atomic():
        Building.objects.bulk_create(Building(estate=e, name=f"{b + 1}栋") for e in estates for b in range(2))
    buildings: dict[int, list[int]] = {}
    for pk, estate in Building.objects.order_by("pk").values_list("pk", "estate_id"):
        buildings.setdefault(estate, []).append(pk)
    with transaction.atomic():
        Unit.objects.bulk_create(
            (
                Unit(estate=e, building_id=buildings[e.pk][i % 2], number=f"{i:04d}", occupied=True)
                for e in estates
                for i in range(households)
            ),
            batch_size=BATCH,
        )
    units: dict[int, list[tuple[int, int]]] = {}
    for pk, estate, building in Unit.objects.order_by("pk").values_list("pk", "estate_id", "building_id"):
        units.setdefault(estate, []).append((pk, building))
    when = datetime(2026, 6, 20, 2, tzinfo=UTC)
    months = [date(2026, m, 1) for m in range(1, 7)]
    with transaction.atomic():
        Consultation.objects.bulk_create(
            (
                Consultation(
                    number=f"MC{e.pk:04d}{m.month:02d}",
                    estate=e,
                    month=m,
                    topics=TOPICS,
                    method="door_to_door",
                    status="finished",
                    occupied_count=households,
                    proposed_count=50,
                    return_threshold=50,
                    return_step=5,
                    return_penalty=1,
                    target=90,
                    created_at=when,
                )
                for e in estates
                for m in months
            ),
            batch_size=BATCH,
        )
    consultations = list(Consultation.objects.order_by("pk").values_list("pk", "estate_id"))
    with transaction.atomic():
        rows = []
        for pk, estate in consultations:
            for unit, building in rng.sample(units[estate], 50):
                remark = rng.choice(OPINIONS) if rng.random() < 0.1 else ""
                rows.append(
                    ConsultedHousehold(
                        consultation_id=pk,
                        estate_id=estate,
                        building_id=building,
                        unit_id=unit,
                        answered_at=when,
                        channel="door_to_door",
                        remarks=remark,
                        token=f"t{pk}-{unit}",
                    )
                )
        ConsultedHousehold.objects.bulk_create(rows, batch_size=BATCH)
    answers = []
    for pk, consultation, estate, building in ConsultedHousehold.objects.order_by("pk").values_list(
        "pk", "consultation_id", "estate_id", "building_id"
    ):
        worse = 0.15 if estate % 7 == 0 else 0.0
        for topic in TOPICS:
            low = rng.random() < 0.07 + (worse if topic == "cleaning" else 0)
            answers.append(
                ConsultationAnswer(
                    household_id=pk,
                    consultation_id=consultation,
                    estate_id=estate,
                    building_id=building,
                    category=topic,
                    level="dissatisfied" if low else "satisfied",
                    score=2 if low else 4,
                    satisfied=not low,
                    dissatisfied=low,
                    reason=rng.choice(REASONS[topic]) if low else "",
                )
            )
    with transaction.atomic():
        ConsultationAnswer.objects.bulk_create(answers, batch_size=BATCH)
    return {"supervisor": supervisor, "answers": len(answers)}


def measure(supervisor: Any) -> None:
    from django.utils.translation import override

    from estatedesk.surveys import half_year, half_year_data
    from estatedesk.surveys.models import HalfYearLine
    from estatedesk.surveys.services.half_year import compute_half_year, offices_for

    offices = offices_for(supervisor)
    started = time.perf_counter()
    for office in offices:
        compute_half_year(actor=supervisor, office=office, year=2026, half=1)
    whole = time.perf_counter() - started
    lines = HalfYearLine.objects.count()
    below = HalfYearLine.objects.filter(kind="below_target").count()

    started = time.perf_counter()
    with override("zh-hans"):
        inputs = [half_year_data.inputs_for(o.estate_id, 2026, 1, "zh-hans") for o in offices]
    reads = time.perf_counter() - started
    started = time.perf_counter()
    with override("zh-hans"):
        for one in inputs:
            half_year.compute(one)
    pure = time.perf_counter() - started
    n = len(offices)
    print(f"offices: {n}, lines: {lines} ({below} below target, {lines - below} issues)")
    print(f"compute_half_year, all offices: {whole:.2f} s ({whole / n * 1000:.1f} ms per office)")
    print(f"  reads (half_year_data.inputs_for): {reads:.2f} s ({reads / n * 1000:.1f} ms per office)")
    print(f"  pure (half_year.compute): {pure:.3f} s ({pure / n * 1000:.2f} ms per office)")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB (VmHWM)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--households", type=int, default=1000)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection

        started = time.perf_counter()
        made = fill(args.offices, args.households)
        print(
            f"{connection.vendor}: filled {args.offices} offices × {args.households:,} households, "
            f"{made['answers']:,} consultation answers in {time.perf_counter() - started:.0f} s"
        )
        analyze()
        measure(made["supervisor"])
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
