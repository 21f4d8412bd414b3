"""Answering a satisfaction survey on a phone from the personal link (SPEC S-8, W-1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from estatedesk.core.actors import SYSTEM
from estatedesk.core.redact import redact
from estatedesk.notifications.models import Channel, Message
from estatedesk.surveys import responses, services
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Household, Response, StandardLevel, Survey, SurveyStatus
from tests.surveys.conftest import add_households, annual

IMPROVEMENTS = "去年您反映的3栋电梯噪音问题，已于2026年3月更换曳引机。"


def open_survey(world: Any, supervisor: Any, **extra: Any) -> Survey:
    survey = annual(world, supervisor, improvements=IMPROVEMENTS, **extra)
    services.draw_sample(actor=supervisor, survey=survey, seed="phone")
    return services.open_survey(actor=world.users["deputy_gm"], survey=survey)


def household_of(survey: Survey, world: Any, estate: str = "a") -> Household:
    return (
        Household.objects.filter(survey=survey, estate=getattr(world, f"estate_{estate}"))
        .order_by("pk")
        .first()
    )


def phone(language: str = "zh-hans") -> Client:
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def url(household: Household, step: int | None = None) -> str:
    address = reverse("portal:survey", args=[household.token])
    return f"{address}?step={step}" if step is not None else address


def questions(household: Household) -> list[Any]:
    return list(responses.version_for(household).questions.order_by("position", "pk"))


def answer_step(
    client: Client, household: Household, step: int, question: Any, level: str = "satisfied", **more: str
) -> Any:
    data = {"step": str(step), "go": "next", **more}
    if question.kind == "rating":
        data["level"] = level
    else:
        data.setdefault("text", "希望多搞社区活动")
    return client.post(url(household), data)


@pytest.fixture
def survey(world: Any, supervisor: Any) -> Survey:
    add_households(world.building_a, 3)
    add_households(world.building_b, 2)
    return open_survey(world, supervisor)


@pytest.mark.req("W-1")
@pytest.mark.req("S-8")
def test_a_resident_answers_on_a_phone_step_by_step_resumes_later_and_submits(world, survey):
    household = household_of(survey, world)
    asked = questions(household)
    client = phone()

    first = client.get(url(household))
    assert first.status_code == 200
    text = first.content.decode()
    assert survey.title in text
    assert IMPROVEMENTS in text  # S-9: the improvements come first
    assert "上次调查以来我们的改进" in text
    assert responses.version_for(household).intro("zh-hans")[:20] in text
    assert first["Referrer-Policy"] == "strict-origin"

    started = client.post(url(household), {"step": "0", "go": "start"})
    assert started.status_code == 302 and started["Location"].endswith("?step=1")
    page = client.get(started["Location"])
    html = page.content.decode()
    assert f"第 1 题，共 {len(asked)} 题" in html
    assert asked[0].text("zh-hans") in html
    with translation.override("zh-hans"):
        labels = [str(StandardLevel(code).label) for code in StandardLevel.values]
    assert all(label in html for label in labels)

    # Next without choosing: the same question again, with the message.
    empty = client.post(url(household), {"step": "1", "go": "next"})
    assert empty.status_code == 422
    assert "请选择一个答案后继续" in empty.content.decode()

    # Dissatisfied with a reason on the first question, then two more.
    moved = answer_step(client, household, 1, asked[0], "dissatisfied", reason="垃圾清运不及时")
    assert moved.status_code == 302 and moved["Location"].endswith("?step=2")
    answer_step(client, household, 2, asked[1], "very_satisfied")
    answer_step(client, household, 3, asked[2], "neutral")

    # The resident closes the page; the same link later opens at question 4 with the answers kept.
    later = phone()
    resumed = later.get(url(household))
    assert f"第 4 题，共 {len(asked)} 题" in resumed.content.decode()
    back = later.get(url(household, 1)).content.decode()
    assert re.search(r'value="dissatisfied"[^>]*checked', back)
    assert "垃圾清运不及时" in back

    for step, question in enumerate(asked[3:], start=4):
        response = answer_step(later, household, step, question)
        assert response.status_code == 302, response.content.decode()[:500]
    review = later.get(response["Location"])
    assert review.status_code == 200
    review_text = review.content.decode()
    assert "核对您的答案" in review_text and "不满意" in review_text and "垃圾清运不及时" in review_text

    sent = later.post(url(household), {"step": str(len(asked) + 1), "go": "submit"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("portal:survey_done", args=[household.token])
    thanks = later.get(sent["Location"])
    assert thanks.status_code == 200 and "感谢您的回答" in thanks.content.decode()
    assert thanks["Referrer-Policy"] == "no-referrer"  # it posts nothing: the token travels nowhere

    stored = Response.objects.get(household=household)
    assert stored.channel == "online" and stored.language == "zh-hans"
    first_answer = stored.answers.get(question=asked[0])
    assert first_answer.level == "dissatisfied" and first_answer.reason == "垃圾清运不及时"
    assert stored.answers.count() == len(asked)
    household.refresh_from_db()
    assert household.answered_at is not None and household.draft == {}


def answer_all(client: Client, household: Household) -> Any:
    asked = questions(household)
    client.post(url(household), {"step": "0", "go": "start"})
    for step, question in enumerate(asked, start=1):
        answer_step(client, household, step, question)
    return client.post(url(household), {"step": str(len(asked) + 1), "go": "submit"})


@pytest.mark.req("W-1")
@pytest.mark.req("S-8")
def test_the_language_of_the_page_is_recorded_and_a_second_submission_is_refused_with_409(world, survey):
    household = household_of(survey, world)
    client = phone("en")
    assert answer_all(client, household).status_code == 302
    assert Response.objects.get(household=household).language == "en"

    again = phone("zh-hant").post(url(household), {"step": "17", "go": "submit"})
    assert again.status_code == 409
    assert "本戶已提交過本次調查的答卷" in again.content.decode()
    opened = phone("en").get(url(household))
    assert opened.status_code == 409
    assert "already answered this survey" in opened.content.decode()
    assert Response.objects.filter(household=household).count() == 1


@pytest.mark.req("S-8")
def test_a_paper_questionnaire_entered_while_the_resident_answers_wins_and_the_resident_is_told(
    world, survey
):
    """Two answers crossing: the one stored first counts, the other is refused, nothing half-saved."""
    household = household_of(survey, world)
    asked = questions(household)
    client = phone()
    client.post(url(household), {"step": "0", "go": "start"})
    for step, question in enumerate(asked, start=1):
        answer_step(client, household, step, question)
    responses.enter_paper(
        actor=world.users["handler_a"],
        survey=survey,
        unit_id=household.unit_id,
        answers=[
            AnswerInput(
                q.pk, "satisfied" if q.kind == "rating" else "", text="" if q.kind == "rating" else "好"
            )
            for q in asked
        ],
    )
    refused = client.post(url(household), {"step": str(len(asked) + 1), "go": "submit"})
    assert refused.status_code == 409
    assert "本户已提交过本次调查的答卷" in refused.content.decode()
    assert Response.objects.get(household=household).channel == "paper"


@pytest.mark.req("S-8")
@pytest.mark.req("W-1")
def test_a_token_answers_for_its_own_household_and_survey_only(world, supervisor, survey):
    mine = household_of(survey, world, "a")
    neighbour = Household.objects.filter(survey=survey).exclude(pk=mine.pk).order_by("pk").first()
    assert answer_all(phone(), mine).status_code == 302
    assert Response.objects.filter(household=mine).count() == 1
    assert not Response.objects.filter(household=neighbour).exists()
    # The neighbour's page still opens at its own start: nothing was answered for it.
    start = phone().get(url(neighbour))
    assert start.status_code == 200 and "开始答题" in start.content.decode()

    # A special-purpose survey of the neighbour's unit: its token answers that survey only.
    special = services.create_survey(
        actor=supervisor,
        kind="special",
        title="电梯专项调查",
        estate_ids=[neighbour.estate_id],
        unit_ids=[neighbour.unit_id],
    )
    services.draw_sample(actor=supervisor, survey=special, seed="s")
    services.open_survey(actor=world.users["deputy_gm"], survey=special)
    theirs = Household.objects.get(survey=special, unit=neighbour.unit)
    assert theirs.token != neighbour.token
    assert answer_all(phone(), theirs).status_code == 302
    assert Response.objects.get(household=theirs).survey_id == special.pk
    assert not Response.objects.filter(household=neighbour).exists()
    assert Response.objects.filter(survey=survey).count() == 1

    # The annual survey closes: its tokens are refused with the message, and answer nothing.
    services.close_survey(actor=world.users["deputy_gm"], survey=survey)
    closed = phone().post(url(neighbour), {"step": "0", "go": "start"})
    assert closed.status_code == 422
    assert "本次调查已于" in closed.content.decode() and "不再接受答卷" in closed.content.decode()
    assert not Response.objects.filter(household=neighbour).exists()


@pytest.mark.req("W-1")
def test_an_unknown_or_mangled_token_is_the_portals_not_found_page(world, survey):
    household = household_of(survey, world)
    for token in ("x" * 32, household.token[:-1] + ("A" if household.token[-1] != "A" else "B"), "short"):
        response = phone().get(reverse("portal:survey", args=[token]))
        assert response.status_code == 404
        assert survey.title not in response.content.decode()
        assert "该页面不存在" in response.content.decode()
    assert phone().post(reverse("portal:survey", args=["y" * 40]), {"go": "submit"}).status_code == 404


@pytest.mark.req("S-8")
def test_a_closed_survey_refuses_with_the_message(world, survey):
    household = household_of(survey, world)
    client = phone()
    client.post(url(household), {"step": "0", "go": "start"})
    services.close_survey(actor=world.users["deputy_gm"], survey=survey)
    page = client.get(url(household))
    assert page.status_code == 422
    text = page.content.decode()
    assert "本次调查已于" in text and "不再接受答卷" in text
    assert "第 1 题" not in text


@pytest.mark.req("S-8")
def test_a_survey_not_yet_open_says_so(world, supervisor):
    add_households(world.building_a, 2)
    survey = annual(world, supervisor)
    services.draw_sample(actor=supervisor, survey=survey, seed="x")
    household = household_of(survey, world)
    page = phone("en").get(url(household))
    assert page.status_code == 422
    assert "not open for answers" in page.content.decode()


@pytest.mark.req("W-1")
def test_a_missing_required_answer_on_submit_sends_the_resident_back_to_it_with_the_answers_kept(
    world, survey
):
    household = household_of(survey, world)
    asked = questions(household)
    client = phone()
    client.post(url(household), {"step": "0", "go": "start"})
    for step, question in enumerate(asked, start=1):
        if step == 5:
            client.post(url(household), {"step": "5", "go": "back"})  # left without an answer
            continue
        answer_step(client, household, step, question, "very_satisfied")
    review = client.get(url(household, len(asked) + 1)).content.decode()
    assert "尚未回答" in review
    sent = client.post(url(household), {"step": str(len(asked) + 1), "go": "submit"})
    assert sent.status_code == 422
    text = sent.content.decode()
    assert f"第 5 题，共 {len(asked)} 题" in text
    assert "第 5 题尚未作答" in text
    assert not Response.objects.filter(household=household).exists()
    again = client.get(url(household, 4)).content.decode()
    assert re.search(r'value="very_satisfied"[^>]*checked', again)


@pytest.mark.req("S-8")
def test_opening_the_survey_queues_one_sms_with_the_link_per_household_with_a_phone(world, supervisor):
    add_households(world.building_a, 4)
    add_households(world.building_a, 2, phone=False)
    # Every household asked: a half-share draw may leave out both without a phone, depending on
    # the ids the database gave the units (it did on PostgreSQL).
    survey = open_survey(world, supervisor, share=100)
    households = list(Household.objects.filter(survey=survey).select_related("customer"))
    with_phone = [h for h in households if h.customer and h.customer.phone]
    assert len(with_phone) < len(households)  # some drawn households have no phone
    sms = Message.objects.filter(channel=Channel.SMS, key__startswith=f"{survey.number}:household:")
    assert sms.count() == len(with_phone)
    for household in with_phone:
        message = sms.get(key=f"{survey.number}:household:{household.pk}:open")
        assert message.link == reverse("portal:survey", args=[household.token])
        assert message.address == household.customer.phone
    # Opening is once: no second batch.
    assert Household.objects.filter(survey=survey, sms_sent_at__isnull=False).count() == len(with_phone)


@pytest.mark.req("W-1")
def test_the_personal_link_never_reaches_a_log(world, survey):
    household = household_of(survey, world)
    line = f'"GET /r/s/{household.token}/?step=3 HTTP/1.1" 200 and /r/s/{household.token}/done/'
    cleaned = redact(line)
    assert household.token not in cleaned
    assert "/r/s/***/?step=3" in cleaned and "/r/s/***/done/" in cleaned


@pytest.mark.req("S-8")
def test_the_system_sweep_may_remind_but_the_survey_status_is_not_touched(world, survey):
    assert services.remind(actor=SYSTEM, survey=survey) == 0  # nobody due on the opening day
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
