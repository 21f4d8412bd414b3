"""Rectification over the API (SPEC A-2, R-2 … R-4, P-1, D-3): the whole flow with the
developer's and the team's tokens, every error code, bulk outcomes, and the pages' scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estatedesk.api import api
from estatedesk.core.clock import company_today
from estatedesk.rectification.models import Item, ItemPhoto
from estatedesk.rectification.services import rounds
from tests.rectification.conftest import photo
from tests.surveys.api_client import Api, error, locs, ok

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-2")]


def upload(api_: Api, path: str, data: dict[str, Any]) -> Any:
    """A multipart/form-data POST (the steps with files), as a phone's app sends it."""
    return api_.client.post(f"/api{path}", data, headers=api_.headers)


def day(days: int) -> str:
    return (company_today() + timedelta(days=days)).isoformat()


def row(world: Any, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "unit": world.unit_a.pk,
        "location": "主卧",
        "description": "墙面裂缝约30厘米",
        "category": "walls",
    }
    values.update(changes)
    return values


def test_the_openapi_document_lists_the_rectification_paths():
    paths = api.get_openapi_schema()["paths"]
    assert {"get", "post"} <= set(paths["/api/rectification/reports"])
    assert "get" in paths["/api/rectification/reports/{report_id}"]
    assert "get" in paths["/api/rectification/items"] and "get" in paths["/api/rectification/items/{item_id}"]
    assert "post" in paths["/api/rectification/reports/{report_id}/items"]
    assert "post" in paths["/api/rectification/decisions"]
    for step in (
        "decision",
        "plan",
        "completion",
        "inspection",
        "notification",
        "acceptance",
        "objection",
        "cancellation",
    ):
        assert "post" in paths[f"/api/rectification/items/{{item_id}}/{step}"], step
    body = paths["/api/rectification/items/{item_id}/completion"]["post"]["requestBody"]["content"]
    assert set(body["multipart/form-data"]["schema"]["properties"]) == {"note", "photos"}


@pytest.mark.req("R-2", "R-3", "R-4")
def test_the_whole_flow_through_the_api_with_the_developers_and_the_teams_tokens(rect):
    world = rect.world
    handler, dev, team = Api(world.users["handler_a"]), Api(rect.users["dev_x"]), Api(rect.users["team_x"])
    report = ok(
        handler.post(
            "/rectification/reports", {"estate": world.estate_a.pk, "title": "2026年第二批交付验房"}
        ),
        201,
    )
    assert report["number"].startswith("ZG-") and report["developer"]["id"] == rect.developer_x.pk
    made = ok(
        handler.post(
            f"/rectification/reports/{report['id']}/items",
            {
                "items": [
                    row(world),
                    row(world, location="厨房", description="水龙头滴水", category="plumbing"),
                ]
            },
        ),
        201,
    )
    assert [m["status"] for m in made] == ["reported", "reported"] and made[0]["unit_label"] == "3栋-1201"
    item = made[0]["id"]
    assert ok(handler.get(f"/rectification/reports/{report['id']}"))["items_by_status"] == {"reported": 2}
    error(dev.get(f"/rectification/items/{item}"), 404, "not_found")  # not escalated yet

    seen = ok(
        handler.post(f"/rectification/items/{item}/decision", {"route": "developer", "note": "开发商整改"})
    )
    assert seen["status"] == "dev_review" and seen["route"] == "developer"
    assert "plan" in ok(dev.get(f"/rectification/items/{item}"))["allowed_actions"]
    planned = ok(
        dev.post(
            f"/rectification/items/{item}/plan",
            {"measure": "铲除重新批荡", "due_date": day(7), "team": rect.team_x.pk},
        )
    )
    assert planned["status"] == "team_fixing" and planned["team"]["id"] == rect.team_x.pk
    assert planned["due_state"] == "due" and planned["due_date"] == day(7)
    assert [i["id"] for i in ok(team.get("/rectification/items"))["items"]] == [item]

    done = ok(
        upload(team, f"/rectification/items/{item}/completion", {"note": "已重新批荡", "photos": [photo()]})
    )
    assert done["status"] == "dev_inspect" and done["due_state"] == "met"
    back = ok(dev.post(f"/rectification/items/{item}/inspection", {"passed": False, "reason": "接缝不平"}))
    assert back["status"] == "team_fixing"
    ok(upload(team, f"/rectification/items/{item}/completion", {"photos": [photo("again.jpg")]}))
    assert ok(dev.post(f"/rectification/items/{item}/inspection", {"passed": True}))["status"] == "to_notify"
    assert ok(handler.post(f"/rectification/items/{item}/notification"))["status"] == "res_check"

    # The resident objects on paper: round 2, back to the developer, the objection kept.
    objected = ok(
        upload(
            handler,
            f"/rectification/items/{item}/objection",
            {"objection": "颜色不一致", "photos": [photo()]},
        )
    )
    assert (objected["status"], objected["round"], objected["objection"]) == ("dev_review", 2, "颜色不一致")
    rect.walk(Item.objects.get(pk=item), "res_check")
    accepted = ok(
        upload(
            handler,
            f"/rectification/items/{item}/acceptance",
            {"signed_name": "王小明", "scan": photo("sheet.jpg")},
        )
    )
    assert (accepted["status"], accepted["round"], accepted["acceptance_method"]) == ("accepted", 2, "paper")
    assert accepted["signer"] == "王小明" and accepted["allowed_actions"] == []
    stages = [(p["stage"], p["round"]) for p in accepted["photos"]]
    assert ("objection", 2) in stages and ("acceptance", 2) in stages and stages.count(("completed", 1)) == 2
    assert all(set(p) == {"id", "stage", "round", "uploaded_at"} for p in accepted["photos"])
    events = [(e["kind"], e["round"]) for e in accepted["events"]]
    assert events[0] == ("created", 1) and ("objected", 2) in events and events[-1] == ("accepted", 2)
    # Accepted once: a second paper acceptance is "already handled".
    error(
        upload(
            handler, f"/rectification/items/{item}/acceptance", {"signed_name": "王小明", "scan": photo()}
        ),
        409,
        "conflict",
    )


