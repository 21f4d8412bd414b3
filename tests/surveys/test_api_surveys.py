"""SPEC A-2 with S-2, S-3, S-7: a survey prepared, drawn, answered on paper and its figures read
over the API, with the pages' permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estatedesk.core.clock import now
from estatedesk.surveys.models import Answer, Household, Response, Survey
from tests.surveys.api_client import Api, error, ok, small_questionnaire
from tests.surveys.conftest import add_households

pytestmark = pytest.mark.req("A-2")


@pytest.fixture
def place(world):
    """Estate A: 10 occupied households and 2 vacant units; estate B: 4 occupied."""
    add_households(world.building_a, 9)
    add_households(world.building_a, 2, occupied=False)
    add_households(world.building_b, 3)
    return small_questionnaire()


def create(api, world, version, **extra):
    body = {
        "kind": "annual",
        "title": "2026年度业户满意度调查",
        "estates": [world.estate_a.pk, world.estate_b.pk],
        "share": 50,
        "template": version.pk,
        "office_template": version.pk,
        **extra,
    }
    return ok(api.post("/surveys", body), 201)


def open_now(survey_id: int) -> None:
    # Opening sends the links (a portal URL another part builds); the answers only need it open.
    Survey.objects.filter(pk=survey_id).update(status="open", opened_at=now())


def sample_units(api, survey_id: int) -> list[int]:
    return [h["unit"] for h in ok(api.get(f"/surveys/{survey_id}/sample", page_size=200))["items"]]


@pytest.mark.req("S-7")
@pytest.mark.req("S-2")
@pytest.mark.req("S-3")
def test_the_whole_survey_over_the_api(world, supervisor, place):
    version, housing, cleaning, _words = place
    api = Api(supervisor)

    survey = create(api, world, version, closes_on="2099-12-31", improvements="更换了3栋电梯")
    assert survey["number"].startswith("SV-")
    assert (survey["kind"], survey["status"], survey["share"]) == ("annual", "draft", 50.0)
    assert survey["template"] == version.pk and survey["closes_on"] == "2099-12-31"
    assert [e["id"] for e in survey["estates"]] == [world.estate_a.pk, world.estate_b.pk]
    assert survey["sample"] is None
    assert ok(api.get("/surveys"))["count"] == 1

    drawn = ok(api.post(f"/surveys/{survey['id']}/draw", {"seed": "2026"}))
    # 10 occupied in A → 5 (50 %, rounded up); 4 in B → 2; the 2 vacant units are out of the frame.
    assert (drawn["frame"], drawn["sample_size"], drawn["second_stage"], drawn["random"]) == (14, 7, 0, 7)
    assert drawn["vacant"] == 2 and drawn["seed"] == "2026" and drawn["drawn_by"] == "客服主管"
    by_estate = {e["estate"]: e for e in drawn["estates"]}
    assert (by_estate[world.estate_a.pk]["frame"], by_estate[world.estate_a.pk]["sample_size"]) == (10, 5)
    assert by_estate[world.estate_a.pk]["vacant"] == 2
    assert (by_estate[world.estate_b.pk]["frame"], by_estate[world.estate_b.pk]["sample_size"]) == (4, 2)
    assert ok(api.get(f"/surveys/{survey['id']}"))["sample"]["sample_size"] == 7

    sample = ok(api.get(f"/surveys/{survey['id']}/sample"))
    assert sample["count"] == 7
    row = sample["items"][0]
    assert set(row) == {
        "unit", "label", "estate", "building", "second_stage", "reasons", "reason_labels", "answered", "channel",
    }  # fmt: skip
    assert row["label"].startswith("3栋-") and row["answered"] is False and row["channel"] is None

    # The same seed over the same frame: the same households; another seed: others.
    again = create(api, world, version)
    ok(api.post(f"/surveys/{again['id']}/draw", {"seed": "2026"}))
    assert sorted(sample_units(api, again["id"])) == sorted(sample_units(api, survey["id"]))
    other = create(api, world, version)
    ok(api.post(f"/surveys/{other['id']}/draw", {"seed": "another"}))
    assert sorted(sample_units(api, other["id"])) != sorted(sample_units(api, survey["id"]))

    # Three paper questionnaires from estate A.
    open_now(survey["id"])
    in_a = [h["unit"] for h in sample["items"] if h["estate"] == world.estate_a.pk]
    h, c = str(housing.pk), str(cleaning.pk)
    papers = [
        {h: "very_satisfied", c: "satisfied"},
        {h: "neutral", c: "dissatisfied"},
        {h: "satisfied", c: "very_dissatisfied"},
    ]
    for unit, given in zip(in_a, papers, strict=False):
        body = {"unit": unit, "answers": given}
        if given[c] == "dissatisfied":
            body["reasons"] = {c: "垃圾清运不及时"}
        answered = ok(api.post(f"/surveys/{survey['id']}/responses", body), 201)
        assert answered["channel"] == "paper" and answered["answers"] == 2
    assert Answer.objects.get(question=cleaning, level="dissatisfied").reason == "垃圾清运不及时"
    answered_rows = ok(api.get(f"/surveys/{survey['id']}/sample", answered="true"))
    assert answered_rows["count"] == 3 and {r["channel"] for r in answered_rows["items"]} == {"paper"}

    # By hand: 6 valid ratings, 3 satisfied (很满意, 满意, 满意) → 50.0 %; scores 100 80 60 40 80 20
    # → 63.3; 3 of 7 returned → 42.9 %, 7.1 points short of 50: one full step of 5 → 1 point
    # off → 49.0. Wilson 95 % for 3/6: 18.76 % … 81.24 %.
    results = ok(Api(supervisor, "zh-hans").get(f"/surveys/{survey['id']}/results"))
    assert (results["distributed"], results["returned"], results["return_rate"]) == (7, 3, 42.9)
    assert (results["valid"], results["satisfaction_raw"], results["mean_score"]) == (6, 50.0, 63.3)
    assert (results["shortfall"], results["penalty_points"], results["satisfaction_adjusted"]) == (
        7.1,
        1.0,
        49.0,
    )
    assert (results["ci_low"], results["ci_high"]) == (18.8, 81.2)
    assert results["target"] == 90.0 and results["below_target"] is True
    assert (
        results["penalty_reason"]
        == "回收率 42.9%，低于 50%，差 7.1 个百分点；每满 5 个百分点扣 1 个百分点：扣 1 个百分点"
    )
    categories = {row["category"]: row for row in results["categories"]}
    # 房管: 很满意, 一般, 满意 → 66.7 %, mean 80.0, adjusted by the survey's return rate → 65.7.
    assert categories["housing"]["label"]  # the category's name in the request's language
    assert (categories["housing"]["satisfaction_raw"], categories["housing"]["mean_score"]) == (66.7, 80.0)
    assert categories["housing"]["satisfaction_adjusted"] == 65.7
    # 清洁: 满意, 不满意, 很不满意 → 33.3 %, mean 46.7, adjusted 32.3.
    assert (categories["cleaning"]["satisfaction_raw"], categories["cleaning"]["mean_score"]) == (33.3, 46.7)
    assert categories["cleaning"]["satisfaction_adjusted"] == 32.3
    estates = {row["estate"]: row for row in results["estates"]}
    # Estate A: 3 of 5 returned (60 %): no deduction. Estate B: none of 2 (0 %): 10 points, no rate.
    a, b = estates[world.estate_a.pk], estates[world.estate_b.pk]
    assert (a["return_rate"], a["penalty_points"], a["satisfaction_adjusted"]) == (60.0, 0.0, 50.0)
    assert a["penalty_reason"] == "回收率 60.0%，不低于 50%，不扣分"
    assert (b["return_rate"], b["penalty_points"], b["satisfaction_raw"]) == (0.0, 10.0, None)
    questions = {row["question"]: row for row in results["questions"]}
    assert questions[housing.pk]["number"] == 1 and questions[cleaning.pk]["satisfied"] == 1


@pytest.mark.req("S-7")
def test_the_deputy_gm_opens_and_closes_and_a_second_draw_is_a_conflict(
    world, supervisor, place, monkeypatch
):
    monkeypatch.setattr(
        "estatedesk.surveys.services.lifecycle.reverse", lambda *args, **kwargs: "/portal/survey/x"
    )
    version = place[0]
    survey = create(Api(supervisor), world, version)
    deputy = Api(world.users["deputy_gm"])
    ok(deputy.post(f"/surveys/{survey['id']}/draw", {}))
    body = error(deputy.post(f"/surveys/{survey['id']}/draw", {"seed": "again"}), 409, "conflict")
    assert survey["number"] in body["detail"]
    assert Household.objects.filter(survey_id=survey["id"]).count() == 7
    assert ok(deputy.post(f"/surveys/{survey['id']}/open"))["status"] == "open"
    error(deputy.post(f"/surveys/{survey['id']}/draw", {}), 409, "conflict")
    assert ok(deputy.post(f"/surveys/{survey['id']}/close"))["status"] == "closed"


def test_bad_survey_bodies_name_the_field(world, supervisor, place):
    api = Api(supervisor)
    cases = [
        ({"kind": "monthly", "title": "x"}, ["body", "kind"]),
        ({"kind": "annual", "title": " "}, ["body", "title"]),
        ({"kind": "annual", "title": "x", "share": "50"}, ["body", "share"]),
        ({"kind": "annual", "title": "x", "share": 0}, ["body", "share"]),
        ({"kind": "annual", "title": "x", "share": 150}, ["body", "share"]),
        ({"kind": "annual", "title": "x", "template": 999999}, ["body", "template"]),
        ({"kind": "special", "title": "x", "estates": []}, ["body", "estates"]),
        ({"kind": "special", "title": "x", "estates": [999999]}, ["body", "estates"]),
        ({"kind": "annual", "title": "x", "closes_on": "2001-01-01"}, ["body", "closes_on"]),
        ({"kind": "annual", "title": "x", "colour": "red"}, ["body", "colour"]),
    ]
    for body, loc in cases:
        answer = error(api.post("/surveys", body), 422, "invalid")
        assert loc in [item["loc"] for item in answer["errors"]], (body, answer)
    assert not Survey.objects.exists()
    chinese = error(
        Api(supervisor, "zh-hans").post("/surveys", {"kind": "special", "title": "x"}), 422, "invalid"
    )
    assert chinese["errors"][0]["loc"] == ["body", "estates"]
    assert chinese["detail"] != "Some of the data sent is not valid."


@pytest.mark.req("P-1")
def test_a_handler_sees_only_the_surveys_and_households_of_their_estates(world, supervisor, place):
    version = place[0]
    api = Api(supervisor)
    only_a = create(api, world, version, kind="special", estates=[world.estate_a.pk])
    both = create(api, world, version)
    ok(api.post(f"/surveys/{only_a['id']}/draw", {"seed": "s"}))
    ok(api.post(f"/surveys/{both['id']}/draw", {"seed": "s"}))

    handler_b = Api(world.users["handler_b"])
    for path in ("", "/sample", "/results"):
        error(handler_b.get(f"/surveys/{only_a['id']}{path}"), 404, "not_found")
    error(
        handler_b.post(f"/surveys/{only_a['id']}/responses", {"unit": world.unit_a.pk, "answers": {}}),
        404,
        "not_found",
    )
    assert [s["id"] for s in ok(handler_b.get("/surveys"))["items"]] == [both["id"]]

    seen = ok(handler_b.get(f"/surveys/{both['id']}"))
    assert [e["id"] for e in seen["estates"]] == [world.estate_b.pk]
    assert [e["estate"] for e in seen["sample"]["estates"]] == [world.estate_b.pk]
    households = ok(handler_b.get(f"/surveys/{both['id']}/sample"))["items"]
    assert households and {h["estate"] for h in households} == {world.estate_b.pk}
    assert ok(handler_b.get(f"/surveys/{both['id']}/sample", estate=world.estate_a.pk))["count"] == 0
    results = ok(handler_b.get(f"/surveys/{both['id']}/results"))
    assert [e["estate"] for e in results["estates"]] == [world.estate_b.pk]

    # Preparing and drawing are the survey team's: a handler is refused.
    handler_a = Api(world.users["handler_a"])
    error(handler_a.post("/surveys", {"kind": "annual", "title": "x"}), 403, "permission_denied")
    third = create(api, world, version)
    error(handler_a.post(f"/surveys/{third['id']}/draw", {}), 403, "permission_denied")
    error(handler_a.post(f"/surveys/{third['id']}/open"), 403, "permission_denied")
    assert not Household.objects.filter(survey_id=third["id"]).exists()
    assert not Response.objects.exists()


@pytest.mark.req("S-8")
def test_editing_a_survey_carries_its_version_and_reminders_keep_their_gap(
    world, supervisor, place, monkeypatch
):
    monkeypatch.setattr(
        "estatedesk.surveys.services.lifecycle.reverse", lambda *args, **kwargs: "/portal/survey/x"
    )
    api = Api(supervisor)
    survey = create(api, world, place[0])
    path = f"/surveys/{survey['id']}"
    edited = ok(api.patch(path, {"title": "2026年度调查", "share": 60, "version": survey["version"]}))
    assert (edited["title"], edited["share"]) == ("2026年度调查", 60.0)
    assert edited["version"] == survey["version"] + 1
    stale = api.patch(path, {"title": "旧的", "version": survey["version"]})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
    assert stale.json()["current"] == {"title": "2026年度调查"}
    assert ["body", "version"] in [
        e["loc"] for e in error(api.patch(path, {"title": "x"}), 422, "invalid")["errors"]
    ]

    ok(api.post(f"{path}/draw", {"seed": "s"}))
    late = api.patch(path, {"share": 70, "version": edited["version"]})
    assert [e["loc"] for e in error(late, 422, "invalid")["errors"]] == [["body", "share"]]

    deputy = Api(world.users["deputy_gm"])
    ok(deputy.post(f"{path}/open"))
    drawn = Household.objects.filter(survey_id=survey["id"])
    assert drawn.filter(sms_sent_at__isnull=False).count() == drawn.count() > 0  # everyone has a phone here
    assert ok(api.post(f"{path}/remind"))["reminded"] == 0  # not before the gap (3 days)
    drawn.update(sms_sent_at=now() - timedelta(days=4))
    assert ok(api.post(f"{path}/remind"))["reminded"] == drawn.count()
    assert ok(api.post(f"{path}/remind"))["reminded"] == 0


def test_the_lists_cost_the_same_queries_whatever_their_length(world, supervisor, place):
    api = Api(world.users["handler_a"])
    make = Api(supervisor)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            ok(api.get(path, page_size=200))
        return len(captured)

    first = create(make, world, place[0])
    ok(make.post(f"/surveys/{first['id']}/draw", {"seed": "s"}))
    ok(api.get("/surveys"))  # the token's first use is recorded once
    one, sample_small = queries("/surveys"), queries(f"/surveys/{first['id']}/sample")
    for _ in range(3):
        create(make, world, place[0])
    add_households(world.building_a, 10)
    bigger = create(make, world, place[0], share=100)
    ok(make.post(f"/surveys/{bigger['id']}/draw", {"seed": "s"}))
    assert queries("/surveys") == one
    assert queries(f"/surveys/{bigger['id']}/sample") == sample_small
