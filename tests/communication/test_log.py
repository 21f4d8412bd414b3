"""The communication log (SPEC C-4, P-1, D-3): record a contact, agree follow-ups, see the
overdue ones on the page and the home page, record them done, edit what was said without
overwriting a colleague, and keep other estates and names out of sight."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from estatedesk.communication import log_selectors
from estatedesk.communication.models import Contact
from estatedesk.communication.services import log
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound, StaleEdit
from estatedesk.org.models import CommitteeMember
from tests.communication.log_helpers import follow_up, record

pytestmark = pytest.mark.django_db


def _page(client, name, *args, **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse(f"communication:{name}", args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _book(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]


@pytest.mark.req("C-4")
def test_a_contact_is_recorded_with_its_people_and_numbered(world):
    contact = record(world)
    assert contact.number.startswith("GT-")
    assert contact.customer == world.customer_a  # the unit's owner is linked
    assert list(contact.staff.all()) == [world.users["handler_a"].staff]
    assert contact.office == world.office_a


@pytest.mark.req("C-4")
def test_an_overdue_follow_up_shows_in_red_with_its_days_late_and_on_the_home_page(world):
    contact = record(world)
    row = follow_up(world, contact, days_after=3)  # due a week ago
    client = world.client("handler_a")
    page = _page(client, "contact_detail", contact.pk)
    assert f'id="follow-up-{row.pk}" class="follow-up table-danger"' in page
    assert "Overdue 7 days" in page
    assert Contact.objects.filter(pk=contact.pk).exists()
    listed = _page(client, "contact_list", state="overdue")
    assert contact.number in listed
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = client.get(reverse("home")).content.decode()
    assert "Overdue follow-ups of the communication log" in home
    assert "把车位价格表发给业主" in home
    assert "7 days overdue" in home
    # Another estate's handler sees nothing of it.
    other = world.client("handler_b")
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "把车位价格表发给业主" not in other.get(reverse("home")).content.decode()


@pytest.mark.req("C-4")
def test_recording_a_follow_up_done_takes_it_off_the_overdue_lists_once(world):
    contact = record(world)
    row = follow_up(world, contact, days_after=3)
    user = world.users["handler_a"]
    assert log_selectors.overdue_follow_ups(user)[1] == 1
    assert list(log_selectors.open_contacts(user)) == [contact]
    client = world.client("handler_a")
    response = client.post(
        reverse("communication:contact_follow_up_done", args=[contact.pk]),
        {"follow_up": row.pk, "result": "已发送价格表"},
    )
    assert response.status_code == 302
    assert log_selectors.overdue_follow_ups(user)[1] == 0
    assert list(log_selectors.open_contacts(user)) == []
    assert contact.number not in _page(client, "contact_list", state="open")
    row.refresh_from_db()
    assert row.result == "已发送价格表" and row.done_by_name == "handler_a"
    with pytest.raises(AlreadyHandled):
        log.finish_follow_up(
            actor=world.users["office_head_a"], contact=contact, follow_up=row, result="又一次"
        )
    again = client.post(
        reverse("communication:contact_follow_up_done", args=[contact.pk]),
        {"follow_up": row.pk, "result": "再次"},
    )
    assert again.status_code == 409


@pytest.mark.req("C-4")
def test_the_form_pages_record_a_contact_and_a_follow_up(world):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("communication:contact_create")).status_code == 200
    when = (now() - timedelta(hours=2)).astimezone(company_zone())
    response = client.post(
        reverse("communication:contact_create"),
        {
            "estate": world.estate_a.pk,
            "office": world.office_a.pk,
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "subject": "装修噪音",
            "channel": "face_to_face",
            "counterpart": "owner",
            "unit": "3栋-1201",
            "summary": "业主反映楼上装修噪音，管理处将约谈装修户。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(subject="装修噪音")
    assert contact.unit == world.unit_a
    due = when.date() + timedelta(days=2)
    response = client.post(
        reverse("communication:contact_follow_up_add", args=[contact.pk]),
        {
            "description": "约谈装修户",
            "owner": world.users["handler_a"].staff.pk,
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    assert contact.follow_ups.get().due_date == due


@pytest.mark.req("C-4")
def test_a_time_in_the_future_is_refused_and_everything_typed_is_kept(world):
    client = world.client("handler_a")
    later = (now() + timedelta(days=1)).astimezone(company_zone())
    with translation.override("zh-hans"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        response = client.post(
            reverse("communication:contact_create"),
            {
                "estate": world.estate_a.pk,
                "occurred_at": later.strftime("%Y-%m-%dT%H:%M"),
                "subject": "明天的沟通",
                "channel": "phone",
                "counterpart": "other",
                "other_people": "街道办王主任",
                "summary": "这段话不能丢",
            },
        )
    assert response.status_code == 422
    page = response.content.decode()
    assert "沟通时间不能晚于现在。" in page
    assert "明天的沟通" in page and "这段话不能丢" in page and "街道办王主任" in page
    assert not Contact.objects.exists()


@pytest.mark.req("C-4")
def test_who_was_spoken_with_must_belong_to_the_estate(world):
    member_b = CommitteeMember.objects.create(estate=world.estate_b, name="李委员", position="主任")
    with pytest.raises(InvalidInput) as problem:
        record(world, counterpart="committee", unit=None, committee_members=[member_b.pk])
    assert problem.value.field == "committee_members"
    with pytest.raises(InvalidInput) as problem:
        record(world, unit=world.unit_b.pk)
    assert problem.value.field == "unit"
    with pytest.raises(InvalidInput) as problem:
        record(world, estate=world.estate_b.pk)
    assert problem.value.field == "estate"
    with pytest.raises(InvalidInput) as problem:
        record(world, channel="notice_board")  # a channel for notices, not the log
    assert problem.value.field == "channel"
    with pytest.raises(InvalidInput) as problem:
        record(world, staff=[world.users["handler_b"].staff.pk])
    assert problem.value.field == "staff"


@pytest.mark.req("C-4")
def test_a_stale_edit_is_a_409_showing_both_texts_and_overwrites_nothing(world):
    contact = record(world)
    version = contact.edit_version
    log.edit_contact(
        actor=world.users["office_head_a"],
        contact=contact,
        based_on=version,
        subject=contact.subject,
        summary="主任补充：价格表已在公告栏张贴。",
    )
    with pytest.raises(StaleEdit):
        log.edit_contact(
            actor=world.users["handler_a"], contact=contact, based_on=version, subject="x", summary="y"
        )
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("communication:contact_edit", args=[contact.pk]),
        {"subject": contact.subject, "summary": "我的版本", "based_on_version": version},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "主任补充：价格表已在公告栏张贴。" in page and "我的版本" in page
    contact.refresh_from_db()
    assert contact.summary == "主任补充：价格表已在公告栏张贴。"


@pytest.mark.req("P-1")
def test_another_estates_handler_gets_404_everywhere_and_sees_none_in_lists_or_exports(world):
    contact = record(world)
    row = follow_up(world, contact)
    other = world.client("handler_b")
    assert other.get(reverse("communication:contact_detail", args=[contact.pk])).status_code == 404
    for name in ("contact_edit", "contact_follow_up_add", "contact_follow_up_done"):
        url = reverse(f"communication:{name}", args=[contact.pk])
        assert other.get(url).status_code == 404, name
        assert other.post(url, {"follow_up": row.pk, "result": "x"}).status_code == 404, name
    assert contact.number not in _page(other, "contact_list")
    assert contact.number not in _page(other, "contact_list", estate=world.estate_a.pk)
    assert contact.number not in _book(other.get(reverse("communication:contact_export")))
    assert contact.number in _book(world.client("handler_a").get(reverse("communication:contact_export")))
    with pytest.raises(NotFound):
        log.add_follow_up(
            actor=world.users["handler_b"],
            contact=contact,
            description="x",
            owner=world.users["handler_b"].staff.pk,
            due_date=now().date(),
        )


@pytest.mark.req("D-3")
def test_the_auditor_reads_the_log_with_names_masked_and_may_not_write(world):
    member = CommitteeMember.objects.create(estate=world.estate_a, name="陈建国", position="主任")
    owner = record(world)
    committee = record(
        world, counterpart="committee", unit=None, committee_members=[member.pk], other_people=""
    )
    auditor = world.client("auditor")
    values = _book(auditor.get(reverse("communication:contact_export")))
    assert owner.number in values and committee.number in values
    text = " ".join(values)
    assert "王*明" in text and "王小明" not in text
    assert "陈*国" in text and "陈建国" not in text
    assert "张*、李*" in text and "张三" not in text
    page = _page(auditor, "contact_detail", owner.pk)
    assert "王*明" in page and "王小明" not in page and "张三" not in page
    handler_text = " ".join(_book(world.client("handler_a").get(reverse("communication:contact_export"))))
    assert "王小明" in handler_text and "陈建国" in handler_text and "张三、李四" in handler_text
    assert auditor.get(reverse("communication:contact_create")).status_code == 403
    with pytest.raises(NotAllowed):
        record(world, persona="auditor")
    response = auditor.post(
        reverse("communication:contact_follow_up_add", args=[owner.pk]),
        {
            "description": "x",
            "owner": world.users["handler_a"].staff.pk,
            "due_date": now().date().isoformat(),
        },
    )
    assert response.status_code == 403


@pytest.mark.req("C-4")
def test_the_list_filters_by_channel_counterpart_dates_and_text(world):
    phone = record(world)
    visit = record(world, channel="face_to_face", counterpart="other", unit=None, subject="噪音投诉沟通")
    client = world.client("handler_a")
    assert visit.number in _page(client, "contact_list", channel="face_to_face")
    assert phone.number not in _page(client, "contact_list", channel="face_to_face")
    assert phone.number not in _page(client, "contact_list", counterpart="other")
    assert visit.number in _page(client, "contact_list", q="噪音")
    assert phone.number not in _page(client, "contact_list", q="噪音")
    day = (now() - timedelta(days=10)).astimezone(company_zone()).date()
    assert phone.number in _page(client, "contact_list", **{"from": day.isoformat(), "to": day.isoformat()})
    assert phone.number not in _page(
        client, "contact_list", **{"from": (day + timedelta(days=1)).isoformat()}
    )
    assert "is not a date" in _page(client, "contact_list", **{"from": "2026-13-45"})
