"""Two submissions through the same personal link at the same moment (SPEC S-8, W-1), on real
connections: one is stored, the other is told the household has already answered."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from estatedesk.surveys import responses, services
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Household, Response
from tests.surveys.conftest import add_households, annual


@pytest.mark.req("S-8")
@pytest.mark.req("W-1")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_phones_sending_the_same_households_answers_at_once_store_one(world, supervisor, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real only on PostgreSQL; SQLite serialises writers anyway")
    add_households(world.building_a, 3)
    survey = annual(world, supervisor)
    services.draw_sample(actor=supervisor, survey=survey, seed="race")
    services.open_survey(actor=world.users["deputy_gm"], survey=survey)
    household = Household.objects.filter(survey=survey, estate=world.estate_a).order_by("pk").first()
    questions = list(responses.version_for(household).questions.order_by("position", "pk"))
    answers = [
        AnswerInput(q.pk, "satisfied" if q.kind == "rating" else "", text="" if q.kind == "rating" else "好")
        for q in questions
    ]
    responses.save_draft(token=household.token, answers=answers, step=len(questions) + 1)

    # The first one in holds the household's lock a moment, so the second really waits on it.
    original = Response.objects.create
    first = threading.Event()

    def slow_create(*args, **kwargs):
        if not first.is_set():
            first.set()
            time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(Response.objects, "create", slow_create)
    url = reverse("portal:survey", args=[household.token])
    barrier = threading.Barrier(2)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send(language: str) -> None:
        client = Client()
        try:
            barrier.wait()
            answer = client.post(
                url, {"step": str(len(questions) + 1), "go": "submit"}, HTTP_ACCEPT_LANGUAGE=language
            )
            result = (answer.status_code, answer.content.decode())
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=send, args=("zh-hans",)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(status for status, _html in outcomes) == [302, 409]
    refused = next(html for status, html in outcomes if status == 409)
    assert "本户已提交过本次调查的答卷" in refused
    assert Response.objects.filter(household=household).count() == 1
    assert Response.objects.get(household=household).answers.count() == len(questions)
