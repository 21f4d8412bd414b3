"""The records API (SPEC A-2, D-1 … D-3, P-1): retention, holds, disposal runs, personal-data
requests — administrators and auditors read, administrators write, everyone else gets 403."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from estatedesk.records.models import DataRequest, LegalHold, RequestKind, RetentionRule
from tests.records.test_pages import KEY, LABELS, SHANGHAI, _hold, _run
from tests.test_api import Api, assert_error, token_for


class RecordsApi(Api):
    def put(self, path: str, data: Any) -> Any:
        return self.client.put(
            f"/api{path}", json.dumps(data), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(world):
    def make(persona: str, language: str = "en") -> RecordsApi:
        return RecordsApi(token_for(world.users[persona]), language)

    return make


def _request(world: Any) -> DataRequest:
    return DataRequest.objects.create(
        number="PD-2026-000001",
        kind=RequestKind.EXPORT,
        subject_label="王**（138****1234）",
        customer_ids=[world.customer_a.pk],
        received_via="业主来访，书面申请",
        handled_by=world.users["admin"],
        outcome={"sections": {"投诉": 2}},
    )


READS = ["/records/retention", "/records/holds", "/records/disposals", "/records/requests"]


@pytest.mark.req("P-1")
@pytest.mark.req("A-2")
@pytest.mark.parametrize("persona", ["handler_a", "department_head", "deputy_gm", "gm"])
def test_the_records_api_refuses_other_staff(world, api, things, archive_dir, persona):
    client = api(persona)
    hold = _hold(world)
    run = _run(world, archive_dir)
    for path in [*READS, f"/records/disposals/{run.pk}"]:
        assert_error(client.get(path), 403, "permission_denied")
    assert_error(
        client.put(f"/records/retention/{KEY}", {"months": 36, "version": 0}), 403, "permission_denied"
    )
    assert_error(
        client.post("/records/holds", {"record_type": KEY, "label": LABELS[8], "reason": "x"}),
        403,
        "permission_denied",
    )
    assert_error(client.post(f"/records/holds/{hold.pk}/release", {"reason": "x"}), 403, "permission_denied")
    assert not RetentionRule.objects.exists() and LegalHold.objects.get().in_force


@pytest.mark.req("P-1")
@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_administrators_and_auditors_read_the_records(world, api, things, archive_dir, persona):
    client = api(persona)
    _hold(world)
    run = _run(world, archive_dir)
    _request(world)
    table = client.get("/records/retention").json()
    (row,) = [r for r in table if r["record_type"] == KEY]
    assert (row["months"], row["default_months"], row["changed"], row["version"]) == (24, 24, False, 0)

    holds = client.get("/records/holds").json()
    assert holds["count"] == 1 and holds["items"][0]["record_label"] == LABELS[7]
    assert holds["items"][0]["in_force"] is True

    runs = client.get("/records/disposals").json()
    (listed,) = runs["items"]
    assert (listed["number"], listed["listed"], listed["disposed"]) == (run.number, 3, 2)
    assert listed["archive_sha256"] == run.archive_sha256
    detail = client.get(f"/records/disposals/{run.pk}").json()
    (counts,) = detail["types"]
    assert (counts["record_type"], counts["held"], counts["archived"]) == (KEY, 1, 2)
    assert_error(client.get("/records/disposals/999999"), 404, "not_found")

    requests = client.get("/records/requests").json()
    (request,) = requests["items"]
    assert request["subject"] == "王**（138****1234）" and "13812341234" not in json.dumps(requests)


@pytest.mark.req("P-1")
@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
def test_auditors_write_nothing_through_the_api(world, api, things):
    client = api("auditor")
    hold = _hold(world)
    assert_error(
        client.put(f"/records/retention/{KEY}", {"months": 36, "version": 0}), 403, "permission_denied"
    )
    assert_error(
        client.post("/records/holds", {"record_type": KEY, "label": LABELS[8], "reason": "审计"}),
        403,
        "permission_denied",
    )
    assert_error(
        client.post(f"/records/holds/{hold.pk}/release", {"reason": "审计"}), 403, "permission_denied"
    )
    assert not RetentionRule.objects.exists() and LegalHold.objects.count() == 1 and hold.in_force


@pytest.mark.req("D-1")
def test_an_administrator_changes_a_period_with_the_version_read(world, api, things):
    client = api("admin")
    response = client.put(f"/records/retention/{KEY}", {"months": 36, "note": "公司档案制度", "version": 0})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["months"], body["changed"], body["reason"], body["changed_by"]) == (
        36,
        True,
        "公司档案制度",
        "admin",
    )
    # Another administrator based on the old version: 409 with the values now saved.
    conflict = client.put(f"/records/retention/{KEY}", {"months": 12, "version": 0})
    assert conflict.status_code == 409
    stale = conflict.json()
    assert (stale["code"], stale["errors"][0]["loc"], stale["version"]) == (
        "stale_edit",
        ["body", "version"],
        1,
    )
    assert RetentionRule.objects.get(record_type=KEY).months == 36
    assert (
        client.put(f"/records/retention/{KEY}", {"months": 12, "version": body["version"]}).status_code == 200
    )


@pytest.mark.req("D-1")
@pytest.mark.parametrize("months", [0, 1201, "24", 2.5, None, True])
def test_a_bad_period_is_422(world, api, things, months):
    response = api("admin").put(f"/records/retention/{KEY}", {"months": months, "version": 0})
    body = assert_error(response, 422, "invalid")
    assert ["body", "months"] in [e["loc"] for e in body["errors"]]
    assert not RetentionRule.objects.exists()


@pytest.mark.req("D-1")
def test_an_unknown_record_type_is_404(world, api, things):
    assert_error(
        api("admin").put("/records/retention/nothing", {"months": 24, "version": 0}), 404, "not_found"
    )


@pytest.mark.req("D-2")
def test_an_administrator_places_and_releases_a_hold(world, api, things):
    client = api("admin")
    response = client.post("/records/holds", {"record_type": KEY, "label": LABELS[8], "reason": "诉讼保全"})
    assert response.status_code == 201, response.content
    placed = response.json()
    assert (placed["record_id"], placed["in_force"], placed["placed_by"]) == (8, True, "admin")
    missing = client.post("/records/holds", {"record_type": KEY, "label": "TS-2026-999999", "reason": "x"})
    assert_error(missing, 422, "invalid")
    assert_error(client.post("/records/holds", {"record_type": KEY, "label": LABELS[7]}), 422, "invalid")

    released = client.post(f"/records/holds/{placed['id']}/release", {"reason": "已和解"})
    assert released.status_code == 200, released.content
    assert (released.json()["in_force"], released.json()["release_reason"]) == (False, "已和解")
    assert_error(client.post(f"/records/holds/{placed['id']}/release", {"reason": "再次"}), 409, "conflict")
    assert_error(client.post("/records/holds/999999/release", {"reason": "x"}), 404, "not_found")


@pytest.mark.req("D-2")
def test_holds_in_force_come_first(world, api, things):
    released = _hold(world)
    released.released_at = datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)
    released.released_by = world.users["admin"]
    released.release_reason = "已和解"
    released.save()
    LegalHold.objects.create(
        record_type=KEY,
        record_id=8,
        record_label=LABELS[8],
        reason="诉讼",
        placed_by=world.users["admin"],
        placed_at=datetime(2020, 1, 1, tzinfo=SHANGHAI),
    )
    items = api("auditor").get("/records/holds").json()["items"]
    assert [i["in_force"] for i in items] == [True, False]
