"""The rectification tests' cast: two developers, each with its customer service and team.

Developer X built estate A, developer Y estate B. ``rect`` gives the departments, the staff
(``dev_x``, ``team_x``, ``dev_y``, ``team_y``) and a handover report of estate A; ``walk``
moves an item through the steps to a status.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import company_today
from estatedesk.org import services as org_services
from estatedesk.org.models import Department, Developer
from estatedesk.rectification.models import Item, Report
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import rounds, routing
from estatedesk.rectification.services.items import ItemInput

PASSWORD = "correct-horse-battery"


def photo(name: str = "crack.jpg", colour: tuple[int, int, int] = (120, 90, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


@dataclass
class Rect:
    world: Any
    developer_x: Developer
    developer_y: Developer
    dev_cs_x: Department
    team_x: Department
    dev_cs_y: Department
    team_y: Department
    report: Report  # estate A, developer X, handover
    users: dict[str, Any]

    def user(self, persona: str) -> Any:
        return self.users.get(persona) or self.world.users[persona]

    def item(self, **changes: Any) -> Item:
        values: dict[str, Any] = {
            "location": "主卧",
            "description": "墙面裂缝约30厘米",
            "category": "walls",
            "unit": self.world.unit_a,
        }
        values.update(changes)
        return item_services.add_items(
            actor=self.world.users["handler_a"], report=self.report, rows=[ItemInput(**values)]
        )[0]

    def walk(self, item: Item, to: str) -> Item:
        """Move a developer-route item forward to ``to`` by the ordinary services."""
        handler, dev, team = self.world.users["handler_a"], self.users["dev_x"], self.users["team_x"]
        steps = [
            ("dev_review", lambda: routing.escalate(actor=handler, item=item.pk)),
            (
                "team_fixing",
                lambda: routing.plan(
                    actor=dev,
                    item=item.pk,
                    measure="铲除重新批荡",
                    due_date=company_today() + timedelta(days=7),
                    team=self.team_x,
                ),
            ),
            ("dev_inspect", lambda: rounds.complete(actor=team, item=item.pk, photos=[photo()])),
            ("to_notify", lambda: rounds.inspect(actor=dev, item=item.pk, passed=True)),
            ("res_check", lambda: rounds.notify(actor=handler, item=item.pk)),
        ]
        item.refresh_from_db()
        order = ["reported"] + [status for status, _step in steps]
        for status, step in steps[order.index(item.status) :]:
            if item.status == to:
                break
            step()
            item.refresh_from_db()
            assert item.status == status
        assert item.status == to
        return item


def _staff(username: str, role: str, estates: list, departments: list) -> Any:
    return org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username=username,
        display_name=username,
        role=role,
        estates=estates,
        departments=departments,
        password=PASSWORD,
    ).user


@pytest.fixture
def rect(world: Any) -> Rect:
    developer_x = Developer.objects.create(name="X置业")
    developer_x.estates.add(world.estate_a)
    developer_y = Developer.objects.create(name="Y地产")
    developer_y.estates.add(world.estate_b)
    dev_cs_x = Department.objects.create(name="X置业客服部", kind="developer_cs", developer=developer_x)
    team_x = Department.objects.create(name="X置业整改小组", kind="rectification_team", developer=developer_x)
    dev_cs_y = Department.objects.create(name="Y地产客服部", kind="developer_cs", developer=developer_y)
    team_y = Department.objects.create(name="Y地产整改小组", kind="rectification_team", developer=developer_y)
    users = {
        "dev_x": _staff("dev_x", "developer_cs", [world.estate_a], [dev_cs_x]),
        "team_x": _staff("team_x", "rectification", [world.estate_a], [team_x]),
        "dev_y": _staff("dev_y", "developer_cs", [world.estate_b], [dev_cs_y]),
        "team_y": _staff("team_y", "rectification", [world.estate_b], [team_y]),
    }
    report = item_services.create_report(
        actor=world.users["handler_a"], estate=world.estate_a, title="2026年第一批交付验房"
    )
    return Rect(world, developer_x, developer_y, dev_cs_x, team_x, dev_cs_y, team_y, report, users)
