"""Staff intake pages: a phone call recorded in under a minute (SPEC K-1, K-2, K-18, C-7)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from estatedesk.complaints.models import Complaint, Status
from estatedesk.core.errors import InvalidInput
from estatedesk.notifications.models import Message
from tests.complaints.conftest import SHANGHAI, category, record

INTAKE = reverse("complaints:intake")
LOOKUP = reverse("complaints:intake_lookup")


def local(dt) -> str:
    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def client_for(world: Any, persona: str):
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in the source language
    return client


def form_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "complaint",
        "channel": "phone",
        "received_at": local(timezone.now() - timedelta(minutes=3)),
        "estate": world.estate_a.pk,
        "unit_text": "",
        "unit": "",
        "customer": "",
        "complainant_name": "",
        "phone": "",
        "category": category().pk,
        "description": "3栋1201厨房天花漏水",
        "requested_reply_at": "",
        "immediate_reply": "",
        "reply_manner": "oral",
        "submission_key": "",
    }
    data.update(overrides)
    return data


def recorded(response) -> Complaint:
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get(description="3栋1201厨房天花漏水")
    assert response["Location"] == reverse("complaints:detail", args=[complaint.pk])
    return complaint


def refused(response, field: str, text: str) -> str:
    assert response.status_code == 422
    page = response.content.decode()
    assert field in response.context["form"].errors, response.context["form"].errors
    assert text in page
    assert not Complaint.objects.filter(description="3栋1201厨房天花漏水").exists()
    return page


@pytest.mark.req("K-1")
def test_the_duty_officer_types_a_unit_and_the_page_works_without_javascript(world):
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王太太")
    )
    complaint = recorded(response)
    assert complaint.unit == world.unit_a
    assert complaint.estate == world.estate_a
    assert complaint.complainant_name == "王太太"
    assert complaint.status == Status.NEW
    assert complaint.recorded_by == world.users["colleague_a"]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert complaint.number in message and complaint.number.startswith("TS-")


@pytest.mark.req("K-1")
def test_a_full_phone_number_finds_the_customer_and_their_unit(world):
    response = client_for(world, "colleague_a").post(INTAKE, form_data(world, unit_text="138 1234 1234"))
    complaint = recorded(response)
    assert complaint.customer == world.customer_a
    assert complaint.unit == world.unit_a
    assert complaint.complainant_name == "王小明"
    assert complaint.contact_phone == "13812341234"


@pytest.mark.req("K-1")
def test_a_unit_and_customer_picked_from_the_lookup_arrive_as_hidden_ids(world):
    response = client_for(world, "colleague_a").post(
        INTAKE,
        form_data(world, unit_text="3栋-1201", unit=world.unit_a.pk, customer=world.customer_a.pk),
    )
    complaint = recorded(response)
    assert (complaint.unit, complaint.customer) == (world.unit_a, world.customer_a)


@pytest.mark.req("P-1")
def test_a_hidden_id_of_another_estates_unit_is_refused(world):
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit=world.unit_b.pk, complainant_name="李先生")
    )
    refused(response, "unit_text", "Look it up again")


@pytest.mark.req("K-1")
def test_the_intake_page_offers_the_kinds_and_defaults_the_time_to_now(world):
    response = client_for(world, "colleague_a").get(INTAKE)
    assert response.status_code == 200
    page = response.content.decode()
    for kind in ("complaint", "grievance", "enquiry"):
        assert f'value="{kind}"' in page
    shown = re.search(r'name="received_at" value="([^"]+)"', page)
    assert shown is not None
    received = datetime.fromisoformat(shown[1]).replace(tzinfo=SHANGHAI)  # the company's clock
    assert abs(timezone.now() - received) < timedelta(minutes=2)
    # the officer's only estate is chosen already
    assert response.context["form"]["estate"].value() == world.estate_a.pk
    assert 'name="attachments"' in page and "multiple" in page


@pytest.mark.req("K-18")
def test_the_lookup_shows_the_callers_earlier_complaints(world):
    earlier = record(world, description="电梯停运")
    client = client_for(world, "colleague_a")

    by_phone = client.get(LOOKUP, {"unit_text": "13812341234"}).content.decode()
    assert "王小明" in by_phone and "3栋-1201" in by_phone
    assert earlier.number in by_phone and "电梯停运" in by_phone
    assert "13812341234" not in by_phone  # the list shows the number masked
    assert "138****1234" in by_phone

    by_unit = client.get(LOOKUP, {"unit_text": "3栋-1201", "estate": world.estate_a.pk}).content.decode()
    assert earlier.number in by_unit

    picked = client.get(LOOKUP, {"customer": world.customer_a.pk, "unit": world.unit_a.pk}).content.decode()
    assert earlier.number in picked
    assert earlier.received_at.astimezone(SHANGHAI).strftime("%Y-%m-%d") in picked


@pytest.mark.req("D-3")
def test_a_phone_number_typed_into_the_lookup_travels_in_the_body_not_the_url(world):
    earlier = record(world, description="电梯停运")
    client = client_for(world, "colleague_a")
    page = client.get(INTAKE).content.decode()
    field = re.search(r"<input[^>]*name=\"unit_text\"[^>]*>", page)
    assert field, "the intake form has the look-up field"
    assert f'hx-post="{LOOKUP}"' in field.group(0) and "hx-get" not in field.group(0)
    assert 'hx-params="unit_text,estate"' in field.group(0)  # not the rest of the form
    found = client.post(LOOKUP, {"unit_text": "13812341234", "estate": world.estate_a.pk}).content.decode()
    assert earlier.number in found and "138****1234" in found and "13812341234" not in found


@pytest.mark.req("K-18")
def test_the_intake_page_shows_earlier_complaints_again_after_an_error(world):
    earlier = record(world)
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="13812341234", description="")
    )
    assert response.status_code == 422
    assert earlier.number in response.content.decode()


@pytest.mark.req("P-1")
def test_the_lookup_never_shows_another_estates_customers(world):
    record(world)
    client = client_for(world, "handler_b")
    page = client.get(LOOKUP, {"unit_text": "13812341234"}).content.decode()
    assert "王小明" not in page and "TS-" not in page
    picked = client.get(LOOKUP, {"customer": world.customer_a.pk}).content.decode()
    assert "TS-" not in picked


@pytest.mark.req("K-1")
def test_an_immediate_reply_closes_the_loop_at_intake_and_informs_the_handler(world):
    response = client_for(world, "colleague_a").post(
        INTAKE,
        form_data(
            world,
            unit_text="3栋-1201",
            complainant_name="王小明",
            immediate_reply="已安排维修工今天下午上门",
            reply_manner="oral",
        ),
    )
    complaint = recorded(response)
    assert complaint.status == Status.REPLIED
    assert complaint.replied_at_intake
    assert complaint.reply == "已安排维修工今天下午上门"
    informed = Message.objects.filter(user=world.users["handler_a"], link__endswith=f"/{complaint.pk}/")
    assert informed.exists()
    assert "answered" in " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.req("K-2")
def test_a_handler_cannot_record_a_complaint_that_reached_the_media(world):
    client = client_for(world, "handler_a")
    page = client.get(INTAKE).content.decode()
    assert 'value="media"' not in page and 'value="government"' not in page
    response = client.post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王小明", channel="media")
    )
    refused(response, "channel", "entered by company leadership")


@pytest.mark.req("K-2")
def test_the_gm_records_a_government_complaint_and_forwards_it(world):
    client = client_for(world, "gm")
    page = client.get(INTAKE).content.decode()
    assert 'value="government"' in page and 'name="department"' in page
    response = client.post(
        INTAKE,
        form_data(
            world,
            channel="government",
            unit_text="3栋-1201",
            complainant_name="王小明",
            department=world.engineering.pk,
        ),
    )
    complaint = recorded(response)
    assert complaint.channel == "government"
    assert complaint.department == world.engineering


@pytest.mark.req("C-7")
def test_an_enquiry_is_recorded_on_the_same_form(world):
    response = client_for(world, "colleague_a").post(
        INTAKE,
        form_data(
            world,
            kind="enquiry",
            unit_text="3栋-1201",
            complainant_name="王小明",
            immediate_reply="物业费可在服务中心或微信缴纳",
        ),
    )
    complaint = recorded(response)
    assert complaint.kind == "enquiry"
    assert complaint.number.startswith("TS-")


@pytest.mark.req("K-1")
def test_missing_contact_is_refused_with_everything_typed_kept(world):
    response = client_for(world, "colleague_a").post(INTAKE, form_data(world))
    page = refused(response, "complainant_name", "Give the complainant")
    assert "3栋1201厨房天花漏水" in page
    assert 'value="phone" selected' in page or 'value="phone"  selected' in page


@pytest.mark.req("K-1")
def test_an_unknown_unit_is_refused_next_to_the_field(world):
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="9栋-9999", complainant_name="赵先生", phone="13900001111")
    )
    page = refused(response, "unit_text", "9栋-9999")
    assert 'value="9栋-9999"' in page
    assert 'value="赵先生"' in page and 'value="13900001111"' in page
    assert "3栋1201厨房天花漏水" in page


@pytest.mark.req("K-1")
def test_a_requested_reply_time_in_the_past_is_refused(world):
    response = client_for(world, "colleague_a").post(
        INTAKE,
        form_data(
            world,
            unit_text="3栋-1201",
            complainant_name="王小明",
            requested_reply_at=local(timezone.now() - timedelta(minutes=1)),
        ),
    )
    refused(response, "requested_reply_at", "reply time")


@pytest.mark.req("K-1")
def test_a_received_time_in_the_future_is_refused(world):
    future = local(timezone.now() + timedelta(days=1))
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王小明", received_at=future)
    )
    page = refused(response, "received_at", "future")
    assert f'value="{future}"' in page


@pytest.mark.req("K-1")
def test_a_backdated_call_is_accepted(world):
    earlier = timezone.now() - timedelta(days=2)
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王小明", received_at=local(earlier))
    )
    complaint = recorded(response)
    assert abs(complaint.received_at - earlier) < timedelta(minutes=1)


@pytest.mark.req("K-1")
def test_photos_are_handed_to_the_upload_checks(world, monkeypatch):
    stored: list[str] = []

    def fake_store(*, complaint, upload, actor):
        stored.append(upload.name)

    monkeypatch.setattr("estatedesk.complaints.uploads.store", fake_store)
    data = form_data(world, unit_text="3栋-1201", complainant_name="王小明")
    data["attachments"] = [
        SimpleUploadedFile("leak1.jpg", b"one", "image/jpeg"),
        SimpleUploadedFile("leak2.jpg", b"two", "image/jpeg"),
    ]
    recorded(client_for(world, "colleague_a").post(INTAKE, data))
    assert stored == ["leak1.jpg", "leak2.jpg"]


@pytest.mark.req("K-1")
def test_a_refused_upload_says_so_next_to_the_file_field(world, monkeypatch):
    def refuse(*, complaint, upload, actor):
        raise InvalidInput("This file type is not accepted.", field="attachments")

    monkeypatch.setattr("estatedesk.complaints.uploads.store", refuse)
    data = form_data(world, unit_text="3栋-1201", complainant_name="王小明")
    data["attachments"] = [SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")]
    page = refused(client_for(world, "colleague_a").post(INTAKE, data), "attachments", "not accepted")
    assert "choose the photos or documents again" in page


@pytest.mark.req("P-1")
def test_an_auditor_cannot_record(world):
    assert world.client("auditor").get(INTAKE).status_code == 403
    assert world.client("auditor").get(LOOKUP, {"unit_text": "3栋-1201"}).status_code == 403


@pytest.mark.req("K-1")
def test_a_damaged_picked_id_is_reported_next_to_the_lookup_field(world):
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit="abc", complainant_name="王小明")
    )
    refused(response, "unit_text", "Look it up again")


@pytest.mark.req("K-1")
def test_sending_the_same_form_twice_records_one_complaint(world):
    client = client_for(world, "colleague_a")
    key = client.get(INTAKE).context["form"]["submission_key"].value()
    data = form_data(world, unit_text="3栋-1201", complainant_name="王小明", submission_key=key)
    first = recorded(client.post(INTAKE, data))
    second = client.post(INTAKE, data)
    assert second["Location"] == reverse("complaints:detail", args=[first.pk])
    assert Complaint.objects.filter(description="3栋1201厨房天花漏水").count() == 1


@pytest.mark.req("K-1")
def test_a_photo_taken_at_intake_is_stored_with_the_complaint(world):
    from tests.complaints.conftest import _tiny_png

    data = form_data(world, unit_text="3栋-1201", complainant_name="王小明")
    data["attachments"] = [SimpleUploadedFile("leak.png", _tiny_png(), "image/png")]
    complaint = recorded(client_for(world, "colleague_a").post(INTAKE, data))
    assert [a.original_name for a in complaint.attachments.all()] == ["leak.png"]

    data = form_data(world, unit_text="3栋-1201", complainant_name="王小明", description="第二次")
    data["attachments"] = [SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")]
    response = client_for(world, "colleague_a").post(INTAKE, data)
    assert response.status_code == 422
    assert "attachments" in response.context["form"].errors
    assert "choose the photos or documents again" in response.content.decode()
    assert not Complaint.objects.filter(description="第二次").exists()
