"""SPEC A-2: work transfer slips (K-8) and work arrangement notices (K-9) over the REST API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.complaints.api_client import Api, error, ok, version

pytestmark = pytest.mark.req("A-2")


@pytest.fixture
def api(world: Any) -> Any:
    return lambda persona: Api(world.users[persona])


# --- Transfer slips and work notices (K-8, K-9) --------------------------------------------


@pytest.mark.req("K-8")
@pytest.mark.req("K-9")
def test_a_slip_goes_up_the_chain_and_a_notice_comes_back_done(world, api, complaint):
    handler, head, deputy, gm = api("handler_a"), api("office_head_a"), api("deputy_gm"), api("gm")
    ok(handler.post(f"/complaints/{complaint.number}/assess", {"cause": "maintenance"}))
    raised = ok(
        handler.post(f"/complaints/{complaint.number}/slip", {"matter": "电梯需整体更换，超出管理处权限"})
    )
    slip = raised["slips"][0]["number"]
    assert re.fullmatch(r"CQ-\d{4}-\d{6}", slip)
    error(handler.post(f"/complaints/{complaint.number}/slip", {"matter": "再提一次"}), 409, "conflict")
    assert ok(head.get("/slips", status="at_head"))["items"][0]["waiting_for"] == "department_head"

    error(
        handler.post(f"/slips/{slip}/sign", {"opinion": "同意", "decision": "decide", "version": 0}),
        403,
        "permission_denied",
    )
    assert (
        ok(head.post(f"/slips/{slip}/sign", {"opinion": "请副总决定", "decision": "escalate", "version": 0}))[
            "status"
        ]
        == "at_deputy_gm"
    )
    assert (
        ok(
            deputy.post(
                f"/slips/{slip}/sign",
                {
                    "opinion": "请总经理决定",
                    "decision": "escalate",
                    "version": version(deputy, f"/slips/{slip}"),
                },
            )
        )["status"]
        == "at_gm"
    )
    refused = error(
        gm.post(f"/slips/{slip}/sign", {"opinion": "再上报", "decision": "escalate", "version": 2}),
        422,
        "invalid",
    )
    assert refused["errors"][0]["loc"] == ["body", "decision"]
    decided = ok(
        gm.post(f"/slips/{slip}/sign", {"opinion": "由工程部更换", "decision": "decide", "version": 2})
    )
    assert decided["status"] == "decided" and decided["waiting_for"] is None
    assert [s["level"] for s in decided["signatures"]] == ["department_head", "deputy_gm", "gm"]

    issued = ok(
        gm.post(
            "/notices",
            {
                "department": world.engineering.pk,
                "task": "更换3栋电梯主机",
                "due_at": "2030-12-10T17:30:00+08:00",
                "slip": slip,
            },
        ),
        201,
    )
    notice = issued["number"]
    assert (issued["origin"], issued["complaint"], issued["slip"], issued["status"]) == (
        "slip",
        complaint.number,
        slip,
        "issued",
    )
    engineering = api("department_head")
    error(
        handler.post(f"/notices/{notice}/report", {"report": "完成", "version": 0}), 403, "permission_denied"
    )
    reported = ok(engineering.post(f"/notices/{notice}/report", {"report": "主机已更换", "version": 0}))
    assert reported["status"] == "reported"
    returned = ok(
        gm.post(
            f"/notices/{notice}/verify",
            {"accepted": False, "verification": "噪音仍大", "version": reported["version"]},
        )
    )
    assert returned["status"] == "issued"
    ok(engineering.post(f"/notices/{notice}/report", {"report": "已调校", "version": returned["version"]}))
    assert (
        ok(
            gm.post(
                f"/notices/{notice}/verify",
                {"accepted": True, "verification": "验收合格", "version": version(gm, f"/notices/{notice}")},
            )
        )["status"]
        == "verified"
    )
    assert ok(engineering.get("/notices", status="verified"))["items"][0]["number"] == notice

    done = ok(
        handler.post(f"/slips/{slip}/result", {"result": "工程部已更换主机", "version": decided["version"]})
    )
    assert (done["status"], done["result"], done["notices"]) == ("done", "工程部已更换主机", [notice])
    detail = ok(handler.get(f"/complaints/{complaint.number}"))
    assert detail["slips"][0]["status"] == "done" and detail["notices"][0]["number"] == notice
    assert {"raise_slip", "slip_escalate_head", "slip_decide_gm", "issue_notice", "slip_result"} <= {
        e["action"] for e in detail["events"]
    }


@pytest.mark.req("K-9")
def test_a_superior_issues_a_notice_on_their_own_initiative(world, api):
    body = error(
        api("deputy_gm").post(
            "/notices", {"department": world.office_a.pk, "task": "巡查", "due_at": "2030-01-01T09:00:00"}
        ),
        422,
        "invalid",
    )
    assert body["errors"][0]["loc"] == ["body", "due_at"]
    issued = ok(
        api("deputy_gm").post(
            "/notices",
            {
                "department": world.office_a.pk,
                "task": "巡查消防通道",
                "due_at": "2030-01-01T09:00:00+08:00",
                "estate": world.estate_a.pk,
            },
        ),
        201,
    )
    assert (issued["origin"], issued["estate"], issued["complaint"]) == (
        "initiative",
        world.estate_a.pk,
        None,
    )
    error(
        api("handler_a").post(
            "/notices", {"department": world.office_a.pk, "task": "x", "due_at": "2030-01-01T09:00:00+08:00"}
        ),
        403,
        "permission_denied",
    )
    assert ok(api("handler_a").get(f"/notices/{issued['number']}"))["task"] == "巡查消防通道"


@pytest.mark.req("K-8")
def test_the_raiser_chooses_the_first_signer_and_the_head_may_pass_straight_to_the_gm(world, api):
    from tests.complaints.conftest import record

    handler, head, gm = api("handler_a"), api("office_head_a"), api("gm")
    first, second, third = (record(world).number for _ in range(3))
    for number in (first, second, third):
        ok(handler.post(f"/complaints/{number}/assess", {"cause": "maintenance"}))
    straight = ok(
        handler.post(f"/complaints/{first}/slip", {"matter": "业主要求总经理出面", "first_signer": "gm"})
    )
    slip = straight["slips"][0]["number"]
    got = ok(gm.get(f"/slips/{slip}"))
    assert (got["status"], got["first_signer"], got["waiting_for"]) == ("at_gm", "gm", "gm")
    # a department head does not send a slip to himself: left out, it goes to the deputy GM
    refused = error(
        head.post(f"/complaints/{second}/slip", {"matter": "需基金", "first_signer": "department_head"}),
        403,
        "permission_denied",
    )
    assert "nobody signs a slip they raised" in str(refused).lower()
    own = ok(head.post(f"/complaints/{second}/slip", {"matter": "需基金"}))
    own_slip = ok(head.get(f"/slips/{own['slips'][0]['number']}"))
    assert (own_slip["status"], own_slip["first_signer"]) == ("at_deputy_gm", "deputy_gm")
    # the head passes a handler's slip directly to the GM
    raised = ok(handler.post(f"/complaints/{third}/slip", {"matter": "外墙大修"}))
    number = raised["slips"][0]["number"]
    passed = ok(
        head.post(
            f"/slips/{number}/sign",
            {"opinion": "直接呈总经理", "decision": "escalate", "to": "gm", "version": 0},
        )
    )
    assert (passed["status"], passed["signatures"][0]["acting_for"]) == ("at_gm", "")


@pytest.mark.req("K-9")
def test_a_head_issues_notices_only_to_the_departments_he_heads(world, api):
    body = {"task": "清洗水箱", "due_at": "2030-01-01T09:00:00+08:00"}
    refused = error(
        api("office_head_a").post("/notices", {**body, "department": world.engineering.pk}),
        403,
        "permission_denied",
    )
    assert "工程部" in str(refused)
    issued = ok(api("office_head_a").post("/notices", {**body, "department": world.office_a.pk}), 201)
    assert issued["department"] == world.office_a.pk