@pytest.mark.req("R-3", "R-4")
def test_our_own_fix_is_completed_by_our_department_and_a_public_area_accepted_on_its_behalf(rect):
    world = rect.world
    handler = Api(world.users["handler_a"])
    public = rect.item(unit=None, location="3栋大堂", category="public_areas")
    decided = ok(
        handler.post(
            f"/rectification/items/{public.pk}/decision",
            {"route": "property", "department": world.office_a.pk, "due_date": day(3)},
        )
    )
    assert decided["status"] == "prop_fixing" and decided["department"]["id"] == world.office_a.pk
    assert "completion" in decided["allowed_actions"]
    done = ok(upload(handler, f"/rectification/items/{public.pk}/completion", {"photos": [photo()]}))
    assert done["status"] == "to_notify" and "acceptance" in done["allowed_actions"]
    assert "notification" not in done["allowed_actions"]
    body = error(handler.post(f"/rectification/items/{public.pk}/notification"), 422, "invalid")
    assert locs(body) == [["body"]]
    accepted = ok(upload(handler, f"/rectification/items/{public.pk}/acceptance", {"note": "工程部确认"}))
    assert accepted["status"] == "accepted" and accepted["acceptance_method"] == "on_behalf"


@pytest.mark.req("R-3")
def test_a_bulk_decision_reports_each_items_outcome(rect):
    world = rect.world
    first, second, decided = rect.item(), rect.item(location="厨房"), rect.item(location="阳台")
    rounds.cancel(actor=world.users["handler_a"], item=decided.pk, reason="重复录入")
    foreign = Item.objects.create(
        report=rect.report,
        estate=world.estate_b,
        number="ZX-B-1",
        location="大堂",
        description="x",
        category="walls",
        source="handover",
        reported_at=decided.reported_at,
    )
    answer = ok(
        Api(world.users["handler_a"]).post(
            "/rectification/decisions",
            {"ids": [first.pk, second.pk, decided.pk, foreign.pk, 10**12], "route": "developer"},
        )
    )
    assert (answer["done"], answer["refused"]) == (2, 3)
    by_id = {o["id"]: o for o in answer["outcomes"]}
    assert (
        by_id[first.pk]["done"] and by_id[first.pk]["number"] == first.number and not by_id[first.pk]["error"]
    )
    assert not by_id[decided.pk]["done"] and by_id[decided.pk]["error"]
    assert by_id[foreign.pk] == {
        "id": foreign.pk,
        "number": "",
        "done": False,
        "error": by_id[10**12]["error"],
    }
    assert set(Item.objects.filter(status="dev_review").values_list("pk", flat=True)) == {first.pk, second.pk}
    # A role that may not decide, or a date no item could take, is refused for all.
    error(
        Api(rect.users["dev_x"]).post("/rectification/decisions", {"ids": [first.pk], "route": "developer"}),
        403,
        "permission_denied",
    )
    third = rect.item(location="书房")
    body = error(
        Api(world.users["handler_a"]).post(
            "/rectification/decisions",
            {"ids": [third.pk], "route": "property", "department": world.office_a.pk, "due_date": day(-1)},
        ),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "due_date"]]
    assert Item.objects.get(pk=third.pk).status == "reported"


