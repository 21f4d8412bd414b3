"""The home page's "surveys under way" panel (SPEC A-1, S-8): real surveys, in scope, with
the returns of the reader's own estates."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from estatedesk.core.clock import now
from estatedesk.surveys import responses, services
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Survey
from tests.conftest import World
from tests.surveys.conftest import add_households, annual
from tests.test_home_panels import home, panels_on

pytestmark = [pytest.mark.req("A-1"), pytest.mark.req("S-8")]


@pytest.mark.django_db
def test_the_panel_lists_the_surveys_under_way_with_the_reader_s_own_returns(
    world: World, supervisor: Any
) -> None:
    add_households(world.building_a, 3)  # estate A: 4 households, 2 asked; estate B: 1 asked
    survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="p")
    Survey.objects.filter(pk=survey.pk).update(status="open", opened_at=now())
    household = survey.households.filter(estate=world.estate_a).first()
    assert household is not None
    version = responses.version_for(household)
    responses.enter_paper(
        actor=supervisor,
        survey=survey,
        unit_id=household.unit_id,
        answers=[
            AnswerInput(q.pk, "satisfied" if q.kind == "rating" else "") for q in version.questions.all()
        ],
    )
    services.create_survey(
        actor=supervisor, kind="special", title="A座电梯专项调查", estate_ids=[world.estate_b.pk]
    )

    deputy = panels_on(home(world.client("deputy_gm")))["surveys"]
    assert deputy[0] == 2
    assert reverse("surveys:detail", args=[survey.pk]) in deputy[1]
    assert "returned 1 of 3 (33.3%)" in deputy[1]
    assert "A座电梯专项调查" in deputy[1]

    handler_a = panels_on(home(world.client("handler_a")))["surveys"]
    assert handler_a[0] == 1
    assert "returned 1 of 2 (50.0%)" in handler_a[1]
    assert "A座电梯专项调查" not in handler_a[1]


@pytest.mark.django_db
def test_with_no_survey_under_way_the_panel_says_so(world: World) -> None:
    body = panels_on(home(world.client("office_head_a")))["surveys"]
    assert body[0] == 0
    assert "No survey is under way." in body[1]
