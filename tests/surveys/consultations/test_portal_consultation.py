"""A resident answering the month's consultation from the questionnaire slip's link (SPEC S-4, W-1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from estatedesk.core.redact import redact
from estatedesk.surveys.models import ConsultationAnswer, ConsultedHousehold
from estatedesk.surveys.services import consultations as svc
from tests.helpers import frozen_at
from tests.surveys.consultations.test_entry import running
from tests.test_i18n_pages import leftovers

pytestmark = [pytest.mark.django_db, pytest.mark.req("S-4"), pytest.mark.req("W-1")]


def phone(language: str = "zh-hans", ip: str = "203.0.113.9") -> Client:
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone)", REMOTE_ADDR=ip)
    client.cookies["estatedesk_language"] = language
    return client


def _household(world, **extra):
    consultation = running(world, method="questionnaire", **extra)
    return ConsultedHousehold.objects.get(consultation=consultation, unit=world.unit_a)


def test_a_resident_answers_from_the_link_once(world):
    household = _household(world)
    client = phone()
    url = reverse("portal:consultation", args=[household.token])
    page = client.get(url)
    assert page.status_code == 200 and "保洁" in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin"  # it posts: the origin only, never the token
    response = client.post(
        url,
        {
            "level_cleaning": "dissatisfied",
            "reason_cleaning": "垃圾桶满了没人倒",
            "level_security": "",
            "remarks": "谢谢",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:consultation_done", args=[household.token]
    )
    household.refresh_from_db()
    assert household.channel == "online" and household.remarks == "谢谢"
    assert ConsultationAnswer.objects.get(household=household).reason == "垃圾桶满了没人倒"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and thanks["Referrer-Policy"] == "no-referrer"
    again = client.get(url)
    assert again.status_code == 409 and "已" in again.content.decode()
    resent = client.post(url, {"level_cleaning": "very_satisfied"})
    assert resent.status_code == 409 and ConsultationAnswer.objects.filter(household=household).count() == 1


def test_an_empty_or_wrong_answer_is_refused_with_everything_kept(world):
    household = _household(world)
    client = phone()
    url = reverse("portal:consultation", args=[household.token])
    response = client.post(url, {"level_cleaning": "", "remarks": ""})
    assert response.status_code == 422 and 'id="consultation-error"' in response.content.decode()
    response = client.post(url, {"level_cleaning": "great", "remarks": "留言保留"})
    page = response.content.decode()
    assert response.status_code == 422 and "留言保留" in page and 'id="topic-cleaning-error"' in page
    household.refresh_from_db()
    assert household.answered_at is None


def test_an_unknown_link_is_the_friendly_not_found_page(world):
    response = phone().get(reverse("portal:consultation", args=["x" * 32]))
    assert response.status_code == 404 and "consultation-form" not in response.content.decode()


def test_a_consultation_not_started_or_finished_says_so(world):
    consultation = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=datetime(2026, 11, 1).date(),
        topics=["cleaning"],
        method="questionnaire",
        share=100,
    )
    household = ConsultedHousehold.objects.get(consultation=consultation, unit=world.unit_a)
    url = reverse("portal:consultation", args=[household.token])
    response = phone().get(url)
    assert response.status_code == 422 and 'id="consultation-refused"' in response.content.decode()
    svc.start_consultation(actor=world.users["handler_a"], consultation=consultation)
    svc.finish_consultation(actor=world.users["handler_a"], consultation=consultation)
    response = phone().post(url, {"level_cleaning": "satisfied"})
    assert response.status_code == 422 and 'id="consultation-refused"' in response.content.decode()
    assert not ConsultationAnswer.objects.exists()


def test_a_staff_consultation_has_no_resident_link(world):
    consultation = running(world, method="door_to_door")
    household = ConsultedHousehold.objects.get(consultation=consultation, unit=world.unit_a)
    assert phone().get(reverse("portal:consultation", args=[household.token])).status_code == 404


def test_lookups_are_limited_per_address(world, settings):
    settings.PORTAL_RATE_LOOKUP_IP = "2/1m"
    with frozen_at(datetime(2026, 12, 3, 4, 5, 30, tzinfo=UTC)):
        client = phone(ip="198.51.100.77")
        for _ in range(2):
            assert client.get(reverse("portal:consultation", args=["y" * 32])).status_code == 404
        assert client.get(reverse("portal:consultation", args=["z" * 32])).status_code == 429


def test_the_link_never_reaches_a_log(world):
    household = _household(world)
    cleaned = redact(f'"GET /r/m/{household.token}/ HTTP/1.1" 200 /r/m/{household.token}/done/')
    assert household.token not in cleaned and "/r/m/***/" in cleaned and "/r/m/***/done/" in cleaned


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_chinese_pages_show_no_english(world, language):
    household = _household(world)
    client = phone(language)
    url = reverse("portal:consultation", args=[household.token])
    assert leftovers(client.get(url).content.decode()) == []
    assert leftovers(client.post(url, {"level_cleaning": "", "remarks": ""}).content.decode()) == []
    client.post(url, {"level_cleaning": "satisfied"})
    assert (
        leftovers(client.get(reverse("portal:consultation_done", args=[household.token])).content.decode())
        == []
    )
    assert leftovers(client.get(url).content.decode()) == []
