"""Monthly consultations over the API (SPEC A-2, S-4, P-1): plan, swap, start, record answers
(a resent answer recorded once), finish, figures by topic, flags; another estate's is 404."""

from __future__ import annotations

from datetime import date

import pytest

from estatedesk.surveys.models import ConsultationAnswer, ConsultedHousehold
from estatedesk.surveys.services import consultations as svc
from tests.surveys.api_client import Api, error, ok
from tests.surveys.conftest import add_households

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-2"), pytest.mark.req("S-4")]


def _plan(api, world, **extra):
    body = {
        "estate": world.estate_a.pk,
        "month": "2026-11",
        "topics": ["cleaning", "security"],
        "method": "phone",
    }
    return api.post("/consultations", {**body, **extra})


def test_the_whole_consultation_over_the_api(world):
    add_households(world.building_a, 39)  # 40 occupied: 2 proposed
    api = Api(world.users["handler_a"])
    plan = ok(_plan(api, world, notes="本月重点"), 201)
    assert plan["number"].startswith("MC-") and plan["status"] == "planned"
    assert (plan["occupied"], plan["proposed"], plan["asked"]) == (40, 2, 2)
    pk = plan["id"]
    assert ok(api.get("/consultations", month="2026-11"))["count"] == 1
    assert ok(api.get("/consultations", month="2026-10"))["count"] == 0

    sample = ok(api.get(f"/consultations/{pk}/households"))
    assert sample["count"] == 2 and all(h["proposed"] and h["asked"] for h in sample["items"])
    out = sample["items"][0]["unit"]
    candidate = svc.swap_candidates(svc.Consultation.objects.get(pk=pk))[0]
    ok(api.post(f"/consultations/{pk}/swap", {"out_unit": out, "in_unit": candidate, "reason": "业主出差"}))
    rows = {h["unit"]: h for h in ok(api.get(f"/consultations/{pk}/households"))["items"]}
    assert rows[out]["asked"] is False and rows[out]["swapped_for"] == candidate
    assert rows[candidate]["proposed"] is False and rows[candidate]["asked"] is True

    assert ok(api.post(f"/consultations/{pk}/start"))["status"] == "running"
    body = {
        "unit": candidate,
        "answers": [
            {"topic": "cleaning", "level": "dissatisfied", "reason": "垃圾清运不及时"},
            {"topic": "security", "level": "satisfied"},
        ],
        "remarks": "停车位不足",
        "submission_key": "phone-1-abc",
    }
    first = ok(api.post(f"/consultations/{pk}/answers", body), 201)
    assert first["recorded"] is True and first["answers"] == 2
    again = ok(api.post(f"/consultations/{pk}/answers", body), 200)  # the phone resent it
    assert again["recorded"] is False
    assert ConsultationAnswer.objects.filter(household__unit_id=candidate).count() == 2
    other = error(
        api.post(f"/consultations/{pk}/answers", {**body, "submission_key": "phone-2"}), 409, "conflict"
    )
    assert other["errors"][0]["loc"] == ["body", "unit"]

    done = ok(api.post(f"/consultations/{pk}/finish"))
    assert done["status"] == "finished"
    topics = {t["category"]: t for t in done["topics_figures"]}
    assert topics["cleaning"]["valid"] == 1 and topics["cleaning"]["satisfaction_raw"] == 0.0
    assert topics["security"]["satisfaction_raw"] == 100.0
    assert topics["security"]["ci_low"] is not None and topics["security"]["ci_high"] == 100.0


def test_bad_bodies_name_the_field_in_the_users_language(world):
    api = Api(world.users["handler_a"], language="zh-hans")
    body = error(_plan(api, world, share=3), 422, "invalid")
    assert body["errors"][0]["loc"][:2] == ["body", "share"]
    body = error(_plan(api, world, estate=world.estate_b.pk), 422, "invalid")
    assert body["errors"][0]["loc"] == ["body", "estate"] and "选择" in body["errors"][0]["msg"]
    error(_plan(api, world, topics=["nonsense"]), 422, "invalid")
    error(_plan(api, world, month="2026-13"), 422, "invalid")
    pk = ok(_plan(api, world), 201)["id"]
    body = error(
        api.post(f"/consultations/{pk}/answers", {"unit": world.unit_a.pk, "answers": []}), 422, "invalid"
    )


def test_another_estates_consultation_is_not_found(world):
    consultation = svc.plan_consultation(
        actor=world.users["handler_b"],
        estate=world.estate_b,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="phone",
    )
    api = Api(world.users["handler_a"])
    for path in ["", "/households"]:
        error(api.get(f"/consultations/{consultation.pk}{path}"), 404, "not_found")
    error(api.post(f"/consultations/{consultation.pk}/start"), 404, "not_found")
    error(
        api.post(f"/consultations/{consultation.pk}/answers", {"unit": world.unit_b.pk, "answers": []}),
        404,
        "not_found",
    )
    assert ok(api.get("/consultations"))["count"] == 0
    assert ok(Api(world.users["deputy_gm"]).get("/consultations"))["count"] == 1


def test_names_are_masked_for_the_auditor(world):
    svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="phone",
        share=100,
    )
    pk = svc.Consultation.objects.get().pk
    named = ok(Api(world.users["handler_a"]).get(f"/consultations/{pk}/households"))["items"]
    masked = ok(Api(world.users["auditor"]).get(f"/consultations/{pk}/households"))["items"]
    assert named[0]["customer"] and named[0]["customer"] != masked[0]["customer"]
    assert ConsultedHousehold.objects.count() == len(named)


def test_the_flags_over_the_api(world):
    flags = ok(Api(world.users["handler_a"]).get("/consultations/flags", months=3))
    assert flags["months"] == 3
    assert {f["kind"] for f in flags["flags"]} <= {"missing", "under_share", "low_return"}
    assert any(f["kind"] == "missing" and f["estate"] == world.estate_a.pk for f in flags["flags"])
    assert all(f["estate"] == world.estate_a.pk for f in flags["flags"])
    error(Api(world.users["handler_a"]).get("/consultations/flags", months=99), 422, "invalid")
