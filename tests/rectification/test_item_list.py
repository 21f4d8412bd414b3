"""The rectification item register (SPEC R-2, R-3, P-1, D-3): one list for the property
company, the developer's customer service and the teams, each seeing only its items; filters;
bulk decisions, plans and notices through the ordinary services, with each refusal named; an
Excel export without residents' names or phones; a constant number of queries per page."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.core.clock import company_today
from estatedesk.org.models import Department
from estatedesk.rectification.models import Item
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import rounds, routing
from tests.rectification.conftest import photo
from tests.test_i18n_pages import leftovers

pytestmark = pytest.mark.django_db

LIST = "rectification:item_list"


def _client(rect: Any, persona: str, language: str = "en") -> Client:
    client = Client()
    client.force_login(rect.user(persona))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _numbers(response: Any) -> set[str]:
    assert response.status_code == 200
    return {item.number for item in response.context["page"].object_list}


def _book(response: Any) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]


def _overdue(item: Item) -> Item:
    """An item being fixed whose completion date has passed (no service sets a past date)."""
    Item.objects.filter(pk=item.pk).update(due_date=company_today() - timedelta(days=3))
    item.refresh_from_db()
    return item


@pytest.fixture
def estate_b_item(rect: Any) -> Item:
    report = item_services.create_report(
        actor=rect.world.users["handler_b"], estate=rect.world.estate_b, title="B"
    )
    return item_services.add_items(
        actor=rect.world.users["handler_b"],
        report=report,
        rows=[
            item_services.ItemInput(
                location="大堂", description="地砖空鼓", category="walls", unit=rect.world.unit_b
            )
        ],
    )[0]


@pytest.mark.req("P-1")
def test_each_side_sees_only_its_items_in_the_list_and_the_export(rect, estate_b_item):
    x_team = rect.walk(rect.item(location="主卧"), "team_fixing")
    x_review = rect.walk(rect.item(location="客厅"), "dev_review")
    ours = rect.item(location="阳台")
    routing.escalate(actor=rect.world.users["handler_b"], item=estate_b_item.pk)  # to developer Y
    expected = {
        "handler_a": {x_team.number, x_review.number, ours.number},
        "dev_x": {x_team.number, x_review.number},
        "team_x": {x_team.number},
        "dev_y": {estate_b_item.number},
        "team_y": set(),
        "handler_b": {estate_b_item.number},
    }
    for persona, numbers in expected.items():
        client = _client(rect, persona)
        assert _numbers(client.get(reverse(LIST))) == numbers, persona
        cells = _book(client.get(reverse("rectification:item_export")))
        assert {c for c in cells if c.startswith("ZX")} == numbers, persona


@pytest.mark.req("R-3")
def test_the_list_filters_by_status_overdue_text_report_and_round(rect, estate_b_item):
    late = _overdue(rect.walk(rect.item(location="主卧"), "team_fixing"))
    review = rect.walk(rect.item(location="客厅"), "dev_review")
    kitchen = rect.item(location="厨房", category="plumbing")
    client = _client(rect, "handler_a")
    assert _numbers(client.get(reverse(LIST), {"status": "dev_review"})) == {review.number}
    assert _numbers(client.get(reverse(LIST), {"overdue": "1"})) == {late.number}
    assert _numbers(client.get(reverse(LIST), {"q": "厨房"})) == {kitchen.number}
    assert _numbers(client.get(reverse(LIST), {"q": kitchen.number.lower()})) == {kitchen.number}
    assert _numbers(client.get(reverse(LIST), {"category": "plumbing"})) == {kitchen.number}
    assert _numbers(client.get(reverse(LIST), {"team": rect.team_x.pk})) == {late.number}
    assert _numbers(client.get(reverse(LIST), {"round": "2"})) == set()
    assert len(_numbers(client.get(reverse(LIST), {"report": rect.report.pk}))) == 3
    # Estate B's report, named by id, finds nothing for estate A's handler.
    assert _numbers(client.get(reverse(LIST), {"report": estate_b_item.report_id})) == set()
    # A value not offered is dropped with a note, never an error.
    response = client.get(reverse(LIST), {"status": "nonsense", "estate": rect.world.estate_b.pk})
    assert len(_numbers(response)) == 3
    assert len(response.context["filters"].notes) == 2


@pytest.mark.req("R-3")
def test_the_developer_sees_overdue_first_then_by_completion_date(rect):
    soon = rect.walk(rect.item(location="主卧"), "team_fixing")
    later = rect.walk(rect.item(location="客厅"), "team_fixing")
    Item.objects.filter(pk=later.pk).update(due_date=company_today() + timedelta(days=20))
    late = _overdue(rect.walk(rect.item(location="厨房"), "team_fixing"))
    page = _client(rect, "dev_x").get(reverse(LIST))
    assert [i.number for i in page.context["page"].object_list] == [late.number, soon.number, later.number]


@pytest.mark.req("R-3")
def test_a_bulk_decision_does_each_item_and_names_the_refused_one(rect, estate_b_item):
    first, second = rect.item(location="主卧"), rect.item(location="客厅")
    refused = rect.walk(rect.item(location="厨房"), "dev_review")  # already decided
    engineering = Department.objects.get(kind="engineering")
    due = company_today() + timedelta(days=5)
    client = _client(rect, "handler_a")
    response = client.post(
        reverse("rectification:item_bulk"),
        {
            "action": "decide",
            "ids": [first.pk, second.pk, refused.pk, estate_b_item.pk],
            "route": "property",
            "department": engineering.pk,
            "due_date": due.isoformat(),
            "next": reverse(LIST) + "?status=reported",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(LIST) + "?status=reported"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[0] == "Done: 2 items."
    assert any(refused.number in t for t in texts[1:])
    assert any(f"No. {estate_b_item.pk}" in t for t in texts[1:])  # out of scope: not found, untouched
    for item in (first, second):
        item.refresh_from_db()
        assert (item.status, item.department, item.due_date) == ("prop_fixing", engineering, due)
    estate_b_item.refresh_from_db()
    assert estate_b_item.status == "reported"


@pytest.mark.req("R-3")
def test_a_bulk_decision_without_a_date_is_422_keeps_the_ticks_and_does_nothing(rect):
    first, second = rect.item(location="主卧"), rect.item(location="客厅")
    engineering = Department.objects.get(kind="engineering")
    client = _client(rect, "handler_a", "zh-hans")
    response = client.post(
        reverse("rectification:item_bulk"),
        {
            "action": "decide",
            "ids": [first.pk, second.pk],
            "route": "property",
            "department": engineering.pk,
            "note": "请尽快处理",
            "next": reverse(LIST) + "?category=walls",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请尽快处理" in html
    assert response.context["ticked"] == {first.pk, second.pk}
    assert response.context["f"] == {"category": "walls"}
    assert set(Item.objects.values_list("status", flat=True)) == {"reported"}


@pytest.mark.req("R-3")
def test_the_developer_plans_many_and_the_property_company_notifies_many(rect):
    one, two = (rect.walk(rect.item(location=loc), "dev_review") for loc in ("主卧", "客厅"))
    due = company_today() + timedelta(days=10)
    dev = _client(rect, "dev_x")
    response = dev.post(
        reverse("rectification:item_bulk"),
        {
            "action": "plan",
            "ids": [one.pk, two.pk],
            "measure": "重新批荡",
            "due_date": due.isoformat(),
            "team": rect.team_x.pk,
        },
    )
    assert response.status_code == 302
    assert set(Item.objects.values_list("status", "team_id", "due_date")) == {
        ("team_fixing", rect.team_x.pk, due)
    }
    # The developer may not decide for the property company, nor the team plan.
    assert (
        dev.post(reverse("rectification:item_bulk"), {"action": "decide", "ids": [one.pk]}).status_code == 302
    )
    assert (
        _client(rect, "team_x").post(reverse("rectification:item_bulk"), {"action": "plan"}).status_code
        == 403
    )
    for item in (one, two):
        rect.walk(item, "to_notify")
    response = _client(rect, "handler_a").post(
        reverse("rectification:item_bulk"), {"action": "notify", "ids": [one.pk, two.pk]}
    )
    assert response.status_code == 302
    assert set(Item.objects.values_list("status", flat=True)) == {"res_check"}


@pytest.mark.req("D-3")
def test_the_export_has_no_resident_phone_or_name_and_the_signer_masked(rect):
    item = rect.walk(rect.item(), "res_check")
    rounds.record_paper_acceptance(
        actor=rect.world.users["handler_a"], item=item.pk, scan=photo(), signed_name="王小明"
    )
    response = _client(rect, "handler_a").get(reverse("rectification:item_export"))
    assert response.status_code == 200
    cells = _book(response)
    text = " ".join(cells)
    assert item.number in cells
    assert "13812341234" not in text and "王小明" not in text
    assert "王*明" in cells


@pytest.mark.req("R-3")
def test_a_page_costs_the_same_queries_whatever_the_number_of_items(rect):
    def count(persona: str) -> int:
        client = _client(rect, persona)
        client.get(reverse(LIST))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(LIST)).status_code == 200
        return len(captured)

    rect.walk(rect.item(), "team_fixing")
    few = {p: count(p) for p in ("handler_a", "dev_x", "team_x")}
    for n in range(6):
        rect.walk(rect.item(location=f"房间{n}", unit=None if n % 2 else rect.world.unit_a), "team_fixing")
    assert {p: count(p) for p in ("handler_a", "dev_x", "team_x")} == few


@pytest.mark.req("R-3")
def test_the_item_list_in_chinese_shows_no_english(rect):
    rect.walk(rect.item(), "team_fixing")
    _overdue(rect.walk(rect.item(location="客厅"), "team_fixing"))
    rect.item(unit=None, category="public_areas", location="大堂")
    for persona in ("handler_a", "dev_x", "team_x"):
        response = _client(rect, persona, "zh-hans").get(
            reverse(LIST), {"status": "9", "report": rect.report.pk}
        )
        assert response.status_code == 200
        assert leftovers(response.content.decode()) == [], persona
    # The page shown again after a refused bulk form, with its errors.
    response = _client(rect, "handler_a", "zh-hans").post(
        reverse("rectification:item_bulk"),
        {"action": "decide", "ids": [Item.objects.first().pk], "route": "property"},
    )
    assert response.status_code == 422
    assert leftovers(response.content.decode()) == []
