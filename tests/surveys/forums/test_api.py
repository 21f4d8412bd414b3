"""The owners' forum over the API (SPEC A-2, S-6, P-1, D-3): the same permissions, masking,
versions and overdue flags as the pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from estatedesk.core.clock import company_today, company_zone
from tests.helpers import frozen_at
from tests.surveys.api_client import Api, ok
from tests.surveys.forums.helpers import committee_member, full_forum, staff_of

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-2"), pytest.mark.req("S-6")]


def test_a_forum_recorded_and_followed_up_over_the_api(world, supervisor):
    api = Api(supervisor)
    created = ok(
        api.post(
            "/forums",
            {
                "title": "年终业主座谈会",
                "estates": [world.estate_a.pk],
                "held_on": company_today().isoformat(),
                "place": "会所",
            },
        ),
        201,
    )
    forum = created["id"]
    assert created["number"].startswith("FO")
    owner = ok(api.post(f"/forums/{forum}/participants", {"kind": "owner", "unit": world.unit_a.pk}), 201)
    assert owner["name"] == "王小明" and owner["place"] == world.unit_a.label
    member = committee_member(world)
    ok(api.post(f"/forums/{forum}/participants", {"kind": "committee", "committee_member": member.pk}), 201)
    opinion = ok(
        api.post(
            f"/forums/{forum}/opinions",
            {"text": "电梯经常停运。", "category": "repairs", "raised_by": owner["id"]},
        ),
        201,
    )
    assert opinion["position"] == 1 and opinion["version"] == 0
    answered = ok(
        api.patch(f"/forums/{forum}/opinions/{opinion['id']}", {"version": 0, "answer": "已联系维保单位。"})
    )
    assert answered["answer"] == "已联系维保单位。"
    stale = api.patch(f"/forums/{forum}/opinions/{opinion['id']}", {"version": 0, "answer": "另一答复"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
    past = api.post(
        f"/forums/{forum}/opinions/{opinion['id']}/follow-ups",
        {
            "description": "检修电梯",
            "owner": staff_of(world, "handler_a").pk,
            "due_date": (company_today() - timedelta(days=2)).isoformat(),
        },
    )
    assert past.status_code == 422 and past.json()["errors"][0]["loc"] == ["body", "due_date"]
    follow_up = ok(
        api.post(
            f"/forums/{forum}/opinions/{opinion['id']}/follow-ups",
            {
                "description": "检修电梯",
                "owner": staff_of(world, "handler_a").pk,
                "due_date": company_today().isoformat(),
            },
        ),
        201,
    )
    assert follow_up["overdue"] is False
    later = datetime.combine(company_today() + timedelta(days=2), time(10), tzinfo=company_zone())
    with frozen_at(later):
        detail = ok(Api(world.users["handler_a"]).get(f"/forums/{forum}"))
        flagged = detail["opinions"][0]["follow_ups"][0]
        assert flagged["overdue"] is True and flagged["days_overdue"] == 2
        listed = ok(api.get("/forums"))["items"][0]
        assert (listed["open_follow_ups"], listed["overdue_follow_ups"]) == (1, 1)
    done = ok(
        Api(world.users["handler_a"]).post(
            f"/forums/{forum}/follow-ups/{follow_up['id']}/done", {"result": "已修复"}
        )
    )
    assert done["done"] is True and done["overdue"] is False
    again = api.post(f"/forums/{forum}/follow-ups/{follow_up['id']}/done", {"result": "again"})
    assert again.status_code == 409


@pytest.mark.req("P-1")
@pytest.mark.req("D-3")
def test_the_api_keeps_the_pages_permissions_and_masking(world):
    forum, follow_up = full_forum(world)
    outsider = Api(world.users["handler_b"])
    assert outsider.get(f"/forums/{forum.pk}").status_code == 404
    assert ok(outsider.get("/forums"))["count"] == 0
    assert (
        outsider.post(f"/forums/{forum.pk}/follow-ups/{follow_up.pk}/done", {"result": "x"}).status_code
        == 404
    )
    reader = Api(world.users["handler_a"])
    assert reader.post(f"/forums/{forum.pk}/opinions", {"text": "x"}).status_code == 403
    audited = ok(Api(world.users["auditor"]).get(f"/forums/{forum.pk}"))
    names = {p["kind"]: p["name"] for p in audited["participants"]}
    assert names["owner"] == "王*明" and names["committee"] == "李*国"
    refused = Api(world.users["office_head_a"]).post(
        "/forums",
        {"title": "x", "estates": [world.estate_b.pk], "held_on": company_today().isoformat(), "place": "y"},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body", "estates"]
