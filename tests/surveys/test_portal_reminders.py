"""Reminders to households that have not answered (SPEC S-8): the daily task, the survey's rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from estatedesk.notifications.models import Channel, Message
from estatedesk.surveys import responses, services, tasks
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Household, Survey
from tests.helpers import frozen_at
from tests.surveys.conftest import add_households, annual

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def at(days: int, hour: int, minute: int = 5) -> datetime:
    return (OPENED + timedelta(days=days)).replace(hour=hour, minute=minute)


def run(when: datetime) -> int:
    with frozen_at(when):
        return tasks.remind_households.call_local()


def reminders_of(household: Household) -> list[str]:
    keys = Message.objects.filter(
        channel=Channel.SMS, key__startswith=f"{household.survey.number}:household:{household.pk}:"
    )
    return sorted(key.rsplit(":", 1)[1] for key in keys.values_list("key", flat=True))


@pytest.fixture
def opened(world: Any, supervisor: Any) -> Survey:
    add_households(world.building_a, 5)
    add_households(world.building_a, 2, phone=False)
    with frozen_at(OPENED):
        # Every household asked, so the sample holds some without a phone whatever ids the
        # database gave the units (a 50 % draw of these few could miss them).
        survey = annual(world, supervisor, share=100)
        services.draw_sample(actor=supervisor, survey=survey, seed="remind")
        return services.open_survey(actor=world.users["deputy_gm"], survey=survey)


def answer(household: Household) -> None:
    version = responses.version_for(household)
    responses.answer_online(
        token=household.token,
        answers=[
            AnswerInput(
                q.pk, "satisfied" if q.kind == "rating" else "", text="" if q.kind == "rating" else "好"
            )
            for q in version.questions.all()
        ],
        language="zh-hans",
    )


@pytest.mark.req("S-8")
def test_households_are_reminded_no_more_often_than_the_gap_nor_more_than_the_maximum_and_never_after_answering(
    world, opened
):
    assert (opened.reminder_gap_days, opened.max_reminders) == (3, 2)
    households = list(Household.objects.filter(survey=opened).select_related("customer").order_by("pk"))
    texted = [h for h in households if h.sms_sent_at is not None]
    unreachable = [h for h in households if h.sms_sent_at is None]
    assert texted and unreachable
    answered = texted[0]
    with frozen_at(at(1, 12)):
        answer(answered)
    waiting = texted[1:]

    assert run(at(1, 10)) == 0  # a day after opening: too soon
    assert run(at(3, 8)) == 0  # the gap has passed, but not before 10:00 company time
    assert run(at(3, 10)) == len(waiting)  # the first reminder
    assert run(at(3, 11)) == 0  # the next hourly run of the same day: already reminded
    assert run(at(5, 10)) == 0  # two days since the reminder: within the gap
    assert run(at(6, 10)) == len(waiting)  # the second reminder
    assert run(at(9, 10)) == 0  # the survey allows two
    assert run(at(12, 10)) == 0

    for household in waiting:
        assert reminders_of(household) == ["open", "reminder1", "reminder2"]
        household.refresh_from_db()
        assert household.reminders_sent == 2
    assert reminders_of(answered) == ["open"]
    for household in unreachable:
        assert reminders_of(household) == []


@pytest.mark.req("S-8")
def test_a_household_answering_between_reminders_gets_no_second_one(world, opened):
    texted = list(Household.objects.filter(survey=opened, sms_sent_at__isnull=False).order_by("pk"))
    assert run(at(3, 10)) == len(texted)
    with frozen_at(at(4, 20)):
        answer(texted[0])
    assert run(at(6, 10)) == len(texted) - 1
    assert reminders_of(texted[0]) == ["open", "reminder1"]


@pytest.mark.req("S-8")
def test_a_closed_survey_or_one_past_its_closing_day_reminds_nobody(world, opened):
    with frozen_at(OPENED):
        services.update_survey(
            actor=world.users["deputy_gm"], survey=opened, based_on=None, closes_on=at(2, 0).date()
        )
    assert run(at(3, 10)) == 0  # past the closing day
    with frozen_at(at(3, 12)):
        services.close_survey(actor=world.users["deputy_gm"], survey=opened)
    assert run(at(6, 10)) == 0
    assert not Message.objects.filter(key__contains=":reminder").exists()
