"""SPEC A-2 with S-8 and W-1: questionnaires returned over the API, on paper (staff) or through
the household's personal token (the resident). Stored whole or not at all; every problem
answered at the field it is about, in the request's language."""

from __future__ import annotations

import json

import pytest

from estatedesk.core.clock import now
from estatedesk.surveys import services
from estatedesk.surveys.models import Answer, Household, Response, Survey
from tests.surveys.api_client import Api, error, locs, ok, small_questionnaire
from tests.surveys.conftest import add_households

pytestmark = [pytest.mark.req("A-2"), pytest.mark.req("S-8")]


@pytest.fixture
def drawn(world, supervisor):
    """An open survey of both estates with everyone sampled (share 100 %)."""
    add_households(world.building_a, 3)
    add_households(world.building_b, 1)
    version, housing, cleaning, words = small_questionnaire()
    survey = services.create_survey(
        actor=supervisor,
        kind="annual",
        title="年度调查",
        estate_ids=[world.estate_a.pk, world.estate_b.pk],
        share=100,
        version=version,
        office_version=version,
    )
    services.draw_sample(actor=supervisor, survey=survey, seed="s")
    Survey.objects.filter(pk=survey.pk).update(status="open", opened_at=now())
    return survey, str(housing.pk), str(cleaning.pk), str(words.pk)


def nothing_stored() -> None:
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not Household.objects.filter(answered_at__isnull=False).exists()


def household(world, survey, unit=None) -> Household:
    return Household.objects.get(survey=survey, unit=unit or world.unit_a)


@pytest.mark.req("W-1")
def test_every_bad_paper_questionnaire_is_refused_at_its_field_and_nothing_is_stored(world, drawn):
    survey, h, c, w = drawn
    api = Api(world.users["handler_a"])
    path = f"/surveys/{survey.pk}/responses"
    unit = world.unit_a.pk
    cases = [
        # A required question without an answer.
        ({"unit": unit, "answers": {h: "satisfied"}}, 422, ["body", "answers", c]),
        # A question this questionnaire does not ask.
        ({"unit": unit, "answers": {h: "satisfied", c: "satisfied", "999999": "satisfied"}}, 422, ["body", "answers", "999999"]),
        ({"unit": unit, "answers": {h: "satisfied", c: "satisfied", "abc": "satisfied"}}, 422, ["body", "answers"]),
        # A level the scale does not have; a rating given to a free-text question.
        ({"unit": unit, "answers": {h: "great", c: "satisfied"}}, 422, ["body", "answers", h]),
        ({"unit": unit, "answers": {h: "satisfied", c: "satisfied", w: "satisfied"}}, 422, ["body", "answers", w]),
        # The same question twice, in the list form.
        (
            {"unit": unit, "answers": [{"question": int(h), "level": "satisfied"}, {"question": int(h), "level": "neutral"}, {"question": int(c), "level": "satisfied"}]},
            422,
            ["body", "answers", h],
        ),
        # A unit not in the sample (estate B's, for a handler of estate A), or no unit at all.
        ({"unit": world.unit_b.pk, "answers": {h: "satisfied", c: "satisfied"}}, 422, ["body", "unit"]),
        ({"unit": 99999999, "answers": {h: "satisfied", c: "satisfied"}}, 422, ["body", "unit"]),
        ({"answers": {h: "satisfied", c: "satisfied"}}, 422, ["body", "unit"]),
        # Strict bodies: a level is text, a unit a number.
        ({"unit": unit, "answers": {h: 5, c: "satisfied"}}, 422, ["body", "answers", h]),
        ({"unit": unit, "answers": "satisfied"}, 422, ["body", "answers"]),
        ({"unit": unit, "answers": [{"question": int(h), "levl": "satisfied"}]}, 422, ["body", "answers", 0, "levl"]),
        ({"unit": str(unit), "answers": {h: "satisfied", c: "satisfied"}}, 422, ["body", "unit"]),
    ]  # fmt: skip
    for body, status, loc in cases:
        answer = error(api.post(path, body), status, "invalid")
        if loc is not None:
            assert loc in locs(answer), (body, answer)
        nothing_stored()

    # The same question twice in the object form: a dict would keep the last; the raw body has both.
    raw = f'{{"unit": {unit}, "answers": {{"{h}": "satisfied", "{h}": "very_dissatisfied", "{c}": "satisfied"}}}}'
    answer = error(api.post(path, raw), 422, "invalid")
    assert ["body", "answers", h] in locs(answer)
    assert "twice" in json.dumps(answer)
    # Each occurrence is checked with the level it was sent with.
    raw = f'{{"unit": {unit}, "answers": {{"{h}": "great", "{h}": "satisfied", "{c}": "satisfied"}}}}'
    assert "great" in json.dumps(error(api.post(path, raw), 422, "invalid"), ensure_ascii=False)
    raw = (
        f'{{"unit": {unit}, "answers": {{"{h}": "satisfied", "{c}": "dissatisfied"}}, '
        f'"reasons": {{"{c}": "脏", "{c}": "乱"}}}}'
    )
    assert ["body", "reasons", c] in locs(error(api.post(path, raw), 422, "invalid"))
    nothing_stored()

    # Every problem at once, in the request's language.
    chinese = Api(world.users["handler_a"], "zh-hans")
    answer = error(chinese.post(path, {"unit": unit, "answers": {h: "great"}}), 422, "invalid")
    assert ["body", "answers", h] in locs(answer) and ["body", "answers", c] in locs(answer)
    assert answer["detail"] != "Some of the data sent is not valid."
    nothing_stored()

    # A good one is stored whole, marked as paper; a second for the same household is 409.
    good = {
        "unit": unit,
        "answers": {h: "satisfied", c: "dissatisfied"},
        "reasons": {c: "楼道太脏"},
        "texts": {w: "谢谢"},
    }
    ok(api.post(path, good), 201)
    response = Response.objects.get()
    assert response.channel == "paper" and response.entered_by == world.users["handler_a"]
    assert {a.question_id: (a.level, a.reason, a.text) for a in response.answers.all()} == {
        int(h): ("satisfied", "", ""),
        int(c): ("dissatisfied", "楼道太脏", ""),
        int(w): ("", "", "谢谢"),
    }
    again = error(api.post(path, good), 409, "conflict")
    assert locs(again) == [["body", "unit"]]
    assert Response.objects.count() == 1 and Answer.objects.count() == 3


