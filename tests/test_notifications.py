"""Notifications (SPEC A-4): the outbox, delivery with retries, providers and the in-app inbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.notifications import delivery, providers
from estatedesk.notifications.models import Channel, Message, MessageStatus
from estatedesk.notifications.services import notify

T0 = datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class RecordingProvider(providers.Provider):
    """Remembers what it sent; fails while ``failures_left`` is above zero."""

    sent: list[int] = []
    failures_left = 0

    def send(self, message: Message) -> None:
        if RecordingProvider.failures_left > 0:
            RecordingProvider.failures_left -= 1
            raise ConnectionError("gateway unreachable")
        RecordingProvider.sent.append(message.pk)


@pytest.fixture
def sms(settings):
    """SMS goes through RecordingProvider for the test."""
    settings.NOTIFICATION_PROVIDERS = {
        **settings.NOTIFICATION_PROVIDERS,
        "sms": "tests.test_notifications.RecordingProvider",
    }
    providers.clear_cache()
    RecordingProvider.sent = []
    RecordingProvider.failures_left = 0
    yield RecordingProvider
    providers.clear_cache()


def queue_sms(key: str = "TS-1:reply") -> Message:
    message = notify(
        key=key,
        channel=Channel.SMS,
        address="13812341234",
        subject="Reply",
        body="Your complaint was answered",
    )
    assert message is not None
    return message


# --- The outbox ---------------------------------------------------------------------------------


@pytest.mark.req("A-4")
def test_a_message_is_written_with_the_change_and_sent_after_commit(
    db, sms, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(T0, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        message = queue_sms()
        assert sms.sent == []  # nothing leaves before the change is committed
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert sms.sent == [message.pk]


@pytest.mark.req("A-4")
def test_a_rolled_back_change_leaves_no_message_and_sends_nothing(
    world, sms, django_capture_on_commit_callbacks
):
    from tests.complaints.conftest import record

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record(world)  # tells the office's handlers in-app
        queue_sms()
        raise RuntimeError("the change fails after the messages were queued")
    assert Message.objects.count() == 0
    assert callbacks == []
    assert sms.sent == []


@pytest.mark.req("A-4")
def test_the_same_key_twice_stores_one_message(db, sms):
    first = queue_sms("TS-2025-000001:reply:x")
    again = notify(
        key="TS-2025-000001:reply:x",
        channel=Channel.SMS,
        address="13812341234",
        subject="Reply",
        body="again",
    )
    assert again is None
    assert Message.objects.filter(key="TS-2025-000001:reply:x").count() == 1
    assert Message.objects.get().pk == first.pk


# --- Delivery -----------------------------------------------------------------------------------


@pytest.mark.req("A-4")
def test_a_failing_provider_is_retried_with_backoff_and_the_message_is_sent_once_it_works(db, sms):
    sms.failures_left = 2
    with time_machine.travel(T0, tick=False):
        message = queue_sms()
        assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert "gateway unreachable" in message.last_error
    assert message.next_attempt_at == T0 + timedelta(minutes=1)

    assert delivery.retry_due(now=T0 + timedelta(seconds=30)) == 0  # not due yet: nothing tried
    assert Message.objects.get().attempts == 1

    assert delivery.retry_due(now=T0 + timedelta(minutes=1)) == 0  # second attempt fails too
    message.refresh_from_db()
    assert (message.attempts, message.status) == (2, MessageStatus.FAILED)
    assert message.next_attempt_at == T0 + timedelta(minutes=6)  # then 5 minutes

    assert delivery.retry_due(now=T0 + timedelta(minutes=6)) == 1  # the gateway is back
    message.refresh_from_db()
    assert (message.attempts, message.status) == (3, MessageStatus.SENT)
    assert message.sent_at is not None and message.next_attempt_at is None
    assert delivery.retry_due(now=T0 + timedelta(days=1)) == 0
    assert sms.sent == [message.pk]


@pytest.mark.req("A-4")
def test_a_message_that_never_gets_through_is_given_up_and_logged(db, sms, caplog):
    sms.failures_left = 100
    with time_machine.travel(T0, tick=False):
        message = queue_sms()
    moment = T0
    with caplog.at_level(logging.WARNING, logger="estatedesk.notifications"):
        for _ in range(20):
            delivery.retry_due(now=moment)
            moment += timedelta(hours=7)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == delivery.MAX_ATTEMPTS
    assert message.next_attempt_at is None
    assert 100 - sms.failures_left == delivery.MAX_ATTEMPTS
    assert any("given up" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


@pytest.mark.req("A-4")
def test_two_workers_delivering_one_message_send_it_once(db, sms):
    with time_machine.travel(T0, tick=False):
        message = queue_sms()
        results = [delivery.deliver(message.pk), delivery.deliver(message.pk)]
    assert sorted(results) == [False, True]
    assert sms.sent == [message.pk]


@pytest.mark.req("A-4")
def test_a_message_claimed_by_another_worker_is_left_alone_until_its_lease_runs_out(db, sms):
    with time_machine.travel(T0, tick=False):
        message = queue_sms()
    # Another worker took it at T0 and then died without finishing.
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, next_attempt_at=T0 + delivery.LEASE
    )
    assert delivery.deliver(message.pk, now=T0 + timedelta(minutes=2)) is False
    assert delivery.retry_due(now=T0 + timedelta(minutes=5)) == 0
    assert sms.sent == []

    assert delivery.retry_due(now=T0 + timedelta(minutes=11)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert sms.sent == [message.pk]


@pytest.mark.req("A-4")
def test_a_misconfigured_provider_fails_the_message_instead_of_the_worker(db, settings):
    settings.NOTIFICATION_PROVIDERS = {**settings.NOTIFICATION_PROVIDERS, "wechat": "no.such.Provider"}
    providers.clear_cache()
    with time_machine.travel(T0, tick=False):
        message = notify(key="k", channel=Channel.WECHAT, address="openid-1", subject="s", body="b")
        assert message is not None
        assert delivery.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "no.such" in message.last_error
    assert message.next_attempt_at is not None


# --- Providers ----------------------------------------------------------------------------------


@pytest.mark.req("A-4")
def test_sms_and_wechat_go_to_the_log_by_default_with_the_phone_masked(db, caplog):
    providers.clear_cache()
    with caplog.at_level(logging.INFO, logger="estatedesk.notifications"):
        message = queue_sms()
        assert delivery.deliver(message.pk) is True
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Your complaint was answered" in logged
    assert "13812341234" not in logged
    assert "1234" in logged  # the masked number still shows its last digits


@pytest.mark.req("A-4")
def test_e_mail_goes_through_djangos_mail_backend_with_a_full_link(db, settings):
    settings.ESTATEDESK_SITE_URL = "https://desk.example.com"
    providers.clear_cache()
    message = notify(
        key="mail-1",
        channel=Channel.EMAIL,
        address="head@example.com",
        subject="TS-2025-000001 is overdue",
        body="No reply yet.",
        link="/complaints/1/",
    )
    assert message is not None
    assert delivery.deliver(message.pk) is True
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["head@example.com"]
    assert sent.subject == "TS-2025-000001 is overdue"
    assert "https://desk.example.com/complaints/1/" in sent.body


# --- The in-app inbox ---------------------------------------------------------------------------


def in_app(user, key: str, subject: str, link: str = "") -> Message:
    message = notify(key=key, channel=Channel.IN_APP, user=user, subject=subject, body="body", link=link)
    assert message is not None
    return message


@pytest.mark.req("A-4")
def test_the_inbox_shows_only_the_users_own_messages_newest_first_unread_in_bold(world):
    handler, other = world.users["handler_a"], world.users["handler_b"]
    with time_machine.travel(T0, tick=False):
        older = in_app(handler, "a1", "Older message")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        newer = in_app(handler, "a2", "Newer message")
        in_app(other, "b1", "Someone else's message")
    Message.objects.filter(pk=older.pk).update(read_at=T0)

    response = world.client("handler_a").get(reverse("messages:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else's message" not in html
    assert html.index("Newer message") < html.index("Older message")
    assert [m.pk for m in response.context["page"].object_list] == [newer.pk, older.pk]
    unread_item = html[html.index(f'data-message="{newer.pk}"') : html.index("Newer message")]
    read_item = html[html.index(f'data-message="{older.pk}"') : html.index("Older message")]
    assert "fw-bold" in unread_item and "fw-bold" not in read_item


@pytest.mark.req("A-4")
def test_reading_a_message_marks_it_read_and_follows_its_local_link(world):
    message = in_app(world.users["handler_a"], "a1", "New complaint", link="/complaints/7/")
    response = world.client("handler_a").post(reverse("messages:read", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/complaints/7/"
    message.refresh_from_db()
    assert message.read_at is not None


@pytest.mark.req("A-4")
@pytest.mark.parametrize(
    "link",
    ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_reading_a_message_never_redirects_off_the_site(world, link):
    message = in_app(world.users["handler_a"], "a1", "Strange link", link=link)
    response = world.client("handler_a").post(reverse("messages:read", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("messages:inbox")


@pytest.mark.req("A-4")
def test_someone_elses_message_is_not_found_and_stays_unread(world):
    message = in_app(world.users["handler_b"], "b1", "For B only", link="/complaints/1/")
    client = world.client("handler_a")
    assert client.post(reverse("messages:read", args=[message.pk])).status_code == 404
    assert client.get(reverse("messages:read", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.req("A-4")
def test_mark_all_read_touches_only_the_users_own_messages(world):
    mine = [in_app(world.users["handler_a"], f"a{i}", f"Mine {i}") for i in range(3)]
    theirs = in_app(world.users["handler_b"], "b1", "Theirs")
    response = world.client("handler_a").post(reverse("messages:read_all"))
    assert response.status_code == 302
    assert Message.objects.filter(pk__in=[m.pk for m in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.req("A-4")
def test_the_unread_count_tag_counts_the_users_unread_in_app_messages(world):
    handler = world.users["handler_a"]
    in_app(handler, "a1", "One")
    read = in_app(handler, "a2", "Two")
    in_app(world.users["handler_b"], "b1", "Not mine")
    notify(key="e1", channel=Channel.EMAIL, user=handler, address="a@example.com", subject="mail", body="b")
    Message.objects.filter(pk=read.pk).update(read_at=T0)
    template = Template("{% load notifications %}[{% unread_count user %}]{% inbox_nav_item user %}")
    html = template.render(Context({"user": handler}))
    assert html.startswith("[1]")
    assert "data-unread-count>1<" in html


@pytest.mark.req("A-4")
def test_the_inbox_is_for_staff_only(world):
    assert world.client("anonymous").get(reverse("messages:inbox")).status_code == 302
    assert world.client("resident").get(reverse("messages:inbox")).status_code in (302, 403)


@pytest.mark.req("A-4")
def test_the_inbox_costs_the_same_queries_for_three_or_thirty_messages(world):
    handler = world.users["handler_a"]
    client = world.client("handler_a")
    for i in range(3):
        in_app(handler, f"a{i}", f"Message {i}")
    client.get(reverse("messages:inbox"))  # warm up session and policy look-ups
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("messages:inbox")).status_code == 200
    for i in range(3, 30):
        in_app(handler, f"a{i}", f"Message {i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("messages:inbox")).status_code == 200
    assert len(many) == len(few)
