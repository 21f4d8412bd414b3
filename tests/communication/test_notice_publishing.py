"""Publishing a notice to customers (SPEC C-2, C-3, A-4): the lead time, who it reaches, the
messages it queues, and the worker that publishes a scheduled notice once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import translation

from estatedesk.communication.models import HouseholdLink, Notice, NoticeRecipient
from estatedesk.communication.services import notices
from estatedesk.core.errors import InvalidInput
from estatedesk.notifications.models import Message
from estatedesk.org.models import Building
from tests.communication.conftest import add_households, at, draft


def _writer(world):
    return world.users["handler_a"]


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_a_late_work_notice_is_refused_without_a_reason_and_published_with_one(world):
    handler = _writer(world)
    notice = notices.create_notice(actor=handler, draft=draft(world, starts_at=at(3), ends_at=at(6)))
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        notices.publish_notice(actor=handler, notice=notice)
    assert refused.value.field == "late_reason"
    assert "24" in str(refused.value) and "原因" in str(refused.value)
    notice.refresh_from_db()
    assert notice.status == "draft" and not NoticeRecipient.objects.filter(notice=notice).exists()

    fixed = draft(world, starts_at=at(3), ends_at=at(6), late_reason="水管爆裂，紧急抢修")
    notices.edit_notice(actor=handler, notice=notice, draft=fixed, based_on=notice.edit_version)
    published = notices.publish_notice(actor=handler, notice=notice)
    assert published.status == "published"
    assert published.late_reason == "水管爆裂，紧急抢修"


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_the_lead_time_is_checked_against_the_scheduled_time_not_the_time_of_writing(world):
    handler = _writer(world)
    # Written four days ahead, but scheduled to go out only 12 hours before the work.
    notice = notices.create_notice(
        actor=handler, draft=draft(world, starts_at=at(96), ends_at=at(100), publish_at=at(84))
    )
    with pytest.raises(InvalidInput) as refused:
        notices.schedule_notice(actor=handler, notice=notice)
    assert refused.value.field == "late_reason"
    notices.edit_notice(
        actor=handler,
        notice=notice,
        draft=draft(world, starts_at=at(96), ends_at=at(100), publish_at=at(48)),
        based_on=notice.edit_version,
    )
    assert notices.schedule_notice(actor=handler, notice=notice).status == "scheduled"


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_an_event_notice_has_no_lead_time(world):
    handler = _writer(world)
    notice = notices.create_notice(
        actor=handler, draft=draft(world, kind="event", title="中秋游园会", starts_at=at(2), ends_at=at(5))
    )
    assert notices.publish_notice(actor=handler, notice=notice).status == "published"


@pytest.mark.req("C-2")
@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_a_notice_reaches_exactly_the_households_of_its_buildings(world):
    handler = _writer(world)
    tower_5 = Building.objects.create(estate=world.estate_a, name="5栋", floors=20)
    tower_6 = Building.objects.create(estate=world.estate_a, name="6栋", floors=20)
    in_5 = add_households(tower_5, 4, phone_from=5000)
    add_households(tower_5, 2, start=901, occupied=False, phone_from=5900)  # vacant: nobody to tell
    add_households(tower_6, 3, phone_from=6000)
    notice = notices.create_notice(actor=handler, draft=draft(world, buildings=[tower_5.pk]))
    published = notices.publish_notice(actor=handler, notice=notice)

    reached = set(NoticeRecipient.objects.filter(notice=notice).values_list("unit_id", flat=True))
    assert reached == {u.pk for u in in_5}
    assert published.households == 4
    sms = Message.objects.filter(key__startswith=f"{notice.number}:sms:")
    assert sorted(m.address for m in sms) == [f"139{5000 + i:08d}" for i in range(4)]
    # Each SMS carries the household's own link to the notice, never another household's.
    for recipient in NoticeRecipient.objects.filter(notice=notice):
        token = HouseholdLink.objects.get(unit=recipient.unit).token
        assert recipient.channels == ["portal", "sms"]
        assert sms.filter(link=f"/r/n/{token}/{notice.pk}/").count() == 1


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_financial_reports_go_to_owners_not_tenants(world):
    handler = _writer(world)
    report = draft(
        world, kind="financial_report", title="2026年上半年物业费收支情况", starts_at=None, ends_at=None
    )
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        notices.create_notice(actor=handler, draft=report)
    assert refused.value.field == "audience"
    report.audience = "owners"
    notice = notices.create_notice(actor=handler, draft=report)
    notices.publish_notice(actor=handler, notice=notice)
    assert list(NoticeRecipient.objects.filter(notice=notice).values_list("unit_id", flat=True)) == [
        world.unit_a.pk
    ]


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_a_handler_cannot_write_a_notice_for_another_estate(world):
    with pytest.raises(InvalidInput) as refused:
        notices.create_notice(actor=_writer(world), draft=draft(world, estate=world.estate_b.pk))
    assert refused.value.field == "estate"


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_rich_text_with_a_script_tag_is_stored_harmless(world):
    body = '<p onclick="steal()">停水<script>alert(document.cookie)</script></p><a href="javascript:x()">详情</a>'
    notice = notices.create_notice(actor=_writer(world), draft=draft(world, body=body))
    assert "<script" not in notice.body and "onclick" not in notice.body and "javascript:" not in notice.body
    assert "停水" in notice.body and "详情" in notice.body


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_the_worker_publishes_a_scheduled_notice_at_its_time_and_only_once(world, settings):
    handler = _writer(world)
    add_households(world.building_a, 3, phone_from=7000)
    notice = notices.create_notice(actor=handler, draft=draft(world, publish_at=at(1)))
    notices.schedule_notice(actor=handler, notice=notice)
    assert notices.publish_due() == 0  # not yet
    later = notice.publish_at + timedelta(minutes=1)
    assert notices.publish_due(at=later) == 1
    assert notices.publish_due(at=later) == 0
    notice.refresh_from_db()
    assert notice.status == "published" and notice.published_at == notice.publish_at
    assert notice.events.filter(kind="published").count() == 1
    # The three new households and the world's own one in building 3: the whole estate.
    assert Message.objects.filter(key__startswith=f"{notice.number}:sms:").count() == 4


@pytest.mark.req("C-2")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_publish_a_scheduled_notice_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("two writers really race only on PostgreSQL; SQLite serialises them")
    handler = _writer(world)
    add_households(world.building_a, 5, phone_from=8000)
    notice = notices.create_notice(actor=handler, draft=draft(world, publish_at=at(1)))
    notices.schedule_notice(actor=handler, notice=notice)
    when = notice.publish_at + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(notices.publish_due(at=when))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 1]
    assert Notice.objects.get(pk=notice.pk).events.filter(kind="published").count() == 1
    assert NoticeRecipient.objects.filter(notice=notice).count() == 6
    assert Message.objects.filter(key__startswith=f"{notice.number}:sms:").count() == 6


@pytest.mark.req("C-2")
@pytest.mark.req("A-4")
@pytest.mark.django_db
def test_wechat_is_not_offered_in_production_while_it_would_only_be_logged(world, settings):
    settings.PRODUCTION = True
    settings.ALLOW_CONSOLE_PROVIDERS = False
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "mycompany.sms.Gateway", "wechat": "console"}
    assert "wechat" not in dict(notices.channel_choices())
    with pytest.raises(InvalidInput) as refused:
        notices.create_notice(actor=_writer(world), draft=draft(world, channels=["portal", "wechat"]))
    assert refused.value.field == "channels"
    settings.NOTIFICATION_PROVIDERS = {**settings.NOTIFICATION_PROVIDERS, "wechat": "wecom"}
    assert "wechat" in dict(notices.channel_choices())
