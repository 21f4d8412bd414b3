"""The complaint's timeline event kinds (SPEC P-2): declared once, each with its label."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from estatedesk.complaints import events, workflow
from estatedesk.complaints.events import ComplaintEvent
from estatedesk.complaints.models import Event
from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from tests.complaints.conftest import record


def test_every_step_of_the_complaint_workflow_is_an_event_kind():
    assert {t.name for t in workflow.COMPLAINT.transitions} <= set(ComplaintEvent.values)


def test_every_signing_step_of_the_slip_workflow_is_an_event_kind():
    signing = {
        t.name
        for t in workflow.SLIP.transitions
        if t.sources and set(t.sources) <= set(workflow.SLIP_SIGNING)
    }
    assert set(events.SLIP_SIGNATURES) == signing
    assert {f"slip_{name}" for name in signing} <= set(ComplaintEvent.values)


def test_the_event_model_takes_its_choices_from_the_kinds():
    assert Event._meta.get_field("action").choices == ComplaintEvent.choices


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_kind_has_a_label_in_every_language(language):
    with translation.override(language):
        for kind in ComplaintEvent:
            label = str(events.label_of(kind.value))
            assert label and label != kind.value, kind
    with translation.override("zh-hans"):
        assert str(events.label_of("slip_decide_gm")) == f"工作传签单：{workflow.SLIP.get('decide_gm').label}"


def test_an_unknown_stored_kind_is_shown_as_it_is():
    assert events.label_of("something_old") == "something_old"


@pytest.mark.django_db
@pytest.mark.req("P-2")
def test_the_timeline_names_the_resident_portal_and_the_system_when_nobody_signed_in(world):
    complaint = record(
        world,
        persona="",
        channel="portal",
        customer=None,
        phone="13812345678",
        privacy_notice=org_services.current_privacy_notice(),
    )
    events.deadline_changed(complaint, SYSTEM, reason="Office hours changed", change={})
    stored = list(complaint.events.order_by("at", "id"))
    assert [(e.action, e.actor_id, e.actor_name) for e in stored] == [
        ("record", None, ""),
        ("deadline_changed", None, ""),
    ]
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    items = re.findall(r'<li class="list-group-item timeline-item" id="event-(\d+)">(.*?)</li>', html, re.S)
    who = {int(pk): body for pk, body in items}
    assert "Resident portal" in who[stored[0].pk] and "System" not in who[stored[0].pk]
    assert "System" in who[stored[1].pk] and "Resident portal" not in who[stored[1].pk]
