"""The resident's own steps on the private status page, and what residents are told (issue 12).

SPEC W-1 (the portal), K-10 (a dissatisfied customer reopens the complaint), A-4 (SMS to
residents), W-1 for the phone keyboard and the size limit text. Decision 0016 says what a
resident's rating does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from estatedesk.complaints import resident as resident_steps
from estatedesk.complaints import services
from estatedesk.complaints.models import Complaint, Event, ResidentRating
from estatedesk.complaints.resident_messages import wording
from estatedesk.core.actors import RESIDENT
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.sizes import file_size
from estatedesk.notifications.models import Channel, Message, MessageStatus
from tests.complaints.conftest import record
from tests.helpers import frozen_at
from tests.test_portal import estate_url, photo, resident, submit

# Monday 2026-11-23 10:00 in Shanghai.
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
RATE = resident_steps.ChaseRate(times=1, within=timedelta(hours=4))


@pytest.fixture(autouse=True)
def own_uploads(settings: Any, tmp_path: Path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"


def status_url(c: Complaint) -> str:
    return reverse("portal:status", args=[c.portal_token])


def portal_complaint(world: Any, client: Client | None = None) -> Complaint:
    submit(client or resident(), world)
    return Complaint.objects.get()


def answered(world: Any, c: Complaint, content: str = "已更换电梯控制板，已恢复运行。") -> Complaint:
    handler = world.users["handler_a"]
    services.assess(actor=handler, complaint=c, cause="maintenance", serious=False, urgent=False)
    return services.reply(actor=handler, complaint=c, content=content, manner="written")


def inbox(world: Any, persona: str) -> list[Message]:
    return list(Message.objects.filter(user=world.users[persona], channel=Channel.IN_APP))


def sms_bodies() -> list[str]:
    return [m.body for m in Message.objects.filter(channel=Channel.SMS).order_by("created_at", "id")]


# --- The phone keyboard and the size limit -----------------------------------------------------------


@pytest.mark.req("W-1")
def test_every_phone_field_opens_the_phones_number_pad(world):
    page = resident().get(estate_url(world)).content.decode()
    field = re.search(r"<input[^>]*name=\"phone\"[^>]*>", page)
    assert field is not None
    assert 'type="tel"' in field.group(0) and 'inputmode="tel"' in field.group(0)
    assert 'autocomplete="tel"' in field.group(0)

    staff = world.client("handler_a")
    intake = staff.get(reverse("complaints:intake")).content.decode()
    assert re.search(r"<input[^>]*type=\"tel\"[^>]*name=\"phone\"", intake)
    estate_form = world.client("admin").get(reverse("org:estate_create")).content.decode()
    assert re.search(r"<input[^>]*type=\"tel\"[^>]*name=\"service_phone\"", estate_form)


@pytest.mark.req("W-1")
@pytest.mark.parametrize("accept", ["en", "zh-CN", "zh-TW"])
def test_the_photo_limit_reads_10_mb_not_10_point_0(world, accept):
    page = resident(language=accept).get(estate_url(world)).content.decode()

    assert "10\xa0MB" in page
    assert "10.0" not in page


def test_sizes_drop_only_a_zero_decimal():
    with translation.override("en"):
        assert file_size(10 * 1024 * 1024) == "10\xa0MB"
        assert file_size(2_621_440) == "2.5\xa0MB"
        assert file_size(512) == "512\xa0bytes"


# --- What residents are told -------------------------------------------------------------------------


@pytest.mark.req("A-4")
@pytest.mark.req("K-10")
def test_each_sms_says_what_the_status_page_shows_through_a_reopening(world):
    client = resident("zh-CN")
    c = portal_complaint(world, client)
    handler = world.users["handler_a"]
    seen: list[tuple[str, str]] = []

    def latest_sms_and_page() -> None:
        page = client.get(status_url(c)).content.decode()
        shown = re.search(r'id="plain-status">.*?</i>\s*(.*?)</p>', page, re.S)
        assert shown is not None
        seen.append((sms_bodies()[-1], shown.group(1).strip()))

    answered(world, c)
    latest_sms_and_page()
    services.visit(
        actor=handler,
        complaint=c,
        method="phone",
        opinion="电梯又停了，仍不满意",
        satisfaction="dissatisfied",
    )
    latest_sms_and_page()
    services.reply(actor=handler, complaint=c, content="已请厂家全面检修。", manner="oral")
    latest_sms_and_page()
    services.visit(actor=handler, complaint=c, method="phone", opinion="满意", satisfaction="satisfied")
    latest_sms_and_page()

    # Each SMS carries the word the status page shows at that moment.
    assert [page for _sms, page in seen] == ["已回复", "处理中", "已回复", "已结案"]
    for sms, page in seen:
        assert page in sms and c.number in sms, (sms, page)
    (replied, _), (reopened, _), (again, _), (closed, _) = seen
    assert "已更换电梯控制板" in replied and "已请厂家全面检修" in again
    # The bug: after the dissatisfied visit the resident's last SMS said "已有回复".
    assert "重新处理" in reopened and "已回复" not in reopened and "已有回复" not in reopened


@pytest.mark.req("A-4")
def test_an_answered_sms_not_yet_sent_is_withdrawn_when_the_complaint_is_reopened(world):
    c = answered(world, record(world))
    first = Message.objects.get(channel=Channel.SMS)
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.PENDING)  # the gateway was down

    services.visit(
        actor=world.users["handler_a"],
        complaint=c,
        method="phone",
        opinion="不行",
        satisfaction="dissatisfied",
    )

    first.refresh_from_db()
    assert first.status == MessageStatus.WITHDRAWN and first.next_attempt_at is None
    newest = Message.objects.filter(channel=Channel.SMS).latest("id")
    assert newest.pk != first.pk and "处理中" in newest.body


@pytest.mark.req("A-4")
def test_the_wording_follows_the_state_not_the_caller(world):
    c = record(world)
    with translation.override("en"):
        assert wording(c) is None  # nothing to tell yet: no SMS
        c = answered(world, c, content="Fixed")
        assert wording(c).moment == "replied" and "Fixed" in wording(c).body


# --- Adding information ------------------------------------------------------------------------------


@pytest.mark.req("W-1")
def test_added_information_reaches_the_staff_timeline_and_the_handler(world):
    client = resident()
    c = portal_complaint(world, client)
    services.assess(
        actor=world.users["handler_a"], complaint=c, cause="maintenance", serious=False, urgent=False
    )

    response = client.post(
        status_url(c),
        {"action": "info", "info-text": "晚上十点后漏水更严重", "info-photos": [photo("night.jpg")]},
    )

    assert response.status_code == 302 and response["Location"] == status_url(c) + "?done=info#done"
    page = client.get(response["Location"]).content.decode()
    assert "晚上十点后漏水更严重" in page and "What you added is with the person handling" in page
    assert page.count('src="/r/c/') == 1  # the new photo, the resident's own

    event = Event.objects.get(complaint=c, action="resident_info")
    assert event.note == "晚上十点后漏水更严重" and event.actor is None
    staff_page = world.client("handler_a").get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "晚上十点后漏水更严重" in staff_page and "night.jpg" in staff_page
    told = inbox(world, "handler_a")
    assert any(c.number in m.subject and "晚上十点" in m.body for m in told)


@pytest.mark.req("W-1")
def test_added_information_keeps_the_portals_photo_rules_and_the_text(world, settings):
    settings.PORTAL_MAX_PHOTOS = 1
    client = resident()
    c = portal_complaint(world, client)

    response = client.post(
        status_url(c),
        {"action": "info", "info-text": "补充两张照片", "info-photos": [photo("a.jpg"), photo("b.jpg")]},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Send at most 1 photos." in page and "补充两张照片" in page
    assert not Event.objects.filter(complaint=c, action="resident_info").exists()


# --- Chasing -----------------------------------------------------------------------------------------


@pytest.mark.req("W-1")
def test_a_chase_reaches_the_department_head_while_nobody_is_assigned(world):
    client = resident()
    with frozen_at(MONDAY):
        c = portal_complaint(world, client)
        assert c.handler is None
        response = client.post(status_url(c), {"action": "chase"})

    assert response.status_code == 302 and response["Location"].endswith("?done=chase#done")
    assert any("催办" in m.subject or c.number in m.subject for m in inbox(world, "office_head_a"))
    chased = Event.objects.get(complaint=c, action="resident_chase")
    assert "office_head_a" in chased.note  # staff see whom it reached
    assert "office_head_a" not in client.get(status_url(c)).content.decode()  # the resident does not


@pytest.mark.req("W-1")
def test_a_second_chase_within_four_hours_is_refused_with_the_time_it_opens_again(world, settings):
    settings.PORTAL_RATE_CHASE = "1/4h"
    client = resident("zh-CN")
    with frozen_at(MONDAY - timedelta(hours=1)):
        c = portal_complaint(world, client)
        services.assess(
            actor=world.users["handler_a"], complaint=c, cause="maintenance", serious=False, urgent=False
        )

    with frozen_at(MONDAY):
        assert client.post(status_url(c), {"action": "chase"}).status_code == 302
        waiting = client.get(status_url(c)).content.decode()
    with frozen_at(MONDAY + timedelta(hours=3, minutes=59)):
        refused = client.post(status_url(c), {"action": "chase"})
    with frozen_at(MONDAY + timedelta(hours=4, minutes=1)):
        again = client.post(status_url(c), {"action": "chase"})

    assert "2026-11-23 14:00" in waiting and 'id="chase-form"' not in waiting
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 60
    text = refused.content.decode()
    assert "您已催办过，可在 2026-11-23 14:00 之后再次催办。" in text
    assert again.status_code == 302
    assert Event.objects.filter(complaint=c, action="resident_chase").count() == 2
    assert sum(1 for m in inbox(world, "handler_a") if "催办" in m.subject) == 2


@pytest.mark.req("W-1")
def test_a_closed_or_answered_complaint_cannot_be_chased(world):
    c = answered(world, record(world))
    with translation.override("en"):
        with pytest.raises(InvalidInput, match="has been answered"):
            resident_steps.chase(actor=RESIDENT, complaint=c, rate=RATE)
        services.visit(
            actor=world.users["handler_a"],
            complaint=c,
            method="phone",
            opinion="好",
            satisfaction="satisfied",
        )
        with pytest.raises(InvalidInput, match="is closed and cannot be chased"):
            resident_steps.chase(actor=RESIDENT, complaint=c, rate=RATE)

    response = resident().post(status_url(c), {"action": "chase"})
    assert response.status_code == 422 and 'id="chase-form"' not in response.content.decode()
    assert not Event.objects.filter(complaint=c, action="resident_chase").exists()


def test_staff_cannot_use_the_residents_steps(world):
    c = record(world)
    for step in (
        lambda: resident_steps.chase(actor=world.users["handler_a"], complaint=c, rate=RATE),
        lambda: resident_steps.add_information(actor=world.users["handler_a"], complaint=c, text="x"),
        lambda: resident_steps.rate(actor=world.users["handler_a"], complaint=c, score="satisfied"),
    ):
        with pytest.raises(NotAllowed):
            step()


# --- The office's phone number -----------------------------------------------------------------------


@pytest.mark.req("W-1")
def test_the_status_page_shows_the_management_offices_phone(world):
    world.estate_a.service_phone = "0755-8600 8801"
    world.estate_a.save()
    c = portal_complaint(world)

    page = resident().get(status_url(c)).content.decode()

    assert 'href="tel:075586008801"' in page and "0755-8600 8801" in page


# --- Rating the reply ---------------------------------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.req("K-10")
def test_a_reply_is_rated_once_and_shown_as_rated(world):
    client = resident()
    c = portal_complaint(world, client)
    assert 'id="rating-form"' not in client.get(status_url(c)).content.decode()  # nothing to rate yet
    answered(world, c)
    assert 'id="rating-form"' in client.get(status_url(c)).content.decode()

    first = client.post(
        status_url(c), {"action": "rate", "rate-score": "basically_satisfied", "rate-comment": "还行"}
    )
    second = client.post(status_url(c), {"action": "rate", "rate-score": "dissatisfied"})

    assert first.status_code == 302 and first["Location"].endswith("?done=rate#done")
    assert second.status_code == 422 and "already rated this reply" in second.content.decode()
    rating = ResidentRating.objects.get()
    assert (rating.score, rating.comment, rating.reopened) == ("basically_satisfied", "还行", False)
    assert rating.satisfied
    page = client.get(status_url(c)).content.decode()
    assert "You rated this reply: Basically satisfied" in page and 'id="rating-form"' not in page
    c.refresh_from_db()
    assert c.status == "replied"  # the visit (§7.2.10) is still the handler's to make
    assert Event.objects.filter(complaint=c, action="resident_rating").count() == 1


@pytest.mark.req("K-10")
def test_a_dissatisfied_rating_reopens_the_complaint_like_a_dissatisfied_visit(world):
    client = resident("zh-CN")
    with frozen_at(MONDAY):
        c = portal_complaint(world, client)
        answered(world, c)
        response = client.post(
            status_url(c), {"action": "rate", "rate-score": "dissatisfied", "rate-comment": "问题没解决"}
        )

    assert response["Location"].endswith("?done=reopened#done")
    c.refresh_from_db()
    assert (c.status, c.reopen_count, c.replied_at) == ("in_progress", 1, None)
    assert c.reopened_at == MONDAY and c.reply_due is not None and c.reply_due > MONDAY
    assert c.satisfaction == ""  # the visit's answer stays the visit's
    assert ResidentRating.objects.get().reopened
    assert Event.objects.filter(complaint=c, action="resident_dissatisfied", to_status="in_progress").exists()
    assert any("问题没解决" in m.body for m in inbox(world, "handler_a"))
    assert any("问题没解决" in m.body for m in inbox(world, "office_head_a"))
    page = client.get(status_url(c) + "?done=reopened").content.decode()
    assert "处理中" in page and "重新处理" in page and 'id="chase-form"' in page
    assert "重新处理" in sms_bodies()[-1]  # the SMS says the same

    # The next reply can be rated again.
    services.reply(actor=world.users["handler_a"], complaint=c, content="已更换水泵", manner="oral")
    assert client.post(status_url(c), {"action": "rate", "rate-score": "satisfied"}).status_code == 302
    assert ResidentRating.objects.count() == 2


@pytest.mark.req("K-10")
def test_a_dissatisfied_rating_after_closing_asks_the_handler_and_head_to_follow_up(world):
    c = answered(world, record(world))
    services.visit(
        actor=world.users["handler_a"], complaint=c, method="phone", opinion="好", satisfaction="satisfied"
    )
    page = resident().get(status_url(c)).content.decode()
    assert "the person in charge will contact you" in page and "handle your matter again" not in page

    rating = resident_steps.rate(actor=RESIDENT, complaint=c.pk, score="dissatisfied", comment="其实还在响")

    c.refresh_from_db()
    assert c.status == "closed" and not rating.reopened
    assert any("follow up" in m.subject or "跟进" in m.subject for m in inbox(world, "office_head_a"))


# --- Not found and junk ---------------------------------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.parametrize("action", ["info", "chase", "rate"])
def test_posting_to_an_unknown_token_answers_not_found_and_writes_nothing(world, action):
    c = portal_complaint(world)
    before = Event.objects.count()

    altered = c.portal_token[:-1] + ("B" if c.portal_token.endswith("A") else "A")
    for token in ("x" * 32, altered, "short"):
        response = resident().post(
            reverse("portal:status", args=[token]),
            {"action": action, "info-text": "…", "rate-score": "dissatisfied"},
        )
        assert response.status_code == 404

    assert Event.objects.count() == before


@pytest.mark.req("W-1")
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "nonsense"},
        {"action": "info"},
        {"action": "info", "info-text": "x" * 5000},
        {"action": "info", "info-text": "\x00\u202e"},
        {"action": "rate", "rate-score": "very_happy"},
        {"action": "rate", "rate-score": ["satisfied", "dissatisfied"]},
        {"action": ["chase", "rate"]},
    ],
)
def test_junk_on_the_status_page_gets_an_answer_never_a_500(world, data):
    client = resident()
    c = portal_complaint(world, client)
    answered(world, c)

    response = client.post(status_url(c), data)

    assert response.status_code in (302, 422, 429)
    if response.status_code == 422:
        assert c.number in response.content.decode()


@pytest.mark.req("W-1")
def test_an_estates_service_phone_must_be_a_phone_number(world):
    from django.core.exceptions import ValidationError

    from estatedesk.core.actors import SYSTEM
    from estatedesk.org import services as org_services

    world.estate_a.service_phone = "call the office"
    with pytest.raises(ValidationError):
        org_services.save_record(actor=SYSTEM, instance=world.estate_a)
    world.estate_a.service_phone = "400-800-1234"
    assert org_services.save_record(actor=SYSTEM, instance=world.estate_a).service_phone == "400-800-1234"
    answer = world.client("admin").get(reverse("api:api-root") + f"estates/{world.estate_a.pk}/")
    assert answer.json()["service_phone"] == "400-800-1234"
