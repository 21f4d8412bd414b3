"""The complaint's timeline event kinds (SPEC P-2): declared once, each with its label."""

from __future__ import annotations

import pytest
from django.utils import translation

from estatedesk.complaints import events, workflow
from estatedesk.complaints.events import ComplaintEvent
from estatedesk.complaints.models import Event


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
