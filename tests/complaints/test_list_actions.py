"""Lists at a desk and on a phone: what each complaint is about, "take it" (接手), bulk forward and
bulk close through the services, the forward form's handler list, and page-number jumps
(SPEC A-1, K-2, P-1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from estatedesk.complaints import batch, services
from estatedesk.complaints.models import Complaint, Status
from estatedesk.complaints.views import lists
from estatedesk.org.models import Department, Developer
from tests.complaints.conftest import category, record

LIST = reverse("complaints:list")
MINE = reverse("complaints:mine")
BULK = reverse("complaints:bulk")
HANDLERS = reverse("complaints:forward_handlers")


def english(world: Any, persona: str):
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_related("handler", "department").get(pk=complaint.pk)


# --- What it is about, on a desk and on a phone ----------------------------------------------------


@pytest.mark.req("A-1")
def test_lists_show_what_each_complaint_is_about_escaped_and_cut_short(world):
    long = record(
        world,
        description="地下车库B区的照明灯已经坏了整整两个星期，晚上取车非常危险，业主多次反映仍未处理，请尽快安排维修",
    )
    tagged = record(world, description="<b>门禁</b>卡失灵", category=category("security"))
    page = english(world, "handler_a").get(LIST).content.decode()
    assert "地下车库B区的照明灯已经坏了整整两个星期" in page
    assert "请尽快安排维修" not in page  # cut after about 40 characters …
    assert "…" in page
    assert "&lt;b&gt;门禁&lt;/b&gt;卡失灵" in page and "<b>门禁</b>" not in page  # … and escaped
    assert "Security" in page  # with its category
    # On a phone: one card per complaint with number, summary, status and deadline.
    cards = page[page.index('class="list-unstyled d-md-none complaint-cards') :]
    for complaint in (long, tagged):
        start = cards.index(f'id="card-{complaint.pk}"')
        card = cards[start : cards.index("</li>", start)]
        assert complaint.number in card
        assert "Waiting for assessment" in card
        assert "due-badge" in card


# --- Take it (接手) -------------------------------------------------------------------------


@pytest.mark.req("A-1")
def test_take_it_from_the_list_makes_me_the_handler(world, complaint):
    client = english(world, "handler_a")
    mine = client.get(MINE).content.decode()
    assert f'name="take_one" value="{complaint.pk}"' in mine
    response = client.post(BULK, {"take_one": complaint.pk, "next": MINE})
    assert response.status_code == 302 and response["Location"] == MINE
    c = fresh(complaint)
    assert c.handler == world.users["handler_a"].staff
    assert c.department == world.office_a  # the complaint's own department
    [event] = [e for e in c.events.all() if e.action == "assign"]  # through the assign service
    assert "handler_a" in event.note and "翠湖花園管理處" in event.note  # taken by, for the department
    assert said(response) == [f"Taken, you are the handler: {c.number}."]
    assert f'name="take_one" value="{complaint.pk}"' not in client.get(MINE).content.decode()


@pytest.mark.req("A-1")
def test_take_it_is_refused_once_someone_has_it(world, complaint):
    batch.take(actor=world.users["office_head_a"], complaint=complaint.pk)
    response = english(world, "handler_a").post(BULK, {"take_one": complaint.pk})
    assert said(response) == [f"Not done: {complaint.number} has already been taken by office_head_a."]
    assert fresh(complaint).handler == world.users["office_head_a"].staff


@pytest.mark.req("P-1")
def test_take_it_is_refused_outside_my_department_and_my_scope(world, complaint):
    services.assign(actor=world.users["office_head_a"], complaint=complaint, department=world.engineering)
    other = services.record_complaint(
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
    client = english(world, "handler_a")
    assert f'name="take_one" value="{complaint.pk}"' not in client.get(LIST).content.decode()
    response = client.post(BULK, {"action": "take", "ids": [complaint.pk, other.pk]})
    assert said(response) == [
        f"Not done: {complaint.number} is with 工程部, which you do not belong to: forward it instead.",
        f"No. {other.pk} not done: Not found, or not yours to see.",
    ]
    assert fresh(complaint).handler is None and fresh(other).handler is None
    assert other.number not in " ".join(said(response))  # nothing about another estate's complaint


@pytest.mark.req("A-1")
def test_take_it_on_the_complaint_page(world, complaint):
    client = english(world, "handler_a")
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="step-take"' in page
    take = reverse("complaints:act_take", args=[complaint.pk])
    response = client.post(take)
    assert response.status_code == 302
    assert said(response) == ["Taken: you are its handler now."]
    assert fresh(complaint).handler == world.users["handler_a"].staff
    again = client.post(take)
    assert again.status_code == 409
    assert f"{complaint.number} is already yours." in again.content.decode()


@pytest.mark.req("A-1")
def test_nobody_is_told_about_their_own_take(world, complaint):
    from estatedesk.notifications.models import Message

    before = Message.objects.filter(user=world.users["handler_a"]).count()
    batch.take(actor=world.users["handler_a"], complaint=complaint.pk)
    assert Message.objects.filter(user=world.users["handler_a"]).count() == before


# --- Bulk forward and bulk close ---------------------------------------------------------------


@pytest.mark.req("A-1")
def test_bulk_forward_goes_through_the_service_for_each_and_explains_each_refusal(world):
    first, second = record(world), record(world)
    done = record(world, kind="enquiry")
    handler = world.users["handler_a"]
    services.reply(actor=handler, complaint=done, content="已答复", manner="oral")
    services.close(actor=handler, complaint=done)
    missing = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    response = english(world, "handler_a").post(
        BULK,
        {
            "action": "assign",
            "ids": [first.pk, second.pk, done.pk, missing, "x"],
            "department": world.engineering.pk,
            "handler": world.users["department_head"].staff.pk,
            "next": f"{LIST}?status=new",
        },
    )
    assert response["Location"] == f"{LIST}?status=new"
    messages = said(response)
    assert messages[0] == f"Forwarded to 工程部: {first.number}, {second.number}."
    assert messages[1].startswith(f"Not done: {done.number} has already been handled by someone else")
    assert messages[2] == f"No. {missing} not done: Not found, or not yours to see."
    for c in (first, second):
        assert (fresh(c).department, fresh(c).handler) == (
            world.engineering,
            world.users["department_head"].staff,
        )
    assert fresh(done).department == world.office_a


@pytest.mark.req("K-2")
def test_bulk_forward_refuses_a_handler_from_another_department(world, complaint):
    response = english(world, "handler_a").post(
        BULK,
        {
            "action": "assign",
            "ids": [complaint.pk],
            "department": world.engineering.pk,
            "handler": world.users["handler_a"].staff.pk,
        },
    )
    assert said(response) == [f"{complaint.number} not done: This person is not in the chosen department."]
    assert fresh(complaint).department == world.office_a


@pytest.mark.req("A-1")
def test_bulk_close_closes_what_the_workflow_allows_and_says_why_not_for_the_rest(world):
    handler = world.users["handler_a"]
    unfounded, valid, new = record(world), record(world), record(world)
    services.assess(actor=handler, complaint=unfounded, cause="unfounded", serious=False, urgent=False)
    services.reply(actor=handler, complaint=unfounded, content="已向业主解释", manner="oral")
    services.assess(actor=handler, complaint=valid, cause="management", serious=False, urgent=False)
    services.reply(actor=handler, complaint=valid, content="已安排维修", manner="oral")
    response = english(world, "handler_a").post(
        BULK, {"action": "close", "ids": [unfounded.pk, valid.pk, new.pk], "note": "批量结案"}
    )
    messages = said(response)
    assert messages[0] == f"Closed: {unfounded.number}."
    assert messages[1] == (
        f"{valid.number} not done: A valid complaint is closed by a follow-up visit with a satisfied customer."
    )
    assert messages[2].startswith(f'Not done: Not possible now: "Close" needs {new.number} to be')
    assert [fresh(c).status for c in (unfounded, valid, new)] == [Status.CLOSED, Status.REPLIED, Status.NEW]


@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["colleague_a", "auditor"])
def test_bulk_actions_need_a_handling_role(world, complaint, persona):
    response = world.client(persona).post(BULK, {"take_one": complaint.pk})
    assert response.status_code == 403
    assert fresh(complaint).handler is None
    assert "bulk-form" not in world.client(persona).get(LIST).content.decode()


@pytest.mark.req("A-1")
def test_bulk_without_a_choice_changes_nothing_and_says_so(world, complaint):
    def post(data: dict[str, Any]):
        return english(world, "handler_a").post(BULK, data)  # a new session: only this answer's messages

    assert said(post({"action": "", "ids": [complaint.pk]})) == [
        "Choose what to do with the ticked complaints."
    ]
    assert said(post({"action": "take"})) == ["Tick the complaints to act on first."]
    assert said(post({"action": "assign", "ids": [complaint.pk]}))[0].startswith("Nothing was forwarded:")
    assert post({"action": "take", "next": "https://example.com/"})["Location"] == LIST
    assert fresh(complaint).handler is None


# --- The forward form's handler list ---------------------------------------------------------------


def _options(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.req("K-2")
def test_choosing_a_department_narrows_the_handlers_to_its_staff(world, complaint):
    client = english(world, "handler_a")
    engineering = _options(client.get(HANDLERS, {"department": world.engineering.pk}))
    assert f'value="{world.users["department_head"].staff.pk}"' in engineering
    assert "handler_a" not in engineering and "office_head_a" not in engineering
    office = _options(client.get(HANDLERS, {"department": world.office_a.pk}))
    assert "handler_a" in office and "office_head_a" in office and "department_head" not in office
    # The page's forward form asks for it, and starts with the complaint's department's people
    # (the step opened: its fields come when it is, decision 0061).
    page = client.get(reverse("complaints:detail", args=[complaint.pk]) + "?step=assign").content.decode()
    assert f'hx-get="{HANDLERS}"' in page and 'hx-target="#id_assign_handler"' in page
    form = page[page.index('id="id_assign_handler"') :][:1500]
    assert "handler_a" in form and "department_head" not in form


@pytest.mark.req("P-1")
def test_the_handler_list_refuses_a_department_outside_scope(world):
    developer = Developer.objects.create(name="安居置業")
    developer_cs = Department.objects.create(name="置業客服部", kind="developer_cs", developer=developer)
    client = english(world, "handler_a")
    assert client.get(HANDLERS, {"department": world.office_b.pk}).status_code == 404
    assert client.get(HANDLERS, {"department": developer_cs.pk}).status_code == 404
    assert client.get(HANDLERS, {"department": "x"}).status_code == 200  # nothing chosen: no names
    assert world.client("colleague_a").get(HANDLERS, {"department": world.office_a.pk}).status_code == 403


@pytest.mark.req("K-2")
def test_the_server_still_checks_the_forwarded_pair(world, complaint):
    client = english(world, "handler_a")
    response = client.post(
        reverse("complaints:act_assign", args=[complaint.pk]),
        {"department": world.engineering.pk, "handler": world.users["handler_a"].staff.pk},
    )
    assert response.status_code == 422
    assert "This person is not in the chosen department." in response.content.decode()
    assert fresh(complaint).department == world.office_a


# --- Page-number jumps ---------------------------------------------------------------------------


@pytest.mark.req("A-1")
def test_the_pager_links_page_numbers_and_jumps_to_a_typed_page(world, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 1)
    made = [record(world, description=f"第{n}号") for n in range(11)]
    client = english(world, "handler_a")
    page = client.get(LIST, {"q": "号", "page": 6}).content.decode()
    pager = page[page.index('id="pager-pages"') :]
    linked = re.findall(r'href="\?q=%E5%8F%B7&(?:amp;)?page=(\d+)"', pager)
    assert linked == ["5", "1", "4", "5", "7", "8", "11", "7"]  # ‹ previous, 1 … 4 5 [6] 7 8 … 11, next ›
    assert '<li class="page-item active" aria-current="page"><span class="page-link">6' in pager
    assert pager.count("…") == 2
    jump = pager[pager.index('id="pager-jump"') :]
    assert '<input type="hidden" name="q" value="号">' in jump
    assert 'name="page" min="1" max="11"' in jump
    eighth = client.get(LIST, {"q": "号", "page": "8"}).content.decode()
    assert made[3].number in eighth  # newest first: page 8 of 11 is the fourth recorded
