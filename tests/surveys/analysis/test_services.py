"""A survey's analysis and the GM's decisions (SPEC S-9, I-1, P-1): the Pareto of coded reasons,
the fishbone's version, the suggestion workflow and the draft of the next survey's text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from estatedesk.core.clock import company_today
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound, StaleEdit
from estatedesk.core.pareto import OTHER_KEY
from estatedesk.notifications.models import Message
from estatedesk.surveys import analysis
from estatedesk.surveys.models import Answer, Suggestion, SuggestionStatus, Survey
from estatedesk.surveys.review_selectors import suggestions_for
from estatedesk.surveys.services import analysis as services
from tests.conftest import World
from tests.surveys.results_world import closed_survey

S9 = pytest.mark.req("S-9")
pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world: World, supervisor: Any) -> Survey:
    return closed_survey(world, supervisor)


def _suggest(world: World, survey: Survey, persona: str = "deputy_gm", **extra: Any) -> Suggestion:
    return services.write_suggestion(
        actor=world.users[persona],
        survey=survey,
        title=extra.pop("title", "电梯维修响应提速"),
        text=extra.pop("text", "报修后两小时内到场，每月检查电梯维保记录。"),
        **extra,
    )


def _accept(world: World, suggestion: Suggestion, **extra: Any) -> Suggestion:
    args = {
        "owner": world.users["department_head"].staff,
        "due_date": company_today() + timedelta(days=30),
        "department": world.engineering,
    }
    args.update(extra)
    return services.accept_suggestion(actor=world.users["gm"], suggestion=suggestion, **args)


@S9
def test_reasons_are_coded_with_their_own_words_and_other_last(world: World, survey: Survey) -> None:
    answer = Answer.objects.filter(survey=survey).exclude(reason="").first()
    assert answer is not None
    # Two more reasons, on other questions of the same response: rubbish twice, one uncoded.
    others = list(Answer.objects.filter(response=answer.response).exclude(pk=answer.pk)[:3])
    for row, text in zip(others, ["楼下垃圾没人清", "垃圾桶太臭", "希望多搞点活动"], strict=True):
        row.reason = text
        row.save(update_fields=["reason"])
    bars = analysis.reason_pareto(survey)
    assert [b.code for b in bars] == ["cleaning", "lifts", OTHER_KEY]
    assert [b.count for b in bars] == [2, 1, 1]
    assert bars[0].reasons == ["楼下垃圾没人清", "垃圾桶太臭"]
    assert bars[-1].reasons == ["希望多搞点活动"]  # the free text is kept under "other"
    assert bars[-1].cumulative_share == 1.0
    assert bars[0].label == "清洁卫生"


@S9
def test_the_fishbone_saved_meanwhile_is_a_stale_edit(world: World, survey: Survey, supervisor: Any) -> None:
    first = services.save_analysis(
        actor=world.users["deputy_gm"],
        survey=survey,
        summary="电梯问题最多",
        problem="电梯维修慢",
        fishbone={"man": "维修工不足", "method": ["报修流程长"]},
        based_on=0,
    )
    assert first.fishbone == {"man": ["维修工不足"], "method": ["报修流程长"]}
    with pytest.raises(StaleEdit):
        services.save_analysis(
            actor=supervisor,
            survey=survey,
            summary="另一个人的分析",
            problem="电梯",
            fishbone={},
            based_on=0,
        )
    first.refresh_from_db()
    assert first.summary == "电梯问题最多"
    with pytest.raises(NotAllowed):
        services.save_analysis(
            actor=world.users["handler_a"], survey=survey, summary="x", problem="", fishbone={}, based_on=1
        )


@S9
def test_the_deputy_submits_and_only_the_gm_decides(world: World, survey: Survey) -> None:
    suggestion = _suggest(world, survey)
    assert suggestion.number.startswith("SG") and suggestion.status == SuggestionStatus.DRAFT
    with pytest.raises(NotAllowed):
        services.submit_suggestion(actor=world.users["handler_a"], suggestion=suggestion)
    services.submit_suggestion(actor=world.users["deputy_gm"], suggestion=suggestion)
    assert Message.objects.filter(
        user=world.users["gm"], link__contains=f"suggestion-{suggestion.pk}"
    ).exists()
    with pytest.raises(NotAllowed):
        services.accept_suggestion(
            actor=world.users["deputy_gm"],
            suggestion=suggestion,
            owner=world.users["department_head"].staff,
            due_date=company_today(),
            department=world.engineering,
        )
    with pytest.raises(NotAllowed):
        services.decline_suggestion(actor=world.users["deputy_gm"], suggestion=suggestion, reason="不做")


@pytest.mark.req("S-9", "I-1")
def test_accepted_opens_an_action_with_the_owner_and_date(world: World, survey: Survey) -> None:
    suggestion = _suggest(world, survey)
    services.submit_suggestion(actor=world.users["deputy_gm"], suggestion=suggestion)
    with pytest.raises(InvalidInput):
        _accept(world, suggestion, due_date=company_today() - timedelta(days=1))
    with pytest.raises(InvalidInput):
        _accept(world, suggestion, owner=None)
    due = company_today() + timedelta(days=30)
    _accept(world, suggestion, due_date=due)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    action = suggestion.improvement_action
    assert action.source == "survey" and action.department == world.engineering
    step = action.steps.get()
    assert step.owner == world.users["department_head"].staff and step.due_date == due
    assert Message.objects.filter(user=world.users["department_head"], link__contains="suggestion-").exists()


@pytest.mark.req("S-9", "I-1")
def test_a_declined_suggestion_becomes_no_action(world: World, survey: Survey) -> None:
    suggestion = _suggest(world, survey)
    services.submit_suggestion(actor=world.users["gm"], suggestion=suggestion)
    with pytest.raises(InvalidInput):
        services.decline_suggestion(actor=world.users["gm"], suggestion=suggestion, reason="  ")
    services.decline_suggestion(actor=world.users["gm"], suggestion=suggestion, reason="预算不足，明年再议")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DECLINED
    assert not hasattr(suggestion, "improvement_action")
    with pytest.raises(Exception) as error:
        _accept(world, suggestion)
    assert getattr(error.value, "status", None) == 409


@pytest.mark.req("S-9", "P-1")
def test_a_suggestion_about_another_estate_is_not_found(world: World, survey: Survey) -> None:
    suggestion = _suggest(world, survey, estate=world.estate_b)
    assert suggestion.estate == world.estate_b
    assert not suggestions_for(world.users["handler_a"]).filter(pk=suggestion.pk).exists()
    assert suggestions_for(world.users["handler_b"]).filter(pk=suggestion.pk).exists()
    with pytest.raises(NotFound):
        services.submit_suggestion(actor=world.users["deputy_gm"], suggestion=suggestion.pk + 999)


@S9
def test_the_draft_names_the_accepted_and_not_the_declined(world: World, survey: Survey) -> None:
    kept = _suggest(world, survey, title="电梯维修响应提速")
    dropped = _suggest(world, survey, title="全面更换门禁系统")
    for s in (kept, dropped):
        services.submit_suggestion(actor=world.users["deputy_gm"], suggestion=s)
    _accept(world, kept)
    services.decline_suggestion(actor=world.users["gm"], suggestion=dropped, reason="费用过高")
    text = analysis.draft_improvements(survey)
    assert "电梯维修响应提速" in text and world.engineering.name in text and "进行中" in text
    assert "门禁" not in text
