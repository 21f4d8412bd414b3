"""The corrective action's workflow, declared once (SPEC I-1): the model's statuses are its
states, every step writes its timeline event, and the help page's flowchart is drawn from it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.core import flowchart
from estatedesk.improvement import services, workflow
from estatedesk.improvement.events import ActionEventKind
from estatedesk.improvement.models import Action, ActionEvent, ActionStatus
from estatedesk.org.models import Role
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = pytest.mark.req("I-1")


def test_the_status_choices_are_the_workflows_states() -> None:
    field = Action._meta.get_field("status")
    assert list(field.choices) == list(workflow.ACTION.choices) == list(ActionStatus.choices)
    states = {value for value, _label in workflow.ACTION.states}
    for t in workflow.ACTION.transitions:
        assert set(t.sources) <= states, t.name
        assert t.target is None or t.target in states, t.name
    assert workflow.ACTION.final <= states
    assert frozenset(Role.values) == workflow.STEP_OWNER_ROLES  # a step's owner may hold any role
    assert set(ActionEvent._meta.get_field("kind").choices) == set(ActionEventKind.choices)


def test_the_flowchart_is_published_for_the_help_page() -> None:
    chart = flowchart.chart("action")
    assert chart is not None and chart.workflow is workflow.ACTION
    svg = flowchart.draw(chart.workflow, title=str(chart.title))
    assert svg.startswith("<svg") and 'data-workflow="action"' in svg


@pytest.mark.django_db
def test_every_step_writes_its_event_with_who_and_the_status_it_moved(world: Any) -> None:
    deputy, handler = world.users["deputy_gm"], world.users["handler_a"]
    with frozen_at(at(2026, 5, 4, 9, 0)):
        action = services.open_action(
            actor=deputy,
            kind="corrective",
            source="complaint",
            source_complaint=record(world),
            title="電梯反覆停運",
            problem="一個月內停運三次",
        )
        services.analyse(actor=deputy, action=action, cause_analysis="維保不到位")
        step = services.add_step(
            actor=deputy,
            action=action,
            description="更換門機",
            owner=handler.staff,
            due_date=date(2026, 5, 20),
        )
    with frozen_at(at(2026, 5, 18, 9, 0)):
        services.finish_step(actor=handler, step=step, result="已更換")
    with frozen_at(at(2026, 6, 18, 9, 0)):
        services.verify(actor=deputy, action=action, effective=False, note="6月仍停運")
        again = services.add_step(
            actor=deputy,
            action=action,
            description="換維保單位",
            owner=handler.staff,
            due_date=date(2026, 7, 1),
        )
        services.finish_step(actor=handler, step=again, result="已換")
    with frozen_at(at(2026, 8, 1, 9, 0)):
        services.verify(actor=world.users["gm"], action=action, effective=True, note="7月無停運")

    lines = [
        (e.kind, e.from_status, e.to_status, e.actor_name)
        for e in ActionEvent.objects.filter(action=action).order_by("at", "id")
    ]
    deputy_name, handler_name = deputy.staff.display_name, handler.staff.display_name
    assert lines == [
        ("opened", "", "open", deputy_name),
        ("analysed", "open", "open", deputy_name),
        ("step_planned", "open", "in_progress", deputy_name),
        ("step_finished", "in_progress", "verifying", handler_name),
        ("verified_not_effective", "verifying", "in_progress", deputy_name),
        ("step_planned", "in_progress", "in_progress", deputy_name),
        ("step_finished", "in_progress", "verifying", handler_name),
        ("verified_effective", "verifying", "closed", world.users["gm"].staff.display_name),
    ]
    first = ActionEvent.objects.filter(action=action).order_by("at", "id").first()
    assert first is not None and first.at == at(2026, 5, 4, 9, 0) and first.actor == deputy


@pytest.mark.django_db
def test_the_action_page_shows_its_timeline(world: Any) -> None:
    with frozen_at(at(2026, 5, 4, 9, 0)):
        action = services.open_action(
            actor=world.users["deputy_gm"],
            kind="corrective",
            source="complaint",
            source_complaint=record(world),
            title="電梯反覆停運",
            problem="一個月內停運三次",
        )
        client = world.client("deputy_gm")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = client.get(reverse("improvement:detail", args=[action.pk])).content.decode()
    assert 'id="timeline"' in html
    assert "Action opened" in html and world.users["deputy_gm"].staff.display_name in html
    # company time: 09:00 in Shanghai, whatever the server's zone
    assert "2026-05-04 09:00" in html
    assert "Open: analyse and plan" in html
