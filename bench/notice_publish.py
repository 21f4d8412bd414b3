"""Publishing an urgent notice to 50,000 households, and a household's portal list after it
(issue 15, SPEC C-2, C-3, A-4).

    .venv/bin/python bench/notice_publish.py [--households 50000] [--history 40] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notices .venv/bin/python bench/notice_publish.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench") in bulk:
one estate of --households occupied units in buildings of 500, each with its owner (with a
phone number, encrypted as the product stores it) and one in ten with a tenant too; and
--history notices already published to the whole estate (each with its 50,000 recipients).
Then it times, median of --repeat runs:

* **publishing**: ``publish_notice`` of an urgent water cut to the whole estate by portal and
  SMS — the households fixed, each one's private link, one recipient row per household and one
  outbox row per phone number written — in a transaction rolled back after each run, so every
  run writes everything afresh (the links exist after the first; the first run's figure is
  printed too);
* **the portal**: ``GET /r/n/<token>/`` (a household's notices, urgent first) and
  ``GET /r/n/<token>/<id>/`` (opening one: the read receipt) through Django's test client, for
  a household in the last building;
* **the recipients page** a member of staff opens: ``/communication/notices/<id>/recipients/``
  and its unread list (``?read=unread``).

It checks the counts: one recipient per household, one SMS per phone number.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaints_list import analyze, scratch_database  # noqa: E402 - sibling benchmark

PER_BUILDING = 500
BATCH = 5000
TENANT_EVERY = 10


def fill(households: int) -> tuple[Any, Any]:
    """The estate, its office, the households and their people; returns (estate, handler)."""
    from django.db import transaction

    from estatedesk.core import crypto
    from estatedesk.core.actors import SYSTEM
    from estatedesk.org import services as org_services
    from estatedesk.org.models import Building, Customer, Department, Estate, Occupancy, Unit

    estate = Estate.objects.create(name="基准花园", code="N1", service_phone="0755-88886666")
    office = Department.objects.create(name="基准花园管理处", kind="management_office", estate=estate)
    handler = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="handler",
        display_name="管理处客服",
        role="handler",
        estates=[estate],
        departments=[office],
        password="bench-pass-1234",
    ).user
    buildings = (households + PER_BUILDING - 1) // PER_BUILDING
    Building.objects.bulk_create(Building(estate=estate, name=f"{b + 1}栋") for b in range(buildings))
    building_ids = list(Building.objects.filter(estate=estate).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        Unit.objects.bulk_create(
            (
                Unit(
                    estate=estate,
                    building_id=building_ids[i // PER_BUILDING],
                    number=f"{i % PER_BUILDING // 4 + 1:03d}{i % 4 + 1:02d}",
                    floor=i % PER_BUILDING // 4 + 1,
                    occupied=True,
                )
                for i in range(households)
            ),
            batch_size=BATCH,
        )

        def person(i: int, kind: str) -> Customer:
            phone = f"13{i % 10}{i:08d}"[-11:] if kind == "owner" else f"15{i % 10}{i:08d}"[-11:]
            return Customer(
                estate=estate,
                name=f"{'业主' if kind == 'owner' else '租户'}{i:05d}",
                kind=kind,
                phone=phone,
                phone_index=crypto.blind_index(phone),
            )

        Customer.objects.bulk_create((person(i, "owner") for i in range(households)), batch_size=BATCH)
        Customer.objects.bulk_create(
            (person(i, "tenant") for i in range(0, households, TENANT_EVERY)), batch_size=BATCH
        )
        units = list(Unit.objects.filter(estate=estate).order_by("pk").values_list("pk", flat=True))
        owners = list(Customer.objects.filter(kind="owner").order_by("pk").values_list("pk", flat=True))
        tenants = list(Customer.objects.filter(kind="tenant").order_by("pk").values_list("pk", flat=True))
        Occupancy.objects.bulk_create(
            (
                Occupancy(unit_id=u, customer_id=c, relation="owner")
                for u, c in zip(units, owners, strict=True)
            ),
            batch_size=BATCH,
        )
        Occupancy.objects.bulk_create(
            (
                Occupancy(unit_id=units[i * TENANT_EVERY], customer_id=c, relation="tenant")
                for i, c in enumerate(tenants)
            ),
            batch_size=BATCH,
        )
    return estate, handler


def draft(estate: Any, title: str, starts_in: timedelta) -> Any:
    from estatedesk.communication.services.notices import NoticeDraft
    from estatedesk.core.clock import now

    starts = now() + starts_in
    return NoticeDraft(
        kind="water_cut",
        title=title,
        body="<p>因市政供水管网抢修，全小区停水，请提前储水。给您带来不便，敬请谅解。</p>",
        estate=estate.pk,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        channels=["portal", "sms"],
        urgent=True,
        late_reason="市政管网爆裂，临时通知",
    )


def history(estate: Any, handler: Any, count: int) -> None:
    """Notices already published to the whole estate (their recipients written in bulk)."""
    from estatedesk.communication.services import notices

    for n in range(count):
        notice = notices.create_notice(
            actor=handler, draft=draft(estate, f"第{n + 1}号通知", timedelta(days=2))
        )
        notice.channels = ["portal"]
        notice.urgent = False
        notice.save(update_fields=["channels", "urgent"])
        notices.publish_notice(actor=handler, notice=notice)


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median, first) seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times[0]


def measure(estate: Any, handler: Any, households: int, repeat: int) -> None:
    from django.db import connection, transaction
    from django.test import Client

    from estatedesk.communication.models import HouseholdLink, Notice, NoticeRecipient
    from estatedesk.communication.services import notices
    from estatedesk.notifications.models import Message
    from estatedesk.org.models import Customer

    phones = Customer.objects.filter(estate=estate).exclude(phone="").count()
    counts: dict[str, int] = {}

    def publish() -> None:
        with transaction.atomic():
            notice = notices.create_notice(
                actor=handler, draft=draft(estate, "紧急停水通知", timedelta(hours=3))
            )
            notices.publish_notice(actor=handler, notice=notice)
            counts["recipients"] = NoticeRecipient.objects.filter(notice=notice).count()
            counts["sms"] = Message.objects.filter(key__startswith=f"{notice.number}:sms:").count()
            transaction.set_rollback(True)

    median, first = timed(publish, repeat)
    assert counts["recipients"] == households, counts
    assert counts["sms"] == phones, counts
    print(
        f"{connection.vendor}: {households:,} households, {phones:,} phone numbers, "
        f"{Notice.objects.count()} notices already published"
    )
    print(f"\n{'operation':62} {'median':>9} {'first':>9}")
    label = f"publish an urgent notice ({counts['recipients']:,} recipients, {counts['sms']:,} SMS rows)"
    print(f"{label:62} {median:8.2f}s {first:8.2f}s")
    # The portal, after a real (committed) publish.
    notice = notices.create_notice(actor=handler, draft=draft(estate, "紧急停电通知", timedelta(hours=3)))
    notices.publish_notice(actor=handler, notice=notice)
    last_unit = (
        NoticeRecipient.objects.filter(notice=notice)
        .order_by("-unit_id")
        .values_list("unit_id", flat=True)[0]
    )
    token = HouseholdLink.objects.get(unit_id=last_unit).token
    resident = Client(HTTP_HOST="127.0.0.1")
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(handler)
    for label, client, url in (
        ("portal: a household's notices /r/n/<token>/", resident, f"/r/n/{token}/"),
        ("portal: opening the notice (read receipt)", resident, f"/r/n/{token}/{notice.pk}/"),
        ("staff: recipients page", staff, f"/communication/notices/{notice.pk}/recipients/"),
        (
            "staff: recipients, unread only",
            staff,
            f"/communication/notices/{notice.pk}/recipients/?read=unread",
        ),
    ):
        status: list[int] = []

        def get(client: Client = client, url: str = url, status: list[int] = status) -> None:
            status.append(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code)

        median, first = timed(get, repeat)
        assert set(status) == {200}, (url, status)
        print(f"{label:62} {median * 1000:7.0f}ms {first * 1000:7.0f}ms")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--history", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection

        started = time.perf_counter()
        estate, handler = fill(args.households)
        history(estate, handler, args.history)
        print(f"{connection.vendor}: filled in {time.perf_counter() - started:.0f} s")
        analyze()
        measure(estate, handler, args.households, args.repeat)
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
