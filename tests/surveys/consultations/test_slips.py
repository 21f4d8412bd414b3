"""The questionnaire consultation's QR slips (SPEC S-4, W-1, P-1): per building, eight to a page,
the unit and its personal link, no names; only for the user's estates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from estatedesk.core import pdf as printing
from estatedesk.surveys.models import ConsultedHousehold
from tests.surveys.conftest import add_households
from tests.surveys.consultations.test_entry import running

pytestmark = [pytest.mark.django_db, pytest.mark.req("S-4")]


def test_the_slips_carry_each_households_link_and_no_name(world):
    add_households(world.building_a, 9)  # ten households: two pages
    consultation = running(world, method="questionnaire")
    response = world.client("handler_a").get(reverse("surveys:consultation_slips", args=[consultation.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="slips"') == 2 and page.count('class="slip-qr"') == 10
    for household in ConsultedHousehold.objects.filter(consultation=consultation):
        assert reverse("portal:consultation", args=[household.token]) in page
        assert household.customer.name not in page  # 业主…: the slip goes into a letterbox
    assert "王小明" not in page


def test_only_the_households_not_answered_yet_and_only_a_building_asked_for(world):
    add_households(world.building_a, 2)
    consultation = running(world, method="questionnaire")
    client = world.client("handler_a")
    url = reverse("surveys:consultation_slips", args=[consultation.pk])
    assert client.get(url, {"building": world.building_a.pk}).status_code == 200
    assert client.get(url, {"building": world.building_b.pk}).status_code == 404


@pytest.mark.req("P-1")
def test_another_estate_and_a_staff_method_have_no_slips(world):
    consultation = running(world, method="questionnaire")
    assert (
        world.client("handler_b")
        .get(reverse("surveys:consultation_slips", args=[consultation.pk]))
        .status_code
        == 404
    )
    visits = running(world, method="door_to_door")
    url = reverse("surveys:consultation_slips", args=[visits.pk])
    assert world.client("handler_a").get(url).status_code == 404


@pytest.mark.skipif(not printing.pdf_available(), reason="WeasyPrint is not installed")
def test_the_slips_as_pdf(world):
    consultation = running(world, method="questionnaire")
    response = world.client("handler_a").get(
        reverse("surveys:consultation_slips_pdf", args=[consultation.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
