"""The QR slips of a survey's sample, per building (SPEC S-8)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from estatedesk.core import pdf as printing
from estatedesk.core.models import ExportRecord
from estatedesk.surveys import services
from estatedesk.surveys.models import Household, Survey
from tests.complaints.test_printing import pdf_pages
from tests.surveys.conftest import add_households, annual

SHOTS = os.environ.get("PORTAL_SHOTS")  # a folder: the PDFs are written there to be looked at


def client_of(world: Any, persona: str, language: str = "zh-hans") -> Client:
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def drawn(world: Any, supervisor: Any) -> Survey:
    world.estate_a.service_phone = "0755-86008801"
    world.estate_a.save(update_fields=["service_phone"])
    add_households(world.building_a, 19)
    add_households(world.building_b, 3)
    survey = annual(world, supervisor)
    return services.draw_sample(actor=supervisor, survey=survey, seed="slips")


@pytest.mark.req("S-8")
def test_the_print_view_has_one_slip_per_sampled_household_of_the_building_with_its_link(world, drawn):
    households = list(Household.objects.filter(survey=drawn, building=world.building_a))
    page = client_of(world, "handler_a").get(
        reverse("surveys:sheet_print", args=[drawn.pk, world.building_a.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="slip-qr"') == len(households)
    for household in households:
        assert f"http://testserver/r/s/{household.token}/" in html
        assert f"{world.building_a.name} · {household.unit.number}" in html
    assert "0755-86008801" in html
    assert "用手机扫描二维码即可作答" in html
    # Eight to a page.
    assert html.count('<table class="slips">') == (len(households) + 7) // 8
    assert ExportRecord.objects.filter(list_name="survey-sheets", filters__format="html").count() == 1


@pytest.mark.req("S-8")
def test_the_building_chooser_lists_only_the_users_estates(world, drawn):
    mine = client_of(world, "handler_a").get(reverse("surveys:sheets", args=[drawn.pk])).content.decode()
    assert world.building_a.name in mine and world.building_b.name not in mine
    assert reverse("surveys:sheet_pdf", args=[drawn.pk, world.building_a.pk]) in mine
    everything = (
        client_of(world, "deputy_gm").get(reverse("surveys:sheets", args=[drawn.pk])).content.decode()
    )
    assert world.building_a.name in everything and world.building_b.name in everything


@pytest.mark.req("S-8")
@pytest.mark.req("P-1")
def test_another_estates_building_is_not_found(world, drawn):
    handler_b = client_of(world, "handler_b")
    for name in ("surveys:sheet_pdf", "surveys:sheet_print"):
        assert handler_b.get(reverse(name, args=[drawn.pk, world.building_a.pk])).status_code == 404
    assert not ExportRecord.objects.filter(list_name="survey-sheets").exists()


@pytest.mark.req("S-8")
def test_before_the_draw_there_is_nothing_to_print(world, supervisor):
    add_households(world.building_a, 2)
    survey = annual(world, supervisor)
    client = client_of(world, "deputy_gm", "en")
    page = client.get(reverse("surveys:sheets", args=[survey.pk]))
    assert page.status_code == 200
    assert "The sample is not drawn yet" in page.content.decode()
    assert client.get(reverse("surveys:sheet_pdf", args=[survey.pk, world.building_a.pk])).status_code == 404


@pytest.mark.req("S-8")
@pytest.mark.skipif(not printing.pdf_available(), reason="WeasyPrint cannot load here")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_pdf_of_a_building_in_each_language_is_recorded(world, drawn, language):
    services.open_survey(actor=world.users["deputy_gm"], survey=drawn)
    response = client_of(world, "handler_a", language).get(
        reverse("surveys:sheet_pdf", args=[drawn.pk, world.building_a.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        (Path(SHOTS) / f"slips-{language}.pdf").write_bytes(data)
    households = list(
        Household.objects.filter(survey=drawn, building=world.building_a).select_related("unit")
    )
    slips = len(households)
    pages = pdf_pages(data)
    assert len(pages) == (slips + 7) // 8
    text = "".join(pages)
    for household in households:  # the link, printed as text (pdftotext drops a hyphen at a line's end)
        assert household.token.replace("-", "") in text.replace("-", "")
    assert {"zh-hans": "用手机扫描二维码", "zh-hant": "用手機掃描二維碼", "en": "scantheQRcode"}[
        language
    ] in text
    record = ExportRecord.objects.get(list_name="survey-sheets", filters__format="pdf")
    assert record.row_count == slips and record.filters["survey"] == drawn.number
