"""EstateDesk's side of ``bench/vs_helpdesk.py``: fill a throw-away EstateDesk, or serve it.

Run by EstateDesk's own interpreter:

    python ours_serve.py fill --rows 1000000 --data FOLDER   # as bench/reports.py fills
    python ours_serve.py serve --data FOLDER                 # answer timing commands (wire.py)

Filling is ``bench/reports.py``'s (the demo company, N complaints over twelve months with
follow-up visits, ``bulk_create`` in batches, then table statistics as production keeps
them), plus one complaint recorded through the real intake service at 翠湖花园 whose
timeline is topped up to ten events, for the detail page. With DATABASE_URL the PostgreSQL
database it names (its name must contain "bench") is dropped and created again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/: the sibling benchmarks' fillers

import wire  # noqa: E402 - found beside this file

NO_LIMIT = "1000000/1h"  # the portal's abuse limits would refuse a bench's second hundred submits


def setup(data_dir: Path) -> None:
    for name in ("PORTAL_RATE_SUBMIT_IP", "PORTAL_RATE_SUBMIT_ESTATE", "PORTAL_RATE_LOOKUP_IP"):
        os.environ[name] = NO_LIMIT
    from complaints_list import setup as estatedesk_setup

    estatedesk_setup(str(data_dir))


def fill(rows: int, data_dir: Path) -> dict[str, Any]:
    if os.environ.get("DATABASE_URL"):
        from complaints_list import prepare_postgres

        prepare_postgres(os.environ["DATABASE_URL"])
    setup(data_dir)
    from complaints_list import analyze
    from django.core.management import call_command
    from reports import ReportFiller, add_visits, busiest

    from estatedesk.org import demo

    call_command("migrate", verbosity=0)
    demo.seed()
    started = time.perf_counter()
    filler = ReportFiller(rows)
    filler.fill()
    visits = add_visits(filler.rng)
    detail = ten_event_complaint()
    analyze()
    year, month, department, _year = busiest()
    return {
        "complaints": rows + 1,
        "visits": visits,
        "detail": detail,
        "report": {"year": year, "month": month, "department": department.pk},
        "fill_seconds": round(time.perf_counter() - started),
    }


def ten_event_complaint() -> int:
    """A complaint recorded through intake, its timeline topped up to ten events with what a
    resident adds on the status page (words: the peer's ticket has ten comments)."""
    from django.contrib.auth import get_user_model

    from estatedesk.complaints import events
    from estatedesk.complaints.models import Category
    from estatedesk.complaints.services import Intake, record_complaint
    from estatedesk.core.actors import RESIDENT
    from estatedesk.org import demo
    from estatedesk.org.models import Estate, Occupancy

    estate = Estate.objects.get(code=demo.CUIHU)
    home = Occupancy.objects.filter(unit__estate=estate).select_related("unit", "customer").first()
    assert home is not None
    complaint = record_complaint(
        actor=get_user_model().objects.get(username="duty"),
        data=Intake(
            estate=estate,
            kind="complaint",
            channel="phone",
            category=Category.objects.get(code="repairs"),
            description="卫生间天花板渗水，怀疑楼上排水管漏水。",
            unit=home.unit,
            customer=home.customer,
        ),
    )
    texts = ["楼上业主今天不在家。", "又漏了一次，请尽快处理。", "已拍照，水渍扩大了。", "请问什么时候来修？"]
    i = 0
    while complaint.events.count() < 10:
        events.resident_added(complaint, RESIDENT, text=texts[i % len(texts)], photos=[])
        i += 1
    assert complaint.events.count() == 10
    return complaint.pk


class Ours:
    def __init__(self, info: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from estatedesk.complaints.models import Category
        from estatedesk.core.services import create_api_token
        from estatedesk.org import demo
        from estatedesk.org.models import Estate, Occupancy

        users = get_user_model().objects
        self.info = info
        self.handler = Client(HTTP_HOST="127.0.0.1")
        self.handler.force_login(users.get(username="handler_a"))
        self.deputy = Client(HTTP_HOST="127.0.0.1")
        self.deputy.force_login(users.get(username="deputy_gm"))
        _token, raw = create_api_token(user=users.get(username="handler_a"), name="bench")
        self.api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.resident = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.7")
        self.estate = Estate.objects.get(code=demo.CUIHU)
        self.homes = list(
            Occupancy.objects.filter(unit__estate=self.estate)
            .order_by("id")
            .values_list("unit_id", "customer_id")
        )
        self.category = Category.objects.get(code="repairs")
        page = self.resident.get(f"/r/{self.estate.code}/").content.decode()
        match = re.search(r'name="privacy_version" value="(\d+)"', page)
        assert match, "the portal form names the privacy notice it shows"
        self.privacy_version = match.group(1)

    def describe(self) -> dict[str, Any]:
        import django
        from django.db import connection

        from estatedesk.complaints.models import Complaint

        return {
            "rows": Complaint.objects.count(),
            "vendor": connection.vendor,
            "django": django.get_version(),
            "memory_start": wire.current_memory_mib(),
        }

    def submit_portal(self, n: int) -> dict[str, Any]:
        """What a resident's phone sends from the estate's QR-code page (the form's one-time key
        minted beforehand, as the page would have handed it out)."""
        from estatedesk.portal.forms import new_submission_key

        keys = [new_submission_key()[1] for _ in range(n)]

        def one(i: int) -> None:
            response = self.resident.post(
                f"/r/{self.estate.code}/",
                {
                    "submission_key": keys[i],
                    "privacy_version": self.privacy_version,
                    "privacy_ack": "on",
                    "kind": "complaint",
                    "category": self.category.pk,
                    "description": f"12楼走廊灯不亮已经三天了 {secrets.token_hex(4)}",
                    "name": "王小明",
                    "phone": "13812341234",
                },
            )
            assert response.status_code == 302, response.content[:400]

        return wire.rate(one, n)

    def submit_api(self, n: int) -> dict[str, Any]:
        def one(i: int) -> None:
            unit_id, customer_id = self.homes[(i * 7) % len(self.homes)]
            response = self.api.post(
                "/api/complaints",
                {
                    "estate": self.estate.pk,
                    "kind": "complaint",
                    "channel": "phone",
                    "category": "repairs",
                    "description": f"接口基准投诉 {i}：电梯异响。",
                    "unit": unit_id,
                    "customer": customer_id,
                },
                content_type="application/json",
            )
            assert response.status_code == 201, response.content[:400]

        return wire.rate(one, n)

    def list(self) -> dict[str, Any]:
        return wire.timed(lambda: self.handler.get("/complaints/?status=in_progress"))

    def detail(self) -> dict[str, Any]:
        return wire.timed(lambda: self.handler.get(f"/complaints/{self.info['detail']}/"))

    def dashboard(self) -> dict[str, Any]:
        return wire.timed(lambda: self.deputy.get("/reports/dashboard/"))

    def report(self) -> dict[str, Any]:
        """The deputy GM drafts a department's month (a repeated draft refreshes it) and is
        taken to the draft's page: the POST and the page it redirects to."""
        return wire.timed(
            lambda: self.deputy.post("/reports/monthly/draft/", self.info["report"], follow=True)
        )

    def plain(self, repeat: int) -> dict[str, Any]:
        """The monthly draft next to the plain SQL of the same counts (bench/reports.py's)."""
        import statistics

        from reports import plain_month

        from estatedesk.org.models import Department
        from estatedesk.reports import services

        year, month = self.info["report"]["year"], self.info["report"]["month"]
        department = Department.objects.get(pk=self.info["report"]["department"])

        def median(function: Any) -> float:
            function()
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                function()
                times.append((time.perf_counter() - started) * 1000)
            return statistics.median(times)

        return {
            "plain_ms": median(lambda: plain_month(department.pk, year, month)),
            "draft_ms": median(lambda: services.draft_month(year=year, month=month, department=department)),
        }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["fill", "serve"])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    info_file = args.data / "estatedesk-info.json"
    if args.mode == "fill":
        info = fill(args.rows, args.data)
        info_file.write_text(json.dumps(info))
        print(json.dumps(info))
        return 0
    setup(args.data)
    ours = Ours(json.loads(info_file.read_text()))
    wire.serve(
        {
            "describe": ours.describe,
            "submit_portal": ours.submit_portal,
            "submit_api": ours.submit_api,
            "list": ours.list,
            "detail": ours.detail,
            "dashboard": ours.dashboard,
            "report": ours.report,
            "plain": ours.plain,
            "memory": lambda: {"peak_mib": wire.peak_memory_mib()},
            "quit": lambda: None,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