@pytest.mark.req("R-2")
def test_a_bad_row_is_named_items_n_field_and_nothing_is_recorded(rect):
    world = rect.world
    handler = Api(world.users["handler_a"])
    path = f"/rectification/reports/{rect.report.pk}/items"
    body = error(handler.post(path, {"items": [row(world), row(world, description="  ")]}), 422, "invalid")
    assert locs(body) == [["body", "items", 1, "description"]]
    body = error(
        handler.post(path, {"items": [row(world), row(world, unit=world.unit_b.pk)]}), 422, "invalid"
    )
    assert locs(body) == [["body", "items", 1, "unit"]]
    assert body["errors"][0]["msg"] == "This unit is not in the report's estate."
    body = error(handler.post(path, {"items": [row(world, location="")]}), 422, "invalid")
    assert locs(body) == [["body", "items", 0, "location"]]
    body = error(handler.post(path, {"items": [row(world, category="roof")]}), 422, "invalid")
    assert locs(body)[0][:4] == ["body", "items", 0, "category"]
    assert not Item.objects.exists()


@pytest.mark.req("R-3", "R-4")
def test_each_error_code_of_a_step(rect):
    world = rect.world
    handler, dev, team = Api(world.users["handler_a"]), Api(rect.users["dev_x"]), Api(rect.users["team_x"])
    item = rect.walk(rect.item(), "dev_review")
    # 403: a role that cannot take the step.
    error(
        team.post(
            f"/rectification/items/{item.pk}/plan",
            {"measure": "重做", "due_date": day(3), "team": rect.team_x.pk},
        ),
        403,
        "permission_denied",
    )
    # 422 naming the field: another developer's team, a date in the past, a blank reason.
    body = error(
        dev.post(
            f"/rectification/items/{item.pk}/plan",
            {"measure": "重做", "due_date": day(3), "team": rect.team_y.pk},
        ),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "team"]]
    body = error(
        dev.post(
            f"/rectification/items/{item.pk}/plan",
            {"measure": "重做", "due_date": day(-1), "team": rect.team_x.pk},
        ),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "due_date"]]
    body = error(
        dev.post(
            f"/rectification/items/{item.pk}/plan",
            {"measure": "", "due_date": day(3), "team": rect.team_x.pk},
        ),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "measure"]]
    # 409: decided already.
    error(handler.post(f"/rectification/items/{item.pk}/decision", {"route": "developer"}), 409, "conflict")
    rect.walk(item, "dev_inspect")
    body = error(dev.post(f"/rectification/items/{item.pk}/inspection", {"passed": False}), 422, "invalid")
    assert locs(body) == [["body", "reason"]]
    # Completion without a photo names the files' field.
    rect.walk(rect.item(location="厨房"), "team_fixing")
    fixing = Item.objects.get(location="厨房")
    body = error(
        upload(team, f"/rectification/items/{fixing.pk}/completion", {"note": "好了"}), 422, "invalid"
    )
    assert locs(body) == [["body", "photos"]]
    # A file that is not an image is refused, and nothing stays behind.
    fake = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    body = error(
        upload(team, f"/rectification/items/{fixing.pk}/completion", {"photos": [fake]}), 422, "invalid"
    )
    assert locs(body) == [["body", "photos"]]
    assert not ItemPhoto.objects.filter(item=fixing, stage="completed").exists()
    # A step the status does not allow (nothing to notify yet) is a 422 about the record.
    body = error(handler.post(f"/rectification/items/{fixing.pk}/notification"), 422, "invalid")
    assert locs(body) == [["body"]]
    # An objection needs its text.
    on_check = rect.walk(rect.item(location="阳台"), "res_check")
    body = error(
        upload(handler, f"/rectification/items/{on_check.pk}/objection", {"objection": " "}), 422, "invalid"
    )
    assert locs(body) == [["body", "objection"]]
    body = error(
        upload(handler, f"/rectification/items/{on_check.pk}/acceptance", {"signed_name": "王小明"}),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "scan"]]
    # Cancelled with a reason; cancelled twice is a conflict.
    fresh = rect.item(location="书房")
    assert (
        ok(handler.post(f"/rectification/items/{fresh.pk}/cancellation", {"reason": "重复录入"}))["status"]
        == "cancelled"
    )
    error(
        handler.post(f"/rectification/items/{fresh.pk}/cancellation", {"reason": "重复录入"}), 409, "conflict"
    )


