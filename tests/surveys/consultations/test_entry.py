"""Recording a consultation's answers on a phone (SPEC S-4, W-1, P-1): the plain form and the
JSON endpoint the phone's queue sends to, once per answer however often it is sent."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from estatedesk.surveys.models import ConsultationAnswer, ConsultedHousehold
from estatedesk.surveys.services import consultations as svc

S4 = pytest.mark.req("S-4")
pytestmark = pytest.mark.django_db


def running(world, method="door_to_door", topics=("cleaning", "security")):
    consultation = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=list(topics),
        method=method,
        share=100,
    )
    svc.start_consultation(actor=world.users["handler_a"], consultation=consultation)
    return consultation


def _send(client, consultation, body):
    return client.post(
        reverse("surveys:consultation_entry_submit", args=[consultation.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def _answer(unit, key="key-00000001", level="satisfied", **extra):
    return {
        "unit": unit,
        "key": key,
        "answers": [{"topic": "cleaning", "level": level, "reason": ""}],
        "remarks": extra.get("remarks", ""),
    }


@S4
@pytest.mark.req("W-1")
def test_the_same_queued_answer_sent_twice_is_recorded_once(world):
    consultation = running(world)
    client = world.client("colleague_a")
    first = _send(client, consultation, _answer(world.unit_a.pk))
    assert first.status_code == 201 and first.json()["status"] == "recorded"
    again = _send(client, consultation, _answer(world.unit_a.pk))  # the reply was lost: the phone resends
    assert again.status_code == 200 and again.json()["status"] == "already_recorded"
    household = ConsultedHousehold.objects.get(consultation=consultation, unit=world.unit_a)
    assert household.answered_at is not None
    assert ConsultationAnswer.objects.filter(household=household).count() == 1


@S4
def test_another_answer_for_an_answered_household_is_refused(world):
    consultation = running(world)
    client = world.client("handler_a")
    assert _send(client, consultation, _answer(world.unit_a.pk)).status_code == 201
    other = _send(client, consultation, _answer(world.unit_a.pk, key="key-00000002", level="dissatisfied"))
    assert other.status_code == 409 and other.json()["detail"]
    assert ConsultationAnswer.objects.get(household__unit=world.unit_a).level == "satisfied"


@S4
def test_a_wrong_level_is_refused_naming_the_topic(world, settings):
    consultation = running(world)
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = _send(client, consultation, _answer(world.unit_a.pk, level="great"))
    assert response.status_code == 422
    assert response.json()["field"] == "answers.cleaning" and "保洁" in response.json()["detail"]
    empty = _send(client, consultation, {"unit": world.unit_a.pk, "key": "key-00000003", "answers": []})
    assert empty.status_code == 422
    no_key = _send(client, consultation, {**_answer(world.unit_a.pk), "key": ""})
    assert no_key.status_code == 422 and no_key.json()["field"] == "key"
    assert not ConsultationAnswer.objects.exists()


@S4
@pytest.mark.req("P-1")
def test_another_estates_handler_finds_nothing(world):
    consultation = running(world)
    client = world.client("handler_b")
    assert client.get(reverse("surveys:consultation_entry", args=[consultation.pk])).status_code == 404
    assert _send(client, consultation, _answer(world.unit_a.pk)).status_code == 404
    assert not ConsultationAnswer.objects.exists()


@S4
def test_a_role_that_does_not_record_is_refused(world):
    consultation = running(world)
    response = _send(world.client("auditor"), consultation, _answer(world.unit_a.pk))
    assert response.status_code == 403 and not ConsultationAnswer.objects.exists()


@S4
@pytest.mark.req("W-1")
def test_the_plain_form_records_and_offers_the_next_household(world):
    consultation = running(world)
    client = world.client("handler_a")
    url = reverse("surveys:consultation_entry", args=[consultation.pk])
    page = client.get(url)
    assert page.status_code == 200 and world.unit_a.label in page.content.decode()
    response = client.post(
        url,
        {
            "unit": world.unit_a.pk,
            "key": "plain-form-1",
            "level_cleaning": "very_dissatisfied",
            "reason_cleaning": "楼道垃圾没人清",
            "level_security": "",
            "remarks": "希望增加绿化",
        },
    )
    assert response.status_code == 302
    household = ConsultedHousehold.objects.get(consultation=consultation, unit=world.unit_a)
    assert household.remarks == "希望增加绿化"
    assert ConsultationAnswer.objects.get(household=household).reason == "楼道垃圾没人清"
    page = client.get(url).content.decode()
    assert f'<option value="{world.unit_a.pk}"' not in page


@S4
def test_the_plain_form_keeps_everything_on_bad_input(world, settings):
    consultation = running(world)
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    url = reverse("surveys:consultation_entry", args=[consultation.pk])
    response = client.post(
        url, {"unit": world.unit_a.pk, "level_cleaning": "", "remarks": "", "reason_security": "x"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "至少" in page, page[
        page.find("entry-remarks-error") - 200 : page.find("entry-remarks-error") + 300
    ]
    response = client.post(url, {"unit": world.unit_a.pk, "level_cleaning": "great", "remarks": "留着"})
    assert response.status_code == 422 and "留着" in response.content.decode()
    assert not ConsultationAnswer.objects.exists()
    # an answered household: 409, the typed answer kept
    client.post(url, {"unit": world.unit_a.pk, "key": "plain-form-2", "level_cleaning": "satisfied"})
    response = client.post(url, {"unit": world.unit_a.pk, "key": "plain-form-3", "remarks": "另一份意见"})
    assert response.status_code == 409 and "另一份意见" in response.content.decode()


@S4
def test_a_consultation_not_started_says_so(world, settings):
    consultation = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="phone",
        share=100,
    )
    client = world.client("handler_a")
    page = client.get(reverse("surveys:consultation_entry", args=[consultation.pk]))
    assert page.status_code == 200 and 'id="entry-closed"' in page.content.decode()
    assert _send(client, consultation, _answer(world.unit_a.pk)).status_code == 422
