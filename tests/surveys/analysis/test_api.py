"""The analysis over the API (SPEC A-2, S-9, P-1): the figures and the Pareto, the fishbone's
version, the suggestion's steps with the pages' roles, the reason codes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from estatedesk.core.clock import company_today
from estatedesk.surveys.models import Survey
from tests.conftest import World
from tests.surveys.api_client import Api, error, ok
from tests.surveys.results_world import closed_survey

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-2", "S-9")]


@pytest.fixture
def survey(world: World, supervisor: Any) -> Survey:
    return closed_survey(world, supervisor)


def _put(api: Api, path: str, data: Any) -> Any:
    return api.client.put(
        f"/api{path}", json.dumps(data), content_type="application/json", headers=api.headers
    )


def test_the_analysis_and_its_fishbone(world: World, survey: Survey) -> None:
    deputy = Api(world.users["deputy_gm"])
    body = ok(deputy.get(f"/surveys/{survey.pk}/analysis"))
    assert body["version"] == 0 and body["categories"] and body["estates"]
    assert [row["code"] for row in body["pareto"]] == ["lifts"]
    assert body["pareto"][0]["cumulative_share"] == 100.0 and body["pareto"][0]["reasons"]
    saved = ok(
        _put(
            deputy,
            f"/surveys/{survey.pk}/analysis",
            {"version": 0, "summary": "电梯", "problem": "电梯维修慢", "fishbone": {"man": ["维修工不足"]}},
        )
    )
    assert saved["fishbone"] == {"man": ["维修工不足"]} and saved["version"] == 1
    stale = _put(deputy, f"/surveys/{survey.pk}/analysis", {"version": 0, "summary": "另一版"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
    bad = _put(deputy, f"/surveys/{survey.pk}/analysis", {"version": 1, "fishbone": {"luck": ["x"]}})
    assert bad.status_code == 422
    assert Api(world.users["handler_b"]).get(f"/surveys/{survey.pk}/analysis").status_code == 200
    error(Api(world.users["handler_a"]).get("/surveys/999999/analysis"), 404, "not_found")


def test_the_suggestion_steps_follow_the_roles(world: World, survey: Survey) -> None:
    deputy, gm = Api(world.users["deputy_gm"]), Api(world.users["gm"])
    made = ok(
        deputy.post(f"/surveys/{survey.pk}/suggestions", {"title": "电梯提速", "text": "两小时内到场"}), 201
    )
    assert made["number"].startswith("SG") and made["status"] == "draft"
    error(Api(world.users["handler_a"]).post(f"/suggestions/{made['id']}/submit"), 403, "permission_denied")
    ok(deputy.post(f"/suggestions/{made['id']}/submit"))
    error(deputy.post(f"/suggestions/{made['id']}/decline", {"reason": "不做"}), 403, "permission_denied")
    accept = {
        "owner": world.users["department_head"].staff.pk,
        "due_date": (company_today() + timedelta(days=9)).isoformat(),
        "department": world.engineering.pk,
    }
    accepted = ok(gm.post(f"/suggestions/{made['id']}/accept", accept))
    assert accepted["status"] == "accepted" and accepted["action"]
    error(gm.post(f"/suggestions/{made['id']}/decline", {"reason": "晚了"}), 409, "conflict")

    other = ok(deputy.post(f"/surveys/{survey.pk}/suggestions", {"title": "换门禁", "text": "全部更换"}), 201)
    ok(deputy.post(f"/suggestions/{other['id']}/submit"))
    declined = ok(gm.post(f"/suggestions/{other['id']}/decline", {"reason": "费用过高"}))
    assert declined["status"] == "declined" and declined["action"] is None


def test_reason_codes_are_listed(world: World) -> None:
    codes = ok(Api(world.users["handler_a"]).get("/reason-codes"))
    assert [c["code"] for c in codes][:2] == ["cleaning", "noise"] and "垃圾" in codes[0]["keywords"]
