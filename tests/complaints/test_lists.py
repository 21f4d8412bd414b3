"""Complaint lists: "My work", the department list, its filters and its Excel export (SPEC K-5, A-3, P-1, D-3)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from estatedesk.complaints import services
from estatedesk.complaints.models import Complaint
from estatedesk.complaints.views.lists import Clock, export_rows
from tests.complaints.api_client import Api, ok
from tests.complaints.conftest import SHANGHAI, category, record

LIST = reverse("complaints:list")
MINE = reverse("complaints:mine")
EXPORT = reverse("complaints:export")
NUMBER = re.compile(r"TS-\d{4}-\d{6}")


def client_for(world: Any, persona: str):
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def listed(client, url: str = LIST, **params: Any) -> set[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    return set(NUMBER.findall(response.content.decode()))


def sheet(response) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def mix(world) -> dict[str, Complaint]:
    """Complaints of both estates that differ in one property each."""
    handler_a = world.users["handler_a"]
    new = record(world, description="3栋电梯停运两天")
    enquiry = record(
        world,
        kind="enquiry",
        category=category("cleaning"),
        description="垃圾桶清理时间",
        customer=None,
        complainant_name="陈阿姨",
        phone="13900001111",
        received_at=timezone.now() - timedelta(days=10),
    )
    valid = record(world, description="地下车库照明不足", category=category("security"))
    services.assess(actor=handler_a, complaint=valid, cause="management", serious=False, urgent=False)
    unfounded = record(world, description="邻居装修噪音", category=category("other"))
    services.assess(actor=handler_a, complaint=unfounded, cause="unfounded", serious=False, urgent=False)
    grievance = record(
        world,
        kind="grievance",
        description="保安态度冷淡",
        category=category("security"),
        received_at=timezone.now() - timedelta(days=40),
    )
    other_estate = services.record_complaint(
        actor=world.users["handler_b"],
        data=services.Intake(
            estate=world.estate_b,
            kind="complaint",
            channel="phone",
            category=category("cleaning"),
            description="A座大堂地面濕滑",
            unit=world.unit_b,
            customer=world.customer_b,
        ),
    )
    items = {
        "new": new,
        "enquiry": enquiry,
        "valid": valid,
        "unfounded": unfounded,
        "grievance": grievance,
        "b": other_estate,
    }
    for c in items.values():
        c.refresh_from_db()
    return items


def numbers(mix: dict[str, Complaint], *keys: str) -> set[str]:
    return {mix[k].number for k in keys}


ESTATE_A = ("new", "enquiry", "valid", "unfounded", "grievance")


@pytest.mark.req("A-1")
def test_the_department_list_shows_every_column_newest_first(world, mix):
    page = client_for(world, "handler_a").get(LIST).content.decode()
    order = NUMBER.findall(page)
    # newest received first: the 40-day-old grievance last, the 10-day-old enquiry before it
    assert order[-2:] == [mix["enquiry"].number, mix["grievance"].number]
    assert f'href="{reverse("complaints:detail", args=[mix["new"].pk])}"' in page
    for text in ("翠湖花園", "3栋-1201", "Repairs and maintenance", "Complaint", "Waiting for assessment"):
        assert text in page
    assert "handler_a" in page  # the handler set by the assessment


@pytest.mark.req("K-5")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "in_progress"}, ("valid", "unfounded")),
        ({"kind": "enquiry"}, ("enquiry",)),
        ({"kind": "grievance"}, ("grievance",)),
        ({"validity": "valid"}, ("valid",)),
        ({"validity": "invalid"}, ("unfounded",)),
        ({"validity": "undecided"}, ("new", "enquiry", "grievance")),
        ({"q": "车库"}, ("valid",)),
        ({"q": "陈阿姨"}, ("enquiry",)),
        ({"q": "+86 139-0000-1111"}, ("enquiry",)),
    ],
)
def test_each_filter_narrows_the_list(world, mix, params, expected):
    assert listed(client_for(world, "handler_a"), **params) == numbers(mix, *expected)


@pytest.mark.req("K-5")
def test_filters_by_category_number_estate_department_and_dates(world, mix):
    client = client_for(world, "deputy_gm")
    security = category("security").pk
    assert listed(client, category=security) == numbers(mix, "valid", "grievance")
    assert listed(client, q=mix["valid"].number) == numbers(mix, "valid")
    assert listed(client, estate=world.estate_b.pk) == numbers(mix, "b")
    assert listed(client, department=world.office_a.pk) == numbers(mix, *ESTATE_A)
    today = timezone.now().astimezone(SHANGHAI).date()
    week_ago = (today - timedelta(days=7)).isoformat()
    assert listed(client, **{"from": week_ago}) == numbers(mix, "new", "valid", "unfounded", "b")
    assert listed(client, to=week_ago) == numbers(mix, "enquiry", "grievance")
    eleven = (today - timedelta(days=11)).isoformat()
    nine = (today - timedelta(days=9)).isoformat()
    assert listed(client, **{"from": eleven, "to": nine}) == numbers(mix, "enquiry")
    assert listed(client, estate=world.estate_a.pk, kind="grievance") == numbers(mix, "grievance")


def _set_due(complaint: Complaint, due, basis: str = "working") -> None:
    Complaint.objects.filter(pk=complaint.pk).update(reply_due=due, due_basis=basis, replied_at=None)


@pytest.mark.req("K-5")
def test_due_state_filter_and_badges(world, mix):
    now = timezone.now()
    _set_due(mix["new"], now - timedelta(hours=1))  # overdue
    _set_due(mix["valid"], now + timedelta(hours=2))  # due soon (within 4 h)
    _set_due(mix["unfounded"], now + timedelta(days=3))  # due
    _set_due(mix["grievance"], now + timedelta(minutes=20), basis="urgent")  # due soon (urgent, 30 min)
    Complaint.objects.filter(pk=mix["enquiry"].pk).update(reply_due=now + timedelta(days=1), replied_at=now)
    client = client_for(world, "handler_a")
    assert listed(client, due="overdue") == numbers(mix, "new")
    assert listed(client, due="due_soon") == numbers(mix, "valid", "grievance")
    assert listed(client, due="due") == numbers(mix, "unfounded")
    page = client.get(LIST, {"due": "overdue"}).content.decode()
    assert "Overdue" in page and "text-bg-danger" in page
    mine = client.get(MINE).content.decode()
    assert "Overdue" in mine and "Due soon" in mine and "Replied on time" in mine


@pytest.mark.req("K-5")
@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-45"},
        {"to": "yesterday"},
        {"status": "lost"},
        {"estate": "abc"},
        {"due": "soonish"},
        {"category": "99999"},
        {"page": "x"},
    ],
)
def test_bad_filter_values_are_ignored_with_a_note(world, mix, params):
    client = client_for(world, "handler_a")
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert set(NUMBER.findall(response.content.decode())) == numbers(mix, *ESTATE_A)
    if "page" not in params:
        value = next(iter(params.values()))
        assert "filter-note" in response.content.decode()
        assert value in response.content.decode()
    assert client.get(EXPORT, params).status_code == 200


@pytest.mark.req("P-1")
def test_another_estates_handler_sees_none_of_its_complaints(world, mix):
    client = client_for(world, "handler_b")
    assert listed(client) == numbers(mix, "b")
    assert listed(client, estate=world.estate_a.pk) == numbers(mix, "b")  # not a choice: ignored
    assert listed(client, q="13812341234") == set()
    assert listed(client, MINE) == numbers(mix, "b")
    rows = sheet(client.get(EXPORT))
    assert [row[0] for row in rows[1:]] == [mix["b"].number]
    assert "翠湖花園" not in str(rows)


@pytest.mark.req("D-3")
def test_the_export_masks_phones_and_keeps_the_filters(world, mix):
    rows = sheet(client_for(world, "handler_a").get(EXPORT))
    header, body = rows[0], rows[1:]
    assert {row[0] for row in body} == numbers(mix, *ESTATE_A)
    phone = header.index("Contact phone")
    name = header.index("Complainant")
    by_number = {row[0]: row for row in body}
    assert by_number[mix["new"].number][phone] == "138****1234"
    assert by_number[mix["new"].number][name] == "王小明"
    assert "13812341234" not in str(rows) and "13900001111" not in str(rows)
    assert "Reply due" in header and "Deadline" in header
    assert by_number[mix["new"].number][header.index("Reply due")]  # the deadline is filled in

    only_enquiries = sheet(client_for(world, "handler_a").get(EXPORT, {"kind": "enquiry"}))
    assert [row[0] for row in only_enquiries[1:]] == [mix["enquiry"].number]


@pytest.mark.req("D-3")
def test_auditors_get_masked_names_in_the_export(world, mix):
    rows = sheet(client_for(world, "auditor").get(EXPORT))
    name = rows[0].index("Complainant")
    names = {row[name] for row in rows[1:]}
    assert "王*明" in names and "王小明" not in names


@pytest.mark.req("A-3")
def test_a_capped_export_says_so_in_a_last_row(world, mix):
    queryset = Complaint.objects.select_related(
        "estate", "category", "department", "handler", "unit__building"
    )
    rows = list(export_rows(queryset.order_by("-received_at", "-id"), Clock.load(), see_names=True, limit=2))
    assert len(rows) == 3
    assert [NUMBER.fullmatch(row[0]) is not None for row in rows] == [True, True, False]
    assert len(rows[-1]) == 1 and "2" in rows[-1][0]  # the note, in whatever language
    assert len(list(export_rows(queryset, Clock.load(), see_names=True, limit=10))) == 6


@pytest.mark.req("K-5")
def test_my_work_lists_my_open_complaints_soonest_due_first(world, mix):
    handler_a = world.users["handler_a"].staff
    engineering_case = record(world, description="消防栓漏水")
    services.assign(
        actor=world.users["office_head_a"],
        complaint=engineering_case,
        department=world.engineering,
        handler=world.users["department_head"].staff,
    )
    handler = world.users["handler_a"]
    services.reply(
        actor=handler, complaint=mix["unfounded"], content="已向业主解释噪音属邻里事务", manner="oral"
    )
    services.close(actor=handler, complaint=mix["unfounded"])
    now = timezone.now()
    _set_due(mix["valid"], now + timedelta(hours=1))
    _set_due(mix["new"], now + timedelta(days=2))
    _set_due(mix["grievance"], now + timedelta(days=5))
    _set_due(mix["enquiry"], None)
    response = client_for(world, "handler_a").get(MINE)
    # each complaint shows twice: in the table (desk) and then as a card (phone)
    order = list(dict.fromkeys(NUMBER.findall(response.content.decode())))
    # mine (valid, handled by me) and my office's unassigned ones; not the closed, not engineering's
    assert set(order) == numbers(mix, "new", "enquiry", "valid", "grievance")
    assert order == [mix[k].number for k in ("valid", "new", "grievance", "enquiry")]  # no deadline: last
    assert Complaint.objects.get(pk=mix["valid"].pk).handler == handler_a


@pytest.mark.req("A-1")
def test_home_panels_show_live_complaints_within_scope(world, mix):
    _set_due(mix["new"], timezone.now() - timedelta(minutes=5))
    home_a = client_for(world, "handler_a").get(reverse("home")).content.decode()
    assert mix["new"].number in home_a and "Overdue" in home_a
    home_b = client_for(world, "handler_b").get(reverse("home")).content.decode()
    assert mix["new"].number not in home_b
    duty = client_for(world, "colleague_a").get(reverse("home")).content.decode()
    assert reverse("complaints:intake") in duty


def _many(world, count: int) -> None:
    handler = world.users["handler_a"]
    for index in range(count):
        c = record(world, description=f"第{index}号投诉", complainant_name=f"业主{index}")
        if index % 2:
            services.assess(
                actor=handler, complaint=c, cause="management", serious=False, urgent=index % 4 == 1
            )


@pytest.mark.req("K-5")
@pytest.mark.parametrize("count", [5, 60])
def test_list_queries_do_not_grow_with_rows(world, count, django_assert_max_num_queries):
    _many(world, count)
    client = client_for(world, "handler_a")
    client.get(LIST)  # warm the session and caches, as a second page view would be
    # The list: session, user with staff row, company settings, the scope (one UNION ALL), the
    # filters' estates, departments (also the bulk bar's) and categories, the capped count,
    # the page's ids, its rows, the unread messages (decision 0060).
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"validity": "valid", "q": "投诉"})
    assert response.status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(LIST, {"page": 2}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(MINE).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(EXPORT).status_code == 200
    # The handler's home page: eight panels (work, deadlines, department, surveys, notices needing
    # action, overdue follow-ups, open property incidents, overdue rectification items), each a
    # fixed few queries.
    with django_assert_max_num_queries(26):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.req("A-1")
def test_a_whole_complaint_number_finds_exactly_that_complaint(world):
    from tests.complaints.conftest import record

    first = record(world)
    record(world)
    page = (
        world.client("handler_a")
        .get(reverse("complaints:list"), {"q": first.number.lower()})
        .content.decode()
    )
    assert first.number in page and first.number.replace("000001", "000002") not in page


@pytest.fixture
def crossing(world) -> dict[str, Complaint]:
    """In progress and overdue: one complaint per (estate, department) pair around the
    department head, whose scope is estate A or the engineering department (decision 0065
    writes an open status and the due filter into each half of that "or"); and a closed one."""
    placed = {
        "a_office": (world.estate_a, world.office_a),
        "a_engineering": (world.estate_a, world.engineering),  # in both halves: listed once
        "b_engineering": (world.estate_b, world.engineering),
        "b_office": (world.estate_b, world.office_b),  # in neither half
        "closed": (world.estate_a, world.engineering),
    }
    made = {}
    for key, (estate, department) in placed.items():
        in_a = estate == world.estate_a
        made[key] = record(
            world,
            "handler_a" if in_a else "handler_b",
            estate=estate,
            unit=world.unit_a if in_a else world.unit_b,
            customer=world.customer_a if in_a else world.customer_b,
        )
        Complaint.objects.filter(pk=made[key].pk).update(
            status="closed" if key == "closed" else "in_progress",
            department=department,
            reply_due=timezone.now() - timedelta(hours=1),
        )
    return made


OPEN_FILTERS = [{"status": "in_progress"}, {"due": "overdue"}, {"status": "in_progress", "due": "overdue"}]


@pytest.mark.req("P-1")
@pytest.mark.parametrize("params", OPEN_FILTERS)
def test_open_filters_keep_the_scope_of_estates_or_departments(world, crossing, params):
    def numbers_of(*keys: str) -> set[str]:
        return {crossing[key].number for key in keys}

    head = client_for(world, "department_head")
    assert listed(head, **params) == numbers_of("a_office", "a_engineering", "b_engineering")
    rows = sheet(head.get(EXPORT, params))
    assert sorted(row[0] for row in rows[1:]) == sorted(
        numbers_of("a_office", "a_engineering", "b_engineering")
    )
    assert listed(client_for(world, "handler_b"), **params) == numbers_of("b_engineering", "b_office")
    everyone = numbers_of("a_office", "a_engineering", "b_engineering", "b_office")
    assert listed(client_for(world, "deputy_gm"), **params) == everyone
    assert listed(head, status="closed") == numbers_of("closed")
    api_params = {{"due": "due_state"}.get(key, key): value for key, value in params.items()}
    page = ok(Api(world.users["department_head"]).get("/complaints", **api_params))
    assert page["count"] == 3
    assert sorted(item["number"] for item in page["items"]) == sorted(
        numbers_of("a_office", "a_engineering", "b_engineering")
    )


@pytest.mark.req("P-1")
def test_open_status_pages_keep_newest_first_across_both_halves(world, crossing):
    """Past one page: the ids read from the scope's halves apart (decision 0065) page through
    the same rows in the same order as the whole list, none twice and none out of scope."""
    now = timezone.now()
    halves = [
        (world.estate_a, world.office_a),
        (world.estate_b, world.engineering),
        (world.estate_a, world.engineering),
    ]
    for index in range(57):
        estate, department = halves[index % 3]
        in_a = estate == world.estate_a
        c = record(
            world,
            "handler_a" if in_a else "handler_b",
            estate=estate,
            unit=world.unit_a if in_a else world.unit_b,
            customer=world.customer_a if in_a else world.customer_b,
        )
        # Two by two at the same moment: the order falls back on the id, newest first.
        Complaint.objects.filter(pk=c.pk).update(
            status="in_progress", department=department, received_at=now - timedelta(minutes=index // 2)
        )
    expected = list(
        Complaint.objects.filter(status="in_progress")
        .exclude(estate=world.estate_b, department=world.office_b)
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)
    )
    assert len(expected) == 60
    head = client_for(world, "department_head")
    shown = []
    for page in (1, 2):
        response = head.get(LIST, {"status": "in_progress", "page": page})
        assert response.status_code == 200
        shown += list(dict.fromkeys(NUMBER.findall(response.content.decode())))
    assert shown == expected
