"""The demo's rectification (SPEC R-1 … R-5): a handover batch and the departments' findings,
played through the services up to the present — rounds 1 to 3, overdue items, items waiting
for the resident, acceptance signed on the phone, typed and on paper, our own fixes, public
areas accepted for the department that found them and that department told — loaded once."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from estatedesk.demo.rectification import load_rectification
from estatedesk.demo.rectification_content import SALES_DEPARTMENT
from estatedesk.notifications.models import Message
from estatedesk.rectification.display import due_of
from estatedesk.rectification.models import Item, ItemEvent, ItemPhoto, Report, Source
from estatedesk.workcal.due import DueState
from tests.communication.conftest import add_households
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("R-1", "R-2", "R-3", "R-4", "R-5")]

PRESENT = datetime(2026, 6, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _load(rect, caplog) -> int:
    add_households(rect.world.building_a, 24, start=501, phone_from=5000)
    with frozen_at(PRESENT), caplog.at_level(logging.INFO, logger="estatedesk.demo"):
        count = load_rectification(PRESENT, units=20)
        assert load_rectification(PRESENT, units=20) == 0  # loaded once
    # Every step the plan played was accepted by its service.
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(", 0 failed" in r.getMessage() for r in caplog.records)
    return count


def test_the_handover_batch_is_played_through_the_services_up_to_the_present(rect, caplog):
    loaded = _load(rect, caplog)
    batch = Report.objects.get(source=Source.HANDOVER, title="2026年第二批交付验房")
    assert batch.estate == rect.world.estate_a and batch.developer == rect.developer_x
    items = Item.objects.filter(report=batch)
    assert loaded == Item.objects.count() and items.count() >= 40
    assert not Item.objects.filter(reported_at__gte=PRESENT).exists()
    assert not ItemEvent.objects.filter(at__gte=PRESENT).exists()
    # Numbers run with the time the items were recorded.
    numbers = list(Item.objects.order_by("reported_at", "pk").values_list("number", flat=True))
    assert numbers == sorted(numbers)
    assert {i.category for i in items} >= {"walls", "doors_windows", "plumbing", "electrical"}
    assert ItemPhoto.objects.filter(stage="reported").count() == Item.objects.count()

    # Rounds 1, 2 and 3: most accepted in the first, objections carried on.
    accepted = Item.objects.filter(status="accepted", report__source=Source.HANDOVER)
    rounds = set(Item.objects.values_list("round", flat=True))
    assert {1, 2, 3} <= rounds
    assert accepted.filter(round=1).count() > accepted.exclude(round=1).count()
    objected = ItemEvent.objects.filter(kind="objected")
    assert objected.filter(round=2).exists() and objected.filter(round=3).exists()
    assert all(i.objection for i in Item.objects.filter(round__gt=1))
    assert ItemEvent.objects.filter(kind="inspect_fail").exists()  # some sent back to the team

    # Still open at the present: overdue with the team, waiting for the resident's answer.
    fixing = Item.objects.filter(status__in=["team_fixing", "prop_fixing"])
    with frozen_at(PRESENT):
        states = [due_of(item) for item in fixing]
    assert DueState.OVERDUE in states
    waiting = Item.objects.filter(status="res_check")
    assert waiting.exists() and all(i.unit_id for i in waiting)
    assert Message.objects.filter(channel="sms", key__contains=":resident:").exists()

    # Accepted on the phone (signed) and on paper with the scan, and our own fixes.
    methods = set(Item.objects.filter(status="accepted").values_list("acceptance_method", flat=True))
    assert {"signature", "paper", "on_behalf"} <= methods
    signed = Item.objects.filter(acceptance_method="signature").first()
    assert signed.signature
    paper = Item.objects.filter(acceptance_method="paper").first()
    assert paper.signed_name and paper.photos.filter(stage="acceptance").exists()
    assert Item.objects.filter(route="property", status="accepted", report__source=Source.HANDOVER).exists()


def test_department_findings_are_accepted_for_the_department_and_it_is_told(rect, caplog):
    _load(rect, caplog)
    findings = Report.objects.exclude(source=Source.HANDOVER)
    assert {r.source for r in findings} == {Source.ENGINEERING, Source.SALES}
    assert findings.get(source=Source.SALES).finding_department.name == SALES_DEPARTMENT
    on_behalf = Item.objects.filter(acceptance_method="on_behalf")
    assert on_behalf.exists() and not on_behalf.filter(unit__isnull=False).exists()
    assert ItemEvent.objects.filter(kind="dept_told", item__in=on_behalf).count() == on_behalf.count()
    engineering = on_behalf.filter(finding_department=rect.world.engineering)
    head = rect.world.users["department_head"]
    told = Message.objects.filter(user=head, key__endswith=f":result:u{head.pk}")
    assert engineering.exists() and told.count() == engineering.count()
    assert Item.objects.filter(report__in=findings).exclude(status="accepted").exists()  # still open
