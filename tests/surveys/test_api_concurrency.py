"""SPEC S-8, W-1: one answer per household, even when the paper form is typed in while the
resident answers online at the same moment — on PostgreSQL, with real connections."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from estatedesk.core.clock import now
from estatedesk.surveys import responses, services
from estatedesk.surveys.models import Answer, Household, Response, Survey
from tests.surveys.api_client import Api, small_questionnaire


@pytest.mark.req("A-2")
@pytest.mark.req("S-8")
@pytest.mark.req("W-1")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_answers_for_one_household_at_once_store_one(world, supervisor, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real only on PostgreSQL; SQLite serialises writers anyway")
    version, housing, cleaning, _words = small_questionnaire()
    survey = services.create_survey(
        actor=supervisor,
        kind="special",
        title="专项调查",
        estate_ids=[world.estate_a.pk],
        share=100,
        version=version,
    )
    services.draw_sample(actor=supervisor, survey=survey, seed="s")
    Survey.objects.filter(pk=survey.pk).update(status="open", opened_at=now())
    household = Household.objects.get(survey=survey, unit=world.unit_a)
    answers = {str(housing.pk): "satisfied", str(cleaning.pk): "neutral"}

    # The first one in holds the household's lock a moment, so the other really waits on it.
    original = responses.version_for
    first = threading.Event()

    def slow_version_for(h):
        if not first.is_set():
            first.set()
            time.sleep(0.5)
        return original(h)

    monkeypatch.setattr("estatedesk.surveys.responses.version_for", slow_version_for)
    clerk = Api(world.users["handler_a"])
    resident = Api()
    barrier = threading.Barrier(2)
    outcomes: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def submit(who: str) -> None:
        try:
            barrier.wait()
            if who == "paper":
                reply = clerk.post(
                    f"/surveys/{survey.pk}/responses", {"unit": world.unit_a.pk, "answers": answers}
                )
            else:
                reply = resident.post("/surveys/answer", {"token": household.token, "answers": answers})
            result = (who, reply.status_code, reply.json().get("code", ""))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit, args=(who,)) for who in ("paper", "online")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted((status, code) for _who, status, code in outcomes) == [(201, ""), (409, "conflict")], (
        outcomes
    )
    assert Response.objects.filter(household=household).count() == 1
    assert Answer.objects.filter(response__household=household).count() == 2
