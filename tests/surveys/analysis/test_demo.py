"""The demo's analysis (SPEC S-9, I-1) on a small world: last year's closed survey analysed, two
suggestions accepted with their actions, one declined without one, one awaiting the GM, and the
next survey's text drafted from them; loading again changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from estatedesk.core.clock import now
from estatedesk.demo.analysis import load_analysis
from estatedesk.surveys.models import Suggestion, SuggestionStatus, SurveyAnalysis
from tests.conftest import World
from tests.surveys.conftest import annual
from tests.surveys.results_world import closed_survey

pytestmark = [pytest.mark.django_db, pytest.mark.req("S-9", "I-1")]


def test_the_demo_analyses_and_decides_once(world: World, supervisor: Any) -> None:
    last = closed_survey(world, supervisor)
    following = annual(world, world.users["deputy_gm"])
    assert load_analysis(now()) == 4
    assert SurveyAnalysis.objects.get(survey=last).fishbone["method"]
    rows: dict[str, list[Suggestion]] = {}
    for s in Suggestion.objects.filter(survey=last):
        rows.setdefault(s.status, []).append(s)
    assert len(rows[SuggestionStatus.ACCEPTED]) == 2 and len(rows[SuggestionStatus.DECLINED]) == 1
    assert len(rows[SuggestionStatus.SUBMITTED]) == 1
    for s in rows[SuggestionStatus.ACCEPTED]:
        assert s.improvement_action.steps.get().owner_id == s.owner_id
    assert not hasattr(rows[SuggestionStatus.DECLINED][0], "improvement_action")
    following.refresh_from_db()
    assert "维修报修两小时内到场" in following.improvements and "已完成" in following.improvements
    assert "全面更换老旧电梯" not in following.improvements
    assert load_analysis(now()) == 0
    assert Suggestion.objects.count() == 4
