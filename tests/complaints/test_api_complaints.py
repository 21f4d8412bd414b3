"""SPEC A-2: complaints over the REST API, with the web interface's rules: scope (P-1),
masking (D-3), the deadline rule (K-5) and the workflow (K-1 … K-10). Slips and notices:
``test_api_papers``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estatedesk.complaints import services
from estatedesk.complaints.models import Complaint, WorkNotice
from estatedesk.org.models import Developer
from tests.complaints.api_client import Api, error, ok
from tests.complaints.conftest import at, category, record

pytestmark = pytest.mark.req("A-2")


@pytest.fixture
def api(world: Any) -> Any:
    return lambda persona: Api(world.users[persona])


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def intake(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "estate": world.estate_a.pk,
        "channel": "phone",
        "category": "repairs",
        "description": "3栋电梯停运两天",
        "unit_label": "3栋-1201",
        "customer": world.customer_a.pk,
    }
    data.update(overrides)
    return data


# --- Intake and the deadline (K-1, K-5) ----------------------------------------------------


@pytest.mark.req("K-1")
@pytest.mark.req("K-5")
def test_a_back_dated_complaint_gets_its_deadline_from_the_time_it_was_received(world, api):
    with time_machine.travel(at(2026, 11, 23, 11, 15), tick=False):
        body = ok(
            api("colleague_a").post("/complaints", intake(world, received_at="2026-11-23T10:00:00+08:00")),
            201,
        )
    assert re.fullmatch(r"TS-2026-\d{6}", body["number"])
    assert body["status"] == "new"
    assert moment(body["received_at"]) == at(2026, 11, 23, 10, 0)
    # Not urgent: two working days, the day of receipt not counted, ending when office hours end.
    assert moment(body["reply_due"]) == at(2026, 11, 25, 17, 30)
    assert body["reply_due"].endswith("+08:00")
    assert body["due_basis"] == "normal"
    assert (body["unit"], body["unit_label"]) == (world.unit_a.pk, "3栋-1201")
    assert body["complainant_name"] == "王小明"
    assert body["phone_masked"] == "138****1234"
    assert body["events"][0]["action"] == "record"

    # The handler finds it urgent: two clock hours from receipt.
    with time_machine.travel(at(2026, 11, 23, 11, 20), tick=False):
        body = ok(
            api("handler_a").post(
                f"/complaints/{body['number']}/assess", {"cause": "maintenance", "urgent": True}
            )
        )
    assert moment(body["reply_due"]) == at(2026, 11, 23, 12, 0)
    assert body["assessment"]["valid"] is True and body["due_basis"] == "urgent"
    assert body["due_state"] == "due"


@pytest.mark.req("K-5")
def test_a_requested_reply_time_becomes_the_deadline(world, api):
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        body = ok(
            api("handler_a").post(
                "/complaints", intake(world, requested_reply_at="2026-11-24T09:00:00+08:00")
            ),
            201,
        )
        assert moment(body["reply_due"]) == at(2026, 11, 24, 9, 0)
        changed = ok(
            api("handler_a").post(
                f"/complaints/{body['number']}/request", {"requested_reply_at": "2026-11-26T15:00:00+08:00"}
            )
        )
    assert moment(changed["reply_due"]) == at(2026, 11, 26, 15, 0)
    assert changed["due_basis"] == "requested"


@pytest.mark.req("K-1")
def test_duty_staff_answering_at_once_record_the_reply_with_the_complaint(world, api):
    body = ok(
        api("colleague_a").post(
            "/complaints",
            intake(world, kind="enquiry", immediate_reply="物业费可在管理处或微信缴纳", reply_manner="oral"),
        ),
        201,
    )
    assert (body["status"], body["reply"]["at_intake"], body["reply"]["on_time"]) == ("replied", True, True)
    assert body["reply"]["content"] == "物业费可在管理处或微信缴纳"
    # Complaints to the media or the government are entered by company leadership (K-2).
    refused = error(
        api("handler_a").post("/complaints", intake(world, channel="media")), 403, "permission_denied"
    )
    assert "leadership" in refused["detail"]
    assert ok(api("deputy_gm").post("/complaints", intake(world, channel="media")), 201)["channel"] == "media"


@pytest.mark.req("K-1")
@pytest.mark.req("A-1")
@pytest.mark.parametrize("answered", [False, True])
def test_create_answers_the_record_as_reading_it_back_does_in_a_fixed_few_statements(
    world, api, answered, django_assert_max_num_queries
):
    """Intake's answer is built from what intake saved, not read back (decision 0058), with
    the settings and timeline intake read and wrote (decision 0062): the same fields and
    values as GET, in at most 18 statements (it was 41, then 22)."""
    client = api("colleague_a")
    extra = {"immediate_reply": "已安排维修", "reply_manner": "oral"} if answered else {}
    ok(client.post("/complaints", intake(world, **extra)), 201)  # warm the token and the calendar
    with django_assert_max_num_queries(18):
        created = ok(
            client.post("/complaints", intake(world, unit_label="", unit=world.unit_a.pk, **extra)), 201
        )
    assert created == ok(client.get(f"/complaints/{created['number']}"))
    assert [e["action"] for e in created["events"]] == ["record_answered" if answered else "record"]


def test_a_naive_time_is_refused_with_a_message_saying_how_to_write_it(world, api):
    body = error(
        api("handler_a").post("/complaints", intake(world, received_at="2026-11-23T10:00:00")), 422, "invalid"
    )
    assert [e["loc"] for e in body["errors"]] == [["body", "received_at"]]
    assert "UTC offset" in body["errors"][0]["msg"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"category": "no-such"}, ["body", "category"], "category"),
        ({"channel": "pigeon"}, ["body", "channel"], ""),
        ({"unit_label": "9栋-0101"}, ["body", "unit_label"], "no such unit"),
        ({"customer": 999999}, ["body", "customer"], "no such customer"),
        ({"description": "   "}, ["body", "description"], ""),
        ({"estate": "A"}, ["body", "estate"], ""),
        ({"surprise": 1}, ["body", "surprise"], ""),
        # Refused by the intake service itself: its field comes back as the location.
        (
            {"received_at": "2026-11-23T10:00:00+08:00", "requested_reply_at": "2026-11-23T09:00:00+08:00"},
            ["body", "requested_reply_at"],
            "after the time received",
        ),
        ({"phone": "12", "customer": None, "unit_label": None}, ["body", "phone"], "7 to 15 digits"),
    ],
)
def test_bad_intake_data_is_422_at_the_field(world, api, change, loc, words):
    body = error(api("handler_a").post("/complaints", intake(world, **change)), 422, "invalid")
    assert loc in [e["loc"] for e in body["errors"]]
    assert words.lower() in " ".join(e["msg"] for e in body["errors"]).lower()
    assert not Complaint.objects.exists()


@pytest.mark.req("P-1")
def test_a_unit_or_customer_of_another_estate_is_refused(world, api):
    client = api("handler_a")
    assert error(
        client.post("/complaints", intake(world, unit_label=None, unit=world.unit_b.pk)), 422, "invalid"
    )["errors"][0]["loc"] == ["body", "unit"]
    assert error(client.post("/complaints", intake(world, customer=world.customer_b.pk)), 422, "invalid")[
        "errors"
    ][0]["loc"] == ["body", "customer"]
    # Estate B itself is outside handler_a's scope: same answer as an unknown estate.
    assert error(client.post("/complaints", intake(world, estate=world.estate_b.pk)), 422, "invalid")[
        "errors"
    ][0]["loc"] == ["body", "estate"]


# --- Lists ---------------------------------------------------------------------------------


@pytest.mark.req("P-1")
def test_the_list_filters_and_shows_only_the_users_scope(world, api):
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        old = record(world, description="楼道灯不亮")  # will be overdue by the 20th
    with time_machine.travel(at(2026, 11, 19, 9, 0), tick=False):
        assessed = record(world, category=category("cleaning"), description="垃圾没清")
        services.assess(
            actor=world.users["handler_a"],
            complaint=assessed,
            cause="management",
            serious=False,
            urgent=False,
        )
        enquiry = record(world, kind="enquiry", persona="colleague_a", description="停车费怎么交")
        other = record(
            world, persona="handler_b", estate=world.estate_b, unit=world.unit_b, customer=world.customer_b
        )
    client = api("handler_a")
    with time_machine.travel(at(2026, 11, 20, 9, 0), tick=False):
        everything = ok(client.get("/complaints"))
        assert everything["count"] == 3
        assert other.number not in {c["number"] for c in everything["items"]}
        assert [c["number"] for c in everything["items"]][-1] == old.number  # newest first

        def numbers(**filters: Any) -> set[str]:
            return {c["number"] for c in ok(client.get("/complaints", **filters))["items"]}

        assert numbers(category="cleaning") == {assessed.number}
        assert numbers(kind="enquiry") == {enquiry.number}
        assert numbers(status="in_progress") == {assessed.number}
        assert numbers(valid="true") == {assessed.number}
        assert numbers(due_state="overdue") == {old.number}
        assert numbers(due_state="due") == {assessed.number, enquiry.number}
        assert numbers(received_from="2026-11-19", received_to="2026-11-19") == {
            assessed.number,
            enquiry.number,
        }
        assert numbers(received_to="2026-11-02") == {old.number}
        assert numbers(q="楼道") == {old.number}
        assert numbers(q=old.number) == {old.number}
        assert numbers(q="13812341234") == {old.number, assessed.number, enquiry.number}
        assert numbers(handler="me") == {assessed.number}
        assert numbers(estate=world.estate_b.pk) == set()
        overdue = ok(client.get("/complaints", due_state="overdue"))["items"][0]
    assert overdue["due_state"] == "overdue"
    assert overdue["category"] == "repairs" and overdue["unit_label"] == "3栋-1201"
    page = ok(client.get("/complaints", page=2, page_size=2))
    assert (page["count"], len(page["items"])) == (3, 1)
    assert error(client.get("/complaints", received_from="9999-12-31"), 422, "invalid")["errors"][0][
        "loc"
    ] == [
        "query",
        "received_from",
    ]


@pytest.mark.req("D-3")
def test_the_list_costs_the_same_queries_for_5_or_50_rows(world, api, django_assert_max_num_queries):
    for n in range(50):
        record(world, description=f"第{n}号投诉")
    client = api("handler_a")
    client.get("/complaints", page_size=1)  # the token's first use records itself

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(ok(client.get("/complaints", page_size=size))["items"]) == size
        return len(captured)

    assert queries(5) == queries(50)
    # Token, staff row, scope (3), company settings, the channels' names (C-1), count, page; plus
    # the token's "last used" stamp.
    with django_assert_max_num_queries(10):
        client.get("/complaints", page_size=50, due_state="due")


@pytest.mark.req("D-3")
def test_auditors_read_masked_names_and_cannot_write(world, api, complaint):
    auditor = api("auditor")
    row = ok(auditor.get("/complaints"))["items"][0]
    assert (row["complainant_name"], row["phone_masked"]) == ("王*明", "138****1234")
    detail = ok(auditor.get(f"/complaints/{complaint.number}"))
    assert detail["complainant_name"] == "王*明" and detail["allowed_actions"] == []
    # Searching by name would unmask it.
    assert ok(auditor.get("/complaints", q="王小明"))["count"] == 0

    error(auditor.post("/complaints", intake(world)), 403, "permission_denied")
    error(
        auditor.post(f"/complaints/{complaint.number}/assess", {"cause": "management"}),
        403,
        "permission_denied",
    )
    assert Complaint.objects.get().status == "new"
    # Staff who handle complaints see the name; nobody gets the full phone number here.
    handler_row = ok(api("handler_a").get("/complaints"))["items"][0]
    assert (handler_row["complainant_name"], handler_row["phone_masked"]) == ("王小明", "138****1234")


# --- The workflow (K-4, K-6, K-7, K-10) ---------------------------------------------------


@pytest.mark.req("K-4")
@pytest.mark.req("K-10")
def test_a_valid_complaint_goes_through_the_api_to_closed(world, api):
    handler = api("handler_a")
    number = ok(handler.post("/complaints", intake(world)), 201)["number"]
    detail = ok(handler.get(f"/complaints/{number}"))
    offered = {a["action"] for a in detail["allowed_actions"]}
    assert {"assess", "handle", "slip"} <= offered
    assert "reply" not in offered and "close" not in offered  # a complaint is assessed before the reply

    ok(handler.post(f"/complaints/{number}/assess", {"cause": "maintenance", "serious": True}))
    ok(
        handler.post(
            f"/complaints/{number}/handle",
            {"cause_analysis": "控制板老化", "measures": "更换控制板", "version": detail["version"]},
        )
    )
    replied = ok(handler.post(f"/complaints/{number}/reply", {"content": "已安排维修", "manner": "oral"}))
    assert (replied["status"], replied["reply"]["on_time"], replied["due_state"]) == ("replied", True, "met")
    assert "visit" in {a["action"] for a in replied["allowed_actions"]}

    reopened = ok(
        handler.post(
            f"/complaints/{number}/visit",
            {"method": "phone", "opinion": "还是会停", "satisfaction": "dissatisfied"},
        )
    )
    assert (reopened["status"], reopened["closing"]["reopen_count"]) == ("in_progress", 1)
    ok(
        handler.post(
            f"/complaints/{number}/handle", {"measures": "更换整套主机", "version": reopened["version"]}
        )
    )
    ok(handler.post(f"/complaints/{number}/reply", {"content": "主机已更换", "manner": "written"}))
    closed = ok(
        handler.post(
            f"/complaints/{number}/visit",
            {"method": "in_person", "opinion": "满意", "satisfaction": "satisfied"},
        )
    )
    assert closed["status"] == "closed" and closed["closing"]["satisfaction"] == "satisfied"
    assert [v["satisfaction"] for v in closed["visits"]] == ["dissatisfied", "satisfied"]
    assert closed["handling"]["measures"] == "更换整套主机"
    assert closed["assessment"] == closed["assessment"] | {
        "cause": "maintenance",
        "valid": True,
        "serious": True,
    }
    assert closed["allowed_actions"] == []
    actions = [e["action"] for e in closed["events"]]
    assert actions[0] == "record" and actions[-1] == "visit_satisfied" and actions.count("reply") == 2


@pytest.mark.req("K-4")
def test_an_invalid_complaint_is_explained_and_closed(world, api, complaint):
    handler = api("handler_a")
    body = ok(handler.post(f"/complaints/{complaint.number}/assess", {"cause": "unfounded"}))
    assert body["valid"] is False and body["due_basis"] == "invalid"
    ok(
        handler.post(
            f"/complaints/{complaint.number}/reply", {"content": "该问题不属于物业责任", "manner": "oral"}
        )
    )
    assert ok(handler.post(f"/complaints/{complaint.number}/close", {"note": "已解释"}))["status"] == "closed"


@pytest.mark.req("K-6")
def test_a_developer_caused_complaint_is_referred_and_followed_to_its_result(world, api, complaint):
    developer = Developer.objects.create(name="翠湖地产")
    handler = api("handler_a")
    ok(handler.post(f"/complaints/{complaint.number}/assess", {"cause": "developer"}))
    missing = error(
        handler.post(f"/complaints/{complaint.number}/refer", {"party": "翠湖地产客服 李经理"}),
        422,
        "invalid",
    )
    assert missing["errors"][0]["loc"] == ["body", "developer"]
    referred = ok(
        handler.post(
            f"/complaints/{complaint.number}/refer",
            {
                "party": "翠湖地产客服 李经理",
                "developer": developer.pk,
                "referred_at": "2026-11-24T10:00:00+08:00",
            },
        )
    )
    assert referred["status"] == "referred"
    assert referred["referral"]["developer_name"] == "翠湖地产"
    assert moment(referred["referral"]["referred_at"]) == at(2026, 11, 24, 10, 0)
    assert [a["action"] for a in referred["allowed_actions"]].count("referral-result") == 1
    back = ok(
        handler.post(f"/complaints/{complaint.number}/referral-result", {"result": "开发商同意维修外墙"})
    )
    assert back["status"] == "in_progress" and back["referral"]["result"] == "开发商同意维修外墙"
    assert (
        ok(
            handler.post(
                f"/complaints/{complaint.number}/reply", {"content": "开发商将维修", "manner": "oral"}
            )
        )["status"]
        == "replied"
    )


@pytest.mark.req("K-10")
def test_taking_the_same_step_twice_is_a_409_conflict(world, api, complaint):
    handler = api("handler_a")
    ok(handler.post(f"/complaints/{complaint.number}/assess", {"cause": "unfounded"}))
    reply = {"content": "已解释", "manner": "oral"}
    ok(handler.post(f"/complaints/{complaint.number}/reply", reply))
    body = error(handler.post(f"/complaints/{complaint.number}/reply", reply), 409, "conflict")
    assert complaint.number in body["detail"]
    ok(handler.post(f"/complaints/{complaint.number}/close", {}))
    error(handler.post(f"/complaints/{complaint.number}/close", {}), 409, "conflict")


def test_a_step_refused_for_the_records_state_is_422_without_a_body_field(world, api, complaint):
    body = error(
        api("handler_a").post(f"/complaints/{complaint.number}/reply", {"content": "好", "manner": "oral"}),
        422,
        "invalid",
    )
    assert body["errors"] == [{"loc": ["body"], "msg": body["detail"]}]
    assert "Assess" in body["detail"]


# --- Scope (P-1) ---------------------------------------------------------------------------


@pytest.mark.req("P-1")
def test_another_estates_papers_are_404_exactly_like_missing_ones(world, api):
    from tests.complaints.conftest import estate_b_complaint_papers

    ids = estate_b_complaint_papers(world)
    theirs = Complaint.objects.get(pk=ids["complaints:detail"])
    slip = theirs.slips.get()
    notice = WorkNotice.objects.get(pk=ids["complaints:notice_"])
    client = api("handler_a")
    missing = error(client.get("/complaints/TS-2026-999999"), 404, "not_found")
    assert error(client.get(f"/complaints/{theirs.number}"), 404, "not_found") == missing
    assert (
        error(
            client.post(f"/complaints/{theirs.number}/handle", {"measures": "x", "version": 0}),
            404,
            "not_found",
        )
        == missing
    )
    assert (
        error(
            client.post(f"/complaints/{theirs.number}/close-by-superior", {"reason": "x"}), 404, "not_found"
        )
        == missing
    )
    assert error(client.get(f"/slips/{slip.number}"), 404, "not_found") == missing
    assert error(
        client.post(f"/slips/{slip.number}/sign", {"opinion": "x", "decision": "decide", "version": 0}),
        404,
        "not_found",
    )
    assert error(client.get(f"/notices/{notice.number}"), 404, "not_found") == missing
    assert error(
        client.post(f"/notices/{notice.number}/report", {"report": "x", "version": 0}), 404, "not_found"
    )
    assert ok(client.get("/slips"))["count"] == 0 and ok(client.get("/notices"))["count"] == 0
    assert Complaint.objects.get(pk=theirs.pk).measures == ""
    # Linking to it is refused like linking to nothing.
    own = record(world)
    body = error(client.post(f"/complaints/{own.number}/link", {"lead": theirs.number}), 422, "invalid")
    assert body["errors"][0]["loc"] == ["body", "lead"]
