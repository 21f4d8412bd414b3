"""The results page of a survey (SPEC S-2, S-3, S-7, A-1): the figures worked out by hand in
``results_world``, in words and numbers, marked below target, and scoped to the user's estates."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from estatedesk.core.models import ExportRecord
from tests.conftest import World
from tests.surveys.results_world import COMMENT, REASON, closed_survey


def _page(world: World, persona: str, pk: int, language: str = "en") -> str:
    response = world.client(persona).get(reverse("surveys:results", args=[pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.req("S-2", "S-3", "S-7", "A-1")
def test_overall_figures_and_the_rule_in_words(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    html = _page(world, "deputy_gm", survey.pk)
    assert 'data-figure="distributed">20<' in html
    assert 'data-figure="returned">10<' in html
    assert 'data-figure="return-rate">50.0%<' in html
    assert 'data-figure="raw">86.0%<' in html
    assert "Return rate 50.0%, not below 50%: no adjustment" in html
    assert 'data-figure="n">114<' in html
    # 98/114 below the 90 % target
    assert 'id="overall-below"' in html


@pytest.mark.req("S-2", "S-3")
def test_estate_with_a_low_return_rate_is_penalised(world: World, supervisor: Any) -> None:
    survey = closed_survey(world, supervisor)
    html = _page(world, "deputy_gm", survey.pk)
    assert (
        "Return rate 40.0%, 10.0 points below 50%: 1 point off for every full 5 points short — 2 points off"
        in html
    )
    assert "75.0%" in html and "73.0%" in html
    html_zh = _page(world, "deputy_gm", survey.pk, "zh-hans")
    assert "回收率 40.0%，低于 50%，差 10.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 2 个百分点" in html_zh
