"""The communication log over the API (SPEC A-2, C-4, P-1, D-3): the pages' permissions and rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from estatedesk.communication.models import Contact
from estatedesk.core.clock import company_zone, now
from estatedesk.org.models import CommitteeMember
from tests.communication.log_helpers import follow_up, record
from tests.surveys.api_client import Api, error, locs, ok

pytestmark = pytest.mark.django_db


def _body(world, **changes):
    values = {
        "estate": world.estate_a.pk,
        "office": world.office_a.pk,
        "occurred_at": (now() - timedelta(hours=3)).astimezone(company_zone()).isoformat(),
        "subject": "业委会月度例会",
        "channel": "face_to_face",
        "counterpart": "committee",
        "committee_members": [],
        "staff": [world.users["office_head_a"].staff.pk],
        "summary": "讨论停车位划线及外墙清洗安排。",
    }
    values.update(changes)
    return values


@pytest.mark.req("C-4")
def test_a_contact_is_recorded_followed_up_and_finished_through_the_api(world):
    member = CommitteeMember.objects.create(estate=world.estate_a, name="陈建国", position="主任")
    api = Api(world.users["office_head_a"])
    contact = ok(api.post("/communication-log", _body(world, committee_members=[member.pk])), 201)
    assert contact["number"].startswith("GT-") and contact["who"] == "主任 陈建国"
    due = (now() + timedelta(days=7)).astimezone(company_zone()).date().isoformat()
    row = ok(
        api.post(
            f"/communication-log/{contact['id']}/follow-ups",
            {"description": "联系划线施工单位", "owner": world.users["handler_a"].staff.pk, "due_date": due},
        ),
        201,
    )
    assert row["overdue"] is False and row["done"] is False
    listed = ok(api.get("/communication-log", state="open"))
    assert [c["id"] for c in listed["items"]] == [contact["id"]]
    done = ok(
        Api(world.users["handler_a"]).post(
            f"/communication-log/{contact['id']}/follow-ups/{row['id']}/done", {"result": "已约定周六施工"}
        )
    )
    assert done["done"] is True and done["done_by"] == "handler_a"
    error(
        api.post(f"/communication-log/{contact['id']}/follow-ups/{row['id']}/done", {"result": "再次"}),
        409,
        "conflict",
    )
    assert ok(api.get("/communication-log", state="open"))["count"] == 0


@pytest.mark.req("C-4")
def test_the_api_names_the_field_of_bad_input(world):
    api = Api(world.users["handler_a"])
    later = (now() + timedelta(days=2)).astimezone(company_zone()).isoformat()
    body = error(api.post("/communication-log", _body(world, occurred_at=later)), 422, "invalid")
    assert locs(body) == [["body", "occurred_at"]]
    body = error(api.post("/communication-log", _body(world, channel="notice_board")), 422, "invalid")
    assert locs(body) == [["body", "channel"]]
    body = error(api.post("/communication-log", _body(world, estate=world.estate_b.pk)), 422, "invalid")
    assert locs(body) == [["body", "estate"]]
    contact = record(world)
    body = error(
        api.post(
            f"/communication-log/{contact.pk}/follow-ups",
            {"description": "x", "owner": world.users["handler_b"].staff.pk, "due_date": "2099-01-01"},
        ),
        422,
        "invalid",
    )
    assert locs(body) == [["body", "owner"]]
    assert not Contact.objects.exclude(pk=contact.pk).exists()


@pytest.mark.req("P-1")
def test_another_estate_is_404_and_the_auditor_reads_masked_but_may_not_write(world):
    contact = record(world)
    row = follow_up(world, contact)
    other = Api(world.users["handler_b"])
    error(other.get(f"/communication-log/{contact.pk}"), 404, "not_found")
    error(
        other.post(f"/communication-log/{contact.pk}/follow-ups/{row.pk}/done", {"result": "x"}),
        404,
        "not_found",
    )
    error(
        other.post(
            f"/communication-log/{contact.pk}/follow-ups",
            {"description": "x", "owner": world.users["handler_b"].staff.pk, "due_date": "2099-01-01"},
        ),
        404,
        "not_found",
    )
    assert ok(other.get("/communication-log"))["count"] == 0
    auditor = Api(world.users["auditor"])
    seen = ok(auditor.get(f"/communication-log/{contact.pk}"))
    assert seen["who"] == "3栋-1201 王*明" and seen["other_people"] == "张*、李*"
    assert seen["follow_ups"][0]["overdue"] is True and seen["follow_ups"][0]["days_overdue"] == 7
    error(auditor.post("/communication-log", _body(world)), 403, "permission_denied")
    error(
        auditor.post(f"/communication-log/{contact.pk}/follow-ups/{row.pk}/done", {"result": "x"}),
        403,
        "permission_denied",
    )


@pytest.mark.req("C-4")
def test_an_edit_based_on_an_old_version_is_409_with_the_text_now_saved(world):
    contact = record(world)
    head = Api(world.users["office_head_a"])
    saved = ok(
        head.patch(
            f"/communication-log/{contact.pk}",
            {"version": contact.edit_version, "subject": contact.subject, "summary": "主任的版本"},
        )
    )
    assert saved["version"] == contact.edit_version + 1
    response = Api(world.users["handler_a"]).patch(
        f"/communication-log/{contact.pk}",
        {"version": contact.edit_version, "subject": contact.subject, "summary": "我的版本"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_edit" and response.json()["current"]["summary"] == "主任的版本"
    contact.refresh_from_db()
    assert contact.summary == "主任的版本"
