"""Intake during a busy phone shift: the confirmation says what really happened, a picked
customer's phone travels masked, and "record and start another" (SPEC K-1, K-2, D-3)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from estatedesk.complaints import batch
from estatedesk.complaints.models import Complaint
from estatedesk.complaints.views.intake import recorded_message
from tests.complaints.test_intake_pages import INTAKE, LOOKUP, client_for, form_data, recorded, refused


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.req("K-1")
def test_the_confirmation_says_no_handler_is_assigned_yet_and_who_was_told(world):
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王太太")
    )
    complaint = recorded(response)
    assert said(response) == [
        f"Complaint {complaint.number} recorded for 翠湖花園管理處; no handler is assigned yet. "
        "The department's handlers and head have been told."
    ]


@pytest.mark.req("K-2")
def test_the_confirmation_says_when_nobody_in_the_department_could_be_told(world):
    response = client_for(world, "gm").post(
        INTAKE,
        form_data(
            world,
            channel="government",
            unit_text="3栋-1201",
            complainant_name="王小明",
            department=world.customer_service.pk,  # a department with nobody in it yet
        ),
    )
    complaint = recorded(response)
    [message] = said(response)
    assert message.startswith(
        f"Complaint {complaint.number} recorded for 客戶服務部; no handler is assigned yet"
    )
    assert "nobody there could be told" in message


@pytest.mark.req("K-1")
def test_the_confirmation_names_the_handler_when_there_is_one(world, complaint):
    batch.take(actor=world.users["handler_a"], complaint=complaint.pk)
    with_handler = Complaint.objects.select_related("handler", "department").get(pk=complaint.pk)
    from django.utils import translation

    with translation.override("en"):
        assert (
            recorded_message(with_handler)
            == f"Complaint {complaint.number} recorded and passed to handler_a."
        )
    with translation.override("zh-hans"):
        assert recorded_message(with_handler) == f"已登记投诉 {complaint.number}，已派给 handler_a。"


@pytest.mark.req("D-3")
def test_picking_a_customer_fills_their_phone_masked_and_never_sends_the_full_number(world):
    client = client_for(world, "colleague_a")
    found = client.post(LOOKUP, {"unit_text": "王小明"})
    page = found.content.decode()
    assert 'data-phone="138****1234"' in page
    assert "13812341234" not in page
    picked = client.get(LOOKUP, {"customer": world.customer_a.pk, "unit": world.unit_a.pk}).content.decode()
    assert "13812341234" not in picked
    # The masked value sent back stands for the number on record.
    response = client.post(
        INTAKE,
        form_data(
            world,
            unit_text="3栋-1201",
            unit=world.unit_a.pk,
            customer=world.customer_a.pk,
            complainant_name="王小明",
            phone="138****1234",
        ),
    )
    assert recorded(response).contact_phone == "13812341234"


@pytest.mark.req("D-3")
def test_a_masked_phone_without_its_customer_is_refused_and_not_echoed_in_full(world):
    response = client_for(world, "colleague_a").post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王太太", phone="138****1234")
    )
    page = refused(response, "phone", "A masked number stands only for the phone of the customer picked")
    assert 'value="138****1234"' in page and 'value="13812341234"' not in page  # kept as typed, masked


@pytest.mark.req("K-1")
def test_record_and_start_another_keeps_the_duty_officer_on_a_fresh_form(world):
    client = client_for(world, "colleague_a")
    response = client.post(
        INTAKE, {**form_data(world, unit_text="3栋-1201", complainant_name="王太太"), "another": "1"}
    )
    assert response.status_code == 302 and response["Location"] == INTAKE
    complaint = Complaint.objects.get(description="3栋1201厨房天花漏水")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Complaint {complaint.number} recorded for" in html  # the message, shown on the new form
    assert "3栋1201厨房天花漏水" not in html  # a fresh form
    assert 'id="record-another"' in html
    # The plain "Record" button still opens the new complaint's page.
    plain = client.post(
        INTAKE, form_data(world, unit_text="3栋-1201", complainant_name="王太太", description="另一件事")
    )
    other = Complaint.objects.get(description="另一件事")
    assert plain["Location"] == reverse("complaints:detail", args=[other.pk])