@pytest.mark.req("W-1")
def test_answers_after_the_survey_closed_are_refused(world, drawn, supervisor):
    survey, h, c, _w = drawn
    Survey.objects.filter(pk=survey.pk).update(status="closed", closed_at=now())
    body = {"unit": world.unit_a.pk, "answers": {h: "satisfied", c: "satisfied"}}
    answer = error(
        Api(world.users["handler_a"]).post(f"/surveys/{survey.pk}/responses", body), 422, "invalid"
    )
    assert "no longer accepted" in answer["detail"]
    token = household(world, survey).token
    answer = error(
        Api().post("/surveys/answer", {"token": token, "answers": body["answers"]}), 422, "invalid"
    )
    assert "no longer accepted" in answer["detail"]
    nothing_stored()


@pytest.mark.req("W-1")
def test_the_resident_answers_with_the_personal_token_once(world, drawn):
    survey, h, c, w = drawn
    mine = household(world, survey)
    neighbour = Household.objects.filter(survey=survey, estate=world.estate_a).exclude(pk=mine.pk).first()
    resident = Api(language="zh-hans")
    body = {
        "token": mine.token,
        "answers": [
            {"question": int(h), "level": "very_satisfied"},
            {"question": int(c), "level": "neutral"},
        ],
        "texts": {w: "很好"},
    }
    thanks = ok(resident.post("/surveys/answer", body), 201)
    assert thanks["detail"] == "谢谢您！您的答卷已收到。"
    response = Response.objects.get()
    assert (response.household_id, response.channel, response.entered_by) == (mine.pk, "online", None)
    neighbour.refresh_from_db()
    assert neighbour.answered_at is None  # a token answers for its own household only

    again = error(resident.post("/surveys/answer", body), 409, "conflict")
    assert locs(again) == [["body", "token"]]
    assert Response.objects.count() == 1


def test_a_token_of_another_survey_or_no_token_is_refused(world, drawn, supervisor):
    survey, h, c, _w = drawn
    other = services.create_survey(
        actor=supervisor, kind="special", title="专项调查", estate_ids=[world.estate_a.pk], share=100,
        version=survey.version, office_version=survey.version,
    )  # fmt: skip
    answers = {h: "satisfied", c: "satisfied"}
    token = household(world, survey).token
    resident = Api()
    for body in (
        {"token": token, "survey": other.pk, "answers": answers},
        {"token": "not-a-real-token", "answers": answers},
        {"token": "<script>", "answers": answers},
        {"token": "", "answers": answers},
    ):
        assert ["body", "token"] in locs(error(resident.post("/surveys/answer", body), 422, "invalid")), body
    nothing_stored()
    # The resident's answer is public; staff endpoints are not.
    error(
        resident.post(f"/surveys/{survey.pk}/responses", {"unit": world.unit_a.pk, "answers": answers}),
        401,
        "not_authenticated",
    )


@pytest.mark.req("W-1")
def test_the_public_answer_is_rate_limited_like_the_portal(world, drawn, settings):
    settings.PORTAL_RATE_WRITE_IP = "2/10m"
    resident = Api()
    body = {"token": "not-a-real-token", "answers": {}}
    for _ in range(2):
        error(resident.post("/surveys/answer", body), 422, "invalid")
    limited = resident.post("/surveys/answer", body)
    assert error(limited, 429, "too_many")["detail"]
    assert int(limited["Retry-After"]) > 0


def test_the_sample_list_says_who_answered_and_how(world, drawn):
    survey, h, c, _w = drawn
    handler = Api(world.users["handler_a"])
    ok(
        handler.post(
            f"/surveys/{survey.pk}/responses",
            {"unit": world.unit_a.pk, "answers": {h: "satisfied", c: "satisfied"}},
        ),
        201,
    )
    rows = {r["unit"]: r for r in ok(handler.get(f"/surveys/{survey.pk}/sample"))["items"]}
    assert rows[world.unit_a.pk]["answered"] is True and rows[world.unit_a.pk]["channel"] == "paper"
    assert rows[world.unit_a.pk]["label"] == "3栋-1201"
    assert ok(handler.get(f"/surveys/{survey.pk}/sample", answered="false"))["count"] == 3
