"""``/health/`` (SPEC A-1, A-4): a dead worker or a stuck outbox is noticed by a monitor.

The page answers 503 with status "fail" when the worker's last heartbeat or the oldest
undelivered message is older than its setting, and says so in figures (times, ages,
counts) that carry no personal data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from estatedesk.core import tasks as core_tasks
from estatedesk.core.models import WorkerHeartbeat
from estatedesk.core.services import record_heartbeat
from estatedesk.notifications import delivery
from estatedesk.notifications.models import Channel, Message, MessageStatus
from estatedesk.notifications.services import notify

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


@pytest.fixture
def worker_mode() -> Iterator[None]:
    """Tasks go to a real queue and a worker, as in production (the suite runs them inline)."""
    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.immediate = True


def beat(seconds_ago: float) -> None:
    record_heartbeat(starting=True, worker="worker-1")
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=seconds_ago))


def waiting_sms(minutes_ago: float, key: str = "TS-1:reply") -> Message:
    message = notify(
        key=key,
        channel=Channel.SMS,
        address=PHONE,
        subject="答复 张三",
        body="您的投诉已答复 https://example.com/r/c/secret-token/",
    )
    assert message is not None
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return message


def health(client) -> tuple[int, dict]:
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@pytest.mark.req("A-1")
def test_health_is_ok_while_the_worker_beats_and_nothing_waits(client, worker_mode):
    beat(seconds_ago=30)
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    worker = body["checks"]["worker"]
    assert worker["status"] == "ok"
    assert 30 <= worker["age_seconds"] < 40
    assert worker["max_age_seconds"] == 300
    assert worker["last_heartbeat"].endswith("+00:00")
    assert body["checks"]["outbox"] == {
        "status": "ok",
        "undelivered": 0,
        "oldest_created_at": None,
        "oldest_age_seconds": None,
        "max_age_seconds": 900,
    }


@pytest.mark.req("A-1")
def test_health_fails_when_the_heartbeat_is_older_than_the_limit(client, worker_mode, settings):
    settings.HEALTH_WORKER_MAX_AGE = 120
    beat(seconds_ago=121)
    status, body = health(client)
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["worker"]["status"] == "fail"
    assert body["checks"]["worker"]["age_seconds"] >= 121
    assert body["checks"]["outbox"]["status"] == "ok"


@pytest.mark.req("A-1")
def test_health_fails_when_no_worker_ever_beat(client, worker_mode):
    status, body = health(client)
    assert status == 503
    assert body["checks"]["worker"] == {
        "status": "fail",
        "last_heartbeat": None,
        "age_seconds": None,
        "max_age_seconds": 300,
    }


@pytest.mark.req("A-1")
def test_worker_start_and_periodic_task_record_the_heartbeat(client, worker_mode):
    # What every worker thread runs as it starts (without closing the test's connection).
    HUEY._startup["heartbeat_at_start"].__wrapped__()
    assert health(client)[0] == 200
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(hours=1))
    assert health(client)[0] == 503
    core_tasks.heartbeat.call_local()  # the task the scheduler enqueues every minute
    assert health(client)[0] == 200
    assert WorkerHeartbeat.objects.count() == 1  # one row per host, however often it beats


@pytest.mark.req("A-1")
def test_with_tasks_run_inline_the_worker_is_reported_immediate_not_failed(client):
    status, body = health(client)
    assert status == 200
    assert body["checks"]["worker"]["status"] == "immediate"


@pytest.mark.req("A-4")
def test_health_fails_when_a_message_waits_longer_than_the_limit_and_recovers_once_delivered(
    client, worker_mode
):
    beat(seconds_ago=10)
    waiting_sms(minutes_ago=5, key="fresh")
    assert health(client)[0] == 200  # waiting, but not for long

    stuck = waiting_sms(minutes_ago=41, key="stuck")
    status, body = health(client)
    assert status == 503
    assert body["status"] == "fail"
    outbox = body["checks"]["outbox"]
    assert outbox["status"] == "fail"
    assert outbox["undelivered"] == 2
    assert 41 * 60 <= outbox["oldest_age_seconds"] < 42 * 60
    assert body["checks"]["worker"]["status"] == "ok"

    assert delivery.deliver(stuck.pk)  # the console provider, as configured by default
    status, body = health(client)
    assert status == 200
    assert body["checks"]["outbox"]["undelivered"] == 1


@pytest.mark.req("A-4")
def test_a_message_still_retrying_waits_and_one_given_up_no_longer_does(client, worker_mode):
    beat(seconds_ago=10)
    message = waiting_sms(minutes_ago=60)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=2, next_attempt_at=timezone.now() + timedelta(minutes=30)
    )
    assert health(client)[0] == 503  # the provider has been refusing it for an hour
    Message.objects.filter(pk=message.pk).update(attempts=6, next_attempt_at=None)
    assert health(client)[0] == 200  # given up: logged and shown as failed, no longer waiting


@pytest.mark.req("D-3")
def test_health_shows_no_personal_data_and_costs_a_few_queries(client, worker_mode):
    beat(seconds_ago=10)
    for index in range(3):
        waiting_sms(minutes_ago=60, key=f"k{index}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/health/")
    assert response.status_code == 503
    text = response.content.decode()
    for private in (PHONE, "张三", "secret-token", "worker-1"):
        assert private not in text
    assert len(queries) <= 4


@pytest.mark.req("A-1")
def test_the_load_balancer_probe_answers_while_the_worker_is_dead(client, worker_mode):
    status, _body = health(client)
    assert status == 503
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
