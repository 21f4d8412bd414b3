"""Notices to customers over the API (SPEC A-2, C-2, C-3): the paths the issue names, the lead
time checked at creation, scheduling, publishing, the recipients with their read receipts, and
the pages' permissions (another estate's notice is a 404, an auditor cannot write)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from estatedesk.api import api
from estatedesk.communication.models import HouseholdLink, Notice, NoticeRecipient
from estatedesk.communication.services import notices
from estatedesk.core.clock import now
from estatedesk.org.models import Building
from tests.communication.conftest import add_households, draft
from tests.surveys.api_client import Api, error, ok

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-2"), pytest.mark.req("C-2")]


def body(world, **changes):
    starts = now() + timedelta(days=3)
    values = {
        "kind": "water_cut",
        "title": "3栋停水通知",
        "body": "<p>因清洗水箱停水4小时。</p><script>alert(1)</script>",
        "estate": world.estate_a.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=4)).isoformat(),
        "channels": ["portal", "sms"],
    }
    values.update(changes)
    return values


def test_the_openapi_document_lists_the_customer_notice_paths():
    paths = api.get_openapi_schema()["paths"]
    assert {"get", "post"} <= set(paths["/api/customer-notices"])
    assert "get" in paths["/api/customer-notices/{notice_id}"]
    assert "post" in paths["/api/customer-notices/{notice_id}/publish"]
    assert "get" in paths["/api/customer-notices/{notice_id}/recipients"]
    fields = api.get_openapi_schema()["components"]["schemas"]["NoticeIn"]["properties"]
    for name in ("kind", "title", "body", "estate", "buildings", "starts_at", "ends_at"):
        assert name in fields
    for name in ("publish_at", "channels", "urgent", "late_reason"):
        assert name in fields


@pytest.mark.req("C-3")
def test_a_notice_written_published_and_its_recipients_read_back(world):
    tower_5 = Building.objects.create(estate=world.estate_a, name="5栋", floors=20)
    units = add_households(tower_5, 3, phone_from=5000)
    add_households(world.building_a, 2, start=301)
    handler = Api(world.users["handler_a"])
    created = ok(handler.post("/customer-notices", body(world, buildings=[tower_5.pk])), 201)
    assert created["status"] == "draft" and created["number"].startswith("TZ")
    assert "<script" not in created["body"] and "停水" in created["body"]
    assert created["buildings"] == [tower_5.pk] and created["audience"] == "households"

    published = ok(handler.post(f"/customer-notices/{created['id']}/publish"))
    assert published["status"] == "published" and published["households"] == 3
    assert ok(handler.get(f"/customer-notices/{created['id']}"))["read"] == 0

    NoticeRecipient.objects.filter(notice_id=created["id"], unit=units[0]).update(read_at=now())
    page = ok(handler.get(f"/customer-notices/{created['id']}/recipients"))
    assert page["count"] == 3
    assert {r["unit"] for r in page["items"]} == {u.pk for u in units}
    first = next(r for r in page["items"] if r["unit"] == units[0].pk)
    assert first["read"] is True and first["read_at"] is not None and first["unit_label"] == units[0].label
    assert first["building"] == tower_5.pk and first["channels"] == ["portal", "sms"]
    assert first["contacted"] is False
    unread = ok(handler.get(f"/customer-notices/{created['id']}/recipients", read="false"))
    assert unread["count"] == 2 and all(not r["read"] for r in unread["items"])
    small = ok(handler.get(f"/customer-notices/{created['id']}/recipients", page_size=1, page=2))
    assert small["count"] == 3 and len(small["items"]) == 1

    listed = ok(handler.get("/customer-notices", kind="water_cut", status="published"))
    assert [n["id"] for n in listed["items"]] == [created["id"]]
    assert ok(handler.get("/customer-notices", status="draft"))["count"] == 0
    assert handler.get("/customer-notices", kind="nonsense").status_code == 422


def test_a_late_work_notice_is_refused_at_creation_without_a_reason(world):
    handler = Api(world.users["handler_a"])
    starts = now() + timedelta(days=3)
    late = body(world, publish_at=(starts - timedelta(hours=2)).isoformat())
    refused = error(handler.post("/customer-notices", late), 422, "invalid")
    assert refused["errors"][0]["loc"] == ["body", "late_reason"]
    assert not Notice.objects.exists()  # nothing stored

    late["late_reason"] = "供水公司临时通知"
    scheduled = ok(handler.post("/customer-notices", late), 201)
    assert scheduled["status"] == "scheduled"  # publish_at in the future: scheduled at once

    on_time = ok(
        handler.post("/customer-notices", body(world, publish_at=(now() + timedelta(hours=1)).isoformat())),
        201,
    )
    assert on_time["status"] == "scheduled"


def test_publishing_a_draft_too_late_names_late_reason(world):
    handler = Api(world.users["handler_a"])
    soon = now() + timedelta(hours=3)
    created = ok(
        handler.post(
            "/customer-notices",
            body(world, starts_at=soon.isoformat(), ends_at=(soon + timedelta(hours=2)).isoformat()),
        ),
        201,
    )
    refused = error(handler.post(f"/customer-notices/{created['id']}/publish"), 422, "invalid")
    assert refused["errors"][0]["loc"] == ["body", "late_reason"]
    assert Notice.objects.get(pk=created["id"]).status == "draft"


def test_the_audience_defaults_to_owners_for_a_financial_report(world):
    handler = Api(world.users["handler_a"])
    report = body(
        world, kind="financial_report", title="2026年上半年物业费收支公示", starts_at=None, ends_at=None
    )
    created = ok(handler.post("/customer-notices", report), 201)
    assert created["audience"] == "owners"
    refused = error(handler.post("/customer-notices", {**report, "audience": "households"}), 422, "invalid")
    assert refused["errors"][0]["loc"] == ["body", "audience"]


@pytest.mark.req("P-1")
def test_another_estates_handler_gets_404_and_an_auditor_cannot_write(world):
    notice = notices.create_notice(actor=world.users["handler_a"], draft=draft(world))
    notices.publish_notice(actor=world.users["handler_a"], notice=notice)
    other = Api(world.users["handler_b"])
    for path in (f"/customer-notices/{notice.pk}", f"/customer-notices/{notice.pk}/recipients"):
        error(other.get(path), 404, "not_found")
    error(other.post(f"/customer-notices/{notice.pk}/publish"), 404, "not_found")
    assert ok(other.get("/customer-notices"))["count"] == 0
    refused = error(other.post("/customer-notices", body(world)), 422, "invalid")
    assert refused["errors"][0]["loc"] == ["body", "estate"]

    auditor = Api(world.users["auditor"])
    assert ok(auditor.get(f"/customer-notices/{notice.pk}"))["id"] == notice.pk  # reads everything
    error(auditor.post("/customer-notices", body(world)), 403, "permission_denied")
    error(auditor.post(f"/customer-notices/{notice.pk}/publish"), 403, "permission_denied")
    assert Notice.objects.count() == 1
    assert HouseholdLink.objects.filter(unit=world.unit_a).exists()


def test_bad_times_answer_422_naming_the_field(world):
    handler = Api(world.users["handler_a"])
    far = body(world, starts_at="9999-12-31T23:59:00")
    assert error(handler.post("/customer-notices", far), 422, "invalid")["errors"][0]["loc"] == [
        "body",
        "starts_at",
    ]
    # A time without a zone is the company's.
    naive = (now() + timedelta(days=3)).astimezone().replace(tzinfo=None)
    created = ok(
        handler.post("/customer-notices", body(world, starts_at=naive.isoformat(), ends_at=None)), 201
    )
    assert created["starts_at"].endswith("+08:00")


def test_the_lists_read_the_same_queries_however_many_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = Api(world.users["handler_a"])
    first = notices.publish_notice(
        actor=world.users["handler_a"],
        notice=notices.create_notice(actor=world.users["handler_a"], draft=draft(world)),
    )

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert handler.get(path).status_code == 200
        return len(seen.captured_queries)

    queries("/customer-notices")  # the token's first use is noted once
    listed, recipients = queries("/customer-notices"), queries(f"/customer-notices/{first.pk}/recipients")
    add_households(world.building_a, 5, start=501)
    for _n in range(3):
        notices.create_notice(actor=world.users["handler_a"], draft=draft(world))
    more = notices.publish_notice(
        actor=world.users["handler_a"],
        notice=notices.create_notice(actor=world.users["handler_a"], draft=draft(world)),
    )
    assert queries("/customer-notices") == listed
    assert queries(f"/customer-notices/{more.pk}/recipients") == recipients