@pytest.mark.req("P-1", "R-3")
def test_out_of_scope_is_404_for_the_other_developer_and_the_other_estate(rect):
    world = rect.world
    item = rect.walk(rect.item(), "dev_review")
    dev_y, team_y, handler_b = (
        Api(rect.users["dev_y"]),
        Api(rect.users["team_y"]),
        Api(world.users["handler_b"]),
    )
    plan = {"measure": "重做", "due_date": day(3), "team": rect.team_y.pk}
    error(dev_y.get(f"/rectification/items/{item.pk}"), 404, "not_found")
    error(dev_y.post(f"/rectification/items/{item.pk}/plan", plan), 404, "not_found")
    error(dev_y.get(f"/rectification/reports/{rect.report.pk}"), 404, "not_found")
    assert ok(dev_y.get("/rectification/items"))["count"] == 0
    assert ok(dev_y.get("/rectification/reports"))["count"] == 0
    error(team_y.get(f"/rectification/items/{item.pk}"), 404, "not_found")
    error(handler_b.get(f"/rectification/items/{item.pk}"), 404, "not_found")
    error(handler_b.get(f"/rectification/reports/{rect.report.pk}"), 404, "not_found")
    error(handler_b.post(f"/rectification/items/{item.pk}/cancellation", {"reason": "x"}), 404, "not_found")
    error(
        upload(handler_b, f"/rectification/items/{item.pk}/objection", {"objection": "x"}), 404, "not_found"
    )
    error(
        handler_b.post(f"/rectification/reports/{rect.report.pk}/items", {"items": [row(world)]}),
        404,
        "not_found",
    )
    body = error(
        handler_b.post("/rectification/reports", {"estate": world.estate_a.pk, "title": "越权"}),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "estate"]]
    # The developer X sees the report that holds its item, but never the items kept by us.
    ours = rect.item(location="阳台")
    dev_x = Api(rect.users["dev_x"])
    assert [r["id"] for r in ok(dev_x.get("/rectification/reports"))["items"]] == [rect.report.pk]
    assert ok(dev_x.get(f"/rectification/reports/{rect.report.pk}"))["items_by_status"] == {"dev_review": 1}
    assert [i["id"] for i in ok(dev_x.get("/rectification/items"))["items"]] == [item.pk]
    error(dev_x.get(f"/rectification/items/{ours.pk}"), 404, "not_found")
    # The developer's people do not write reports or items: refused by role, before the rows are read.
    error(
        dev_x.post(
            f"/rectification/reports/{rect.report.pk}/items", {"items": [row(world, unit=world.unit_b.pk)]}
        ),
        403,
        "permission_denied",
    )


@pytest.mark.req("D-3")
def test_the_signer_is_masked_for_the_auditor(rect):
    item = rect.walk(rect.item(), "res_check")
    rounds.record_paper_acceptance(
        actor=rect.world.users["handler_a"], item=item.pk, scan=photo("sheet.jpg"), signed_name="王小明"
    )
    assert ok(Api(rect.world.users["handler_a"]).get(f"/rectification/items/{item.pk}"))["signer"] == "王小明"
    masked = ok(Api(rect.world.users["auditor"]).get(f"/rectification/items/{item.pk}"))["signer"]
    assert masked != "王小明" and masked.startswith("王") and "小明" not in masked


@pytest.mark.req("R-4")
def test_the_item_list_filters_and_flags_overdue_items(rect):
    world = rect.world
    late = rect.walk(rect.item(), "team_fixing")
    Item.objects.filter(pk=late.pk).update(due_date=company_today() - timedelta(days=2))
    on_time = rect.walk(rect.item(location="厨房", category="plumbing"), "team_fixing")
    waiting = rect.item(location="阳台")
    handler = Api(world.users["handler_a"])
    overdue = ok(handler.get("/rectification/items", overdue="true"))
    assert [i["id"] for i in overdue["items"]] == [late.pk] and overdue["items"][0]["due_state"] == "overdue"
    not_overdue = {i["id"] for i in ok(handler.get("/rectification/items", overdue="false"))["items"]}
    assert not_overdue == {on_time.pk, waiting.pk}
    assert [i["id"] for i in ok(handler.get("/rectification/items", category="plumbing"))["items"]] == [
        on_time.pk
    ]
    assert [i["id"] for i in ok(handler.get("/rectification/items", status="reported"))["items"]] == [
        waiting.pk
    ]
    assert ok(handler.get("/rectification/items", team=rect.team_x.pk))["count"] == 2
    assert ok(handler.get("/rectification/items", unit=world.unit_a.pk, round=1))["count"] == 3
    assert ok(handler.get("/rectification/items", round=2))["count"] == 0
    assert ok(handler.get("/rectification/items", estate=world.estate_b.pk))["count"] == 0
    assert ok(handler.get("/rectification/items", report=rect.report.pk))["count"] == 3
    error(handler.get("/rectification/items", status="nonsense"), 422, "invalid")


@pytest.mark.req("A-2")
def test_the_item_list_reads_the_same_queries_however_many_rows(rect):
    handler = Api(rect.world.users["handler_a"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert handler.get("/rectification/items").status_code == 200
        return len(seen.captured_queries)

    rect.walk(rect.item(), "team_fixing")
    queries()  # the token's first use is noted once
    few = queries()
    for n in range(4):
        rect.walk(rect.item(location=f"房间{n}"), "team_fixing")
    rect.item(unit=None, location="大堂", category="public_areas")
    assert queries() == few
