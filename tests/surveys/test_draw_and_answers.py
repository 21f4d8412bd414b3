"""The survey's draw and answers over the database (SPEC S-7, S-8, S-3): who is in the sample,
the draw's record, one answer per household, answers stored whole or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from estatedesk.complaints.models import Visit
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.models import CompanySettings
from estatedesk.org.models import Staff
from estatedesk.surveys import responses, results, services
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Answer, Household, Response, Survey, SurveyEvent
from tests.complaints.conftest import record
from tests.conftest import World
from tests.surveys.conftest import add_households, annual

S3 = pytest.mark.req("S-3")
S7 = pytest.mark.req("S-7")
S8 = pytest.mark.req("S-8")


def sample_of(survey: Survey) -> set[int]:
    return set(survey.households.values_list("unit_id", flat=True))


def opened(survey: Survey) -> Survey:
    """The survey as the deputy GM opens it (the SMS and links are tested with the portal)."""
    Survey.objects.filter(pk=survey.pk).update(status="open", opened_at=now())
    survey.refresh_from_db()
    return survey


def every_answer(survey: Survey, household: Household, level: str = "satisfied") -> list[AnswerInput]:
    version = responses.version_for(household)
    return [AnswerInput(q.pk, level if q.kind == "rating" else "") for q in version.questions.all()]


@S7
@pytest.mark.django_db
def test_each_estate_gives_half_its_occupied_households_rounded_up_and_vacant_units_are_left_out(
    world: World, supervisor: Any
) -> None:
    add_households(world.building_a, 8)  # estate A: 1 + 8 = 9 occupied → 5 asked
    add_households(world.building_a, 4, occupied=False)
    add_households(world.building_b, 2)  # estate B: 1 + 2 = 3 occupied → 2 asked
    survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="s1")
    rows = {row.estate_id: row for row in survey.estates.all()}
    a, b = rows[world.estate_a.pk], rows[world.estate_b.pk]
    assert (a.frame_size, a.vacant_count, a.target_size, a.sample_size) == (9, 4, 5, 5)
    assert (b.frame_size, b.vacant_count, b.target_size, b.sample_size) == (3, 0, 2, 2)
    assert (survey.frame_size, survey.vacant_count, survey.sample_size) == (12, 4, 7)
    assert survey.households.count() == 7
    assert not survey.households.filter(unit__occupied=False).exists()


@S7
@pytest.mark.django_db
def test_every_past_complainant_and_dissatisfied_customer_is_in_the_sample_even_beyond_the_share(
    world: World, supervisor: Any
) -> None:
    units = add_households(world.building_a, 5)  # estate A: 6 households, the share asks for 3
    complainants = [world.unit_a, units[0], units[1]]
    record(world)  # 王小明 of 3栋-1201
    record(world, unit=units[0], customer=units[0].customers.first(), description="车库漏水")
    grievance = record(world, kind="grievance", unit=units[1], customer=units[1].customers.first())
    visited = record(world, unit=units[2], customer=units[2].customers.first(), kind="enquiry")
    Visit.objects.create(
        complaint=visited,
        visited_at=now(),
        visitor=Staff.objects.get(user=world.users["handler_a"]),
        method="phone",
        opinion="维修后仍然漏水",
        satisfaction="very_dissatisfied",
    )
    survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="any")
    key = set(survey.households.filter(second_stage=True).values_list("unit_id", flat=True))
    assert key == {u.pk for u in complainants} | {units[2].pk}
    row = survey.estates.get(estate=world.estate_a)
    assert (row.target_size, row.second_stage_count, row.random_count) == (3, 4, 0)
    reasons = dict(survey.households.values_list("unit_id", "reasons"))
    assert reasons[units[1].pk] == ["grieved"]
    assert reasons[units[2].pk] == ["dissatisfied_visit"]
    assert grievance.kind == "grievance"


@S7
@pytest.mark.django_db
def test_a_household_dissatisfied_in_the_last_survey_is_in_this_one(world: World, supervisor: Any) -> None:
    add_households(world.building_a, 19)
    CompanySettings.objects.update(cs_supervisor_runs_surveys=True)
    last = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="last"))
    unhappy = last.households.filter(estate=world.estate_a).order_by("pk").first()
    assert unhappy is not None
    responses.enter_paper(
        actor=supervisor,
        survey=last,
        unit_id=unhappy.unit_id,
        answers=every_answer(last, unhappy, "dissatisfied"),
    )
    services.close_survey(actor=supervisor, survey=last)
    # Ten seeds, ten draws: the unhappy household is a key household in every one.
    for seed in range(10):
        survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed=str(seed))
        household = survey.households.get(unit_id=unhappy.unit_id)
        assert household.second_stage and household.reasons == ["dissatisfied_survey"]


@S7
@pytest.mark.django_db
def test_the_same_seed_over_the_same_frame_draws_the_same_sample(world: World, supervisor: Any) -> None:
    add_households(world.building_a, 60)
    first = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="2026")
    again = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="2026")
    other = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="2027")
    assert sample_of(first) == sample_of(again)
    assert sample_of(first) != sample_of(other)
    assert len(sample_of(first)) == len(sample_of(other)) == 31 + 1


@S7
@pytest.mark.django_db
def test_the_draw_is_recorded_once(world: World, supervisor: Any) -> None:
    survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="rec")
    assert survey.status == "drawn" and survey.seed == "rec" and survey.drawn_by == supervisor
    assert survey.drawn_by_name == "客服主管" and survey.drawn_at is not None
    event = SurveyEvent.objects.get(survey=survey, kind="drawn")
    assert event.data == {"seed": "rec", "frame": 2, "vacant": 0, "second_stage": 0, "random": 2}
    with pytest.raises(AlreadyHandled):
        services.draw_sample(actor=supervisor, survey=survey, seed="again")
    assert survey.households.count() == 2


@S7
@pytest.mark.django_db
def test_a_seed_is_made_when_none_is_given_and_kept(world: World, supervisor: Any) -> None:
    survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor))
    assert len(survey.seed) == 16


@S7
@pytest.mark.django_db
def test_the_deputy_gm_opens_and_closes_unless_the_company_lets_the_supervisor(
    world: World, supervisor: Any
) -> None:
    survey = services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x")
    with pytest.raises(NotAllowed):
        services.close_survey(actor=supervisor, survey=opened(survey))
    with pytest.raises(NotAllowed):
        services.create_survey(actor=world.users["handler_a"], kind="annual", title="x")
    CompanySettings.objects.update(cs_supervisor_runs_surveys=True)
    assert services.close_survey(actor=supervisor, survey=survey).status == "closed"


@S7
@pytest.mark.django_db
def test_bad_survey_settings_are_refused_with_the_field(world: World, supervisor: Any) -> None:
    for kwargs, field in [
        ({"share": 0}, "share"),
        ({"share": "101"}, "share"),
        ({"share": "abc"}, "share"),
        ({"title": " "}, "title"),
        ({"kind": "weekly"}, "kind"),
    ]:
        arguments: dict[str, Any] = {"kind": "annual", "title": "调查", **kwargs}
        with pytest.raises(InvalidInput) as error:
            services.create_survey(actor=supervisor, **arguments)
        assert error.value.field == field
    assert not Survey.objects.exists()


@S8
@pytest.mark.django_db
def test_one_answer_per_household(world: World, supervisor: Any) -> None:
    survey = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x"))
    household = survey.households.get(unit=world.unit_a)
    responses.enter_paper(
        actor=supervisor, survey=survey, unit_id=world.unit_a.pk, answers=every_answer(survey, household)
    )
    with pytest.raises(AlreadyHandled):
        responses.answer_online(token=household.token, answers=every_answer(survey, household))
    with pytest.raises(AlreadyHandled):
        responses.enter_paper(
            actor=supervisor, survey=survey, unit_id=world.unit_a.pk, answers=every_answer(survey, household)
        )
    assert Response.objects.filter(household=household).count() == 1
    assert Response.objects.get(household=household).channel == "paper"


@S8
@pytest.mark.django_db
def test_an_answer_is_stored_whole_or_not_at_all(world: World, supervisor: Any) -> None:
    survey = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x"))
    household = survey.households.get(unit=world.unit_a)
    answers = every_answer(survey, household)
    first, *rest = answers
    for bad in (
        rest,  # the first question missing
        [AnswerInput(first.question, "delighted"), *rest],  # not a level of the scale
        [first, first, *rest],  # the same question twice
        [*answers, AnswerInput(999999, "satisfied")],  # not on this questionnaire
    ):
        with pytest.raises(responses.AnswerProblems) as error:
            responses.enter_paper(actor=supervisor, survey=survey, unit_id=world.unit_a.pk, answers=bad)
        assert error.value.field.startswith("answers")
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert Household.objects.get(pk=household.pk).answered_at is None


@S8
@pytest.mark.django_db
def test_a_unit_outside_the_sample_or_the_staff_member_s_estates_is_refused(
    world: World, supervisor: Any
) -> None:
    vacant = add_households(world.building_a, 1, occupied=False)[0]
    survey = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x"))
    household_b = survey.households.get(unit=world.unit_b)
    for actor, unit in (
        (supervisor, vacant.pk),
        (world.users["handler_a"], world.unit_b.pk),
        (supervisor, "abc"),
    ):
        with pytest.raises(InvalidInput) as error:
            responses.enter_paper(
                actor=actor, survey=survey, unit_id=unit, answers=every_answer(survey, household_b)
            )
        assert error.value.field == "unit"
    assert not Response.objects.exists()


@S8
@pytest.mark.django_db
def test_answers_after_the_survey_closes_are_refused(world: World, supervisor: Any) -> None:
    CompanySettings.objects.update(cs_supervisor_runs_surveys=True)
    survey = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x"))
    household = survey.households.get(unit=world.unit_a)
    services.close_survey(actor=supervisor, survey=survey)
    with translation.override("zh-hans"), pytest.raises(InvalidInput, match="不再接受答卷"):
        responses.answer_online(token=household.token, answers=every_answer(survey, household))
    with translation.override("zh-hans"), pytest.raises(InvalidInput, match="不再接受答卷"):
        responses.enter_paper(
            actor=supervisor, survey=survey, unit_id=world.unit_a.pk, answers=every_answer(survey, household)
        )


@S8
@pytest.mark.django_db
def test_a_half_finished_answer_is_kept_for_the_same_link(world: World, supervisor: Any) -> None:
    survey = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x"))
    household = survey.households.get(unit=world.unit_a)
    answers = every_answer(survey, household)
    responses.save_draft(token=household.token, answers=[*answers[:3], AnswerInput(999, "x")], step=3)
    household.refresh_from_db()
    assert household.draft["step"] == 3
    assert sorted(household.draft["answers"]) == sorted(str(a.question) for a in answers[:3])
    responses.answer_online(token=household.token, answers=answers, language="zh-hans")
    household.refresh_from_db()
    assert household.draft == {} and household.answered_at is not None


@S3
@S8
@pytest.mark.django_db
def test_results_count_the_answers_and_apply_the_return_rate_rule(world: World, supervisor: Any) -> None:
    add_households(world.building_a, 19)  # estate A: 20 households, 10 asked; estate B: 1 asked
    survey = opened(services.draw_sample(actor=supervisor, survey=annual(world, supervisor), seed="x"))
    in_a = list(survey.households.filter(estate=world.estate_a).order_by("pk"))
    # 4 of 10 answer (40 %: 10 points short, 2 points off): 3 very satisfied, 1 neutral.
    for household, level in zip(in_a[:4], ["very_satisfied"] * 3 + ["neutral"], strict=True):
        responses.enter_paper(
            actor=supervisor,
            survey=survey,
            unit_id=household.unit_id,
            answers=every_answer(survey, household, level),
        )
    figures = results.survey_results(survey)
    estate_a = figures.results.by_estate[world.estate_a.pk]
    questions = survey.version.questions.filter(kind="rating").count()
    assert estate_a.tally.valid == 4 * questions
    assert estate_a.raw == 75 and estate_a.return_rate == 40 and estate_a.penalty_points == 2
    assert estate_a.adjusted == 73 and estate_a.mean_score == 90
    assert figures.overall.returns.distributed == 11 and figures.overall.returns.returned == 4
    assert figures.results.by_estate[world.estate_b.pk].raw is None
