"""Customers as subjects of personal-data requests (SPEC D-3): found by name, unit or full phone
number in the user's scope; their copy from the organisation and the outbox; their erasure."""

from __future__ import annotations

from typing import Any

import pytest

from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import now
from estatedesk.notifications.models import Channel, Message, MessageStatus
from estatedesk.org import services
from estatedesk.org.models import CommitteeMember, Customer, Occupancy
from estatedesk.records import subjects
from estatedesk.records.subjects import Subject
from tests.complaints.conftest import record
from tests.records.traces import traces

pytestmark = pytest.mark.django_db


def _found(world: Any, persona: str = "admin", **criteria: str) -> list[int]:
    return [each.customer_id for each in subjects.finder().search(world.users[persona], **criteria)]


def _source(key: str) -> subjects.Source:
    return next(source for source in subjects.sources() if source.key == key)


def _texts(sections: list[subjects.Section]) -> str:
    return repr([(str(s.title), [[(str(k), v) for k, v in entry] for entry in s.entries]) for s in sections])


@pytest.mark.req("D-3")
def test_a_customer_is_found_by_full_name_or_its_start(world: Any) -> None:
    a = world.customer_a.pk
    assert _found(world, name="王小明") == [a]
    assert _found(world, name="王") == [a]
    assert _found(world, name="小明") == []  # the start of a name, not any part of it
    [candidate] = subjects.finder().search(world.users["admin"], name="王小明")
    assert candidate.masked_phone == "138****1234" and candidate.units == ("3栋-1201",)
    assert candidate.estate == world.estate_a.name


@pytest.mark.req("D-3")
def test_a_customer_is_found_by_unit_as_the_org_pages_print_it(world: Any) -> None:
    a = world.customer_a.pk
    assert _found(world, unit="3栋-1201") == [a]
    assert _found(world, unit="3-1201") == [a]
    assert _found(world, unit="3-1202") == []


@pytest.mark.req("D-3")
def test_a_customer_is_found_by_a_full_phone_number_and_never_by_part_of_one(world: Any) -> None:
    a = world.customer_a.pk
    assert _found(world, phone="13812341234") == [a]
    assert _found(world, phone="+86 138-1234-1234") == [a]
    assert _found(world, phone="1234") == []
    assert _found(world, phone="1381234123") == []  # one digit short
    assert _found(world) == []  # nothing asked, nobody found


@pytest.mark.req("D-3")
def test_the_search_answers_only_customers_in_the_users_scope(world: Any) -> None:
    a, b = world.customer_a.pk, world.customer_b.pk
    assert _found(world, "handler_a", phone="13812341234") == [a]
    assert _found(world, "handler_b", phone="13812341234") == []
    assert _found(world, "handler_b", name="王小明") == []
    assert _found(world, "handler_b", name="金山") == [b]
    assert _found(world, "auditor", name="王小明") == [a]


def _known_by_many_names(world: Any) -> Subject:
    customer = world.customer_a
    customer.contact_person = "王大明"
    customer.email = "wang@example.com"
    customer.notes = "王小明不喜欢早上来电"
    services.save_customer(actor=SYSTEM, customer=customer)
    CommitteeMember.objects.create(estate=world.estate_a, customer=customer, name="王小明", position="主任")
    return subjects.finder().subject([customer.pk])


@pytest.mark.req("D-3")
def test_the_subject_holds_every_name_and_number_the_customer_is_known_by(world: Any) -> None:
    person = _known_by_many_names(world)
    assert person.customer_ids == {world.customer_a.pk}
    assert {"王小明", "王大明"} <= person.names
    assert person.phones == {"13812341234"}
    assert person.phone_indexes == {world.customer_a.phone_index}
    assert person.unit_ids == {world.unit_a.pk}
    assert person.label == "王*明 · 3栋-1201"


def _messages(world: Any) -> None:
    when = now()
    Message.objects.create(
        key="to-a", channel=Channel.SMS, address="13812341234", subject="停水通知",
        body="王小明您好：明天停水。", status=MessageStatus.SENT, created_at=when, sent_at=when,
    )  # fmt: skip
    Message.objects.create(
        key="to-a-mail", channel=Channel.EMAIL, address="wang@example.com", subject="账单",
        body="您的账单", status=MessageStatus.SENT, created_at=when, sent_at=when,
    )  # fmt: skip
    Message.objects.create(
        key="to-b", channel=Channel.SMS, address="13987654321", subject="停电通知",
        body="金山科技有限公司：明天停电。", status=MessageStatus.SENT, created_at=when, sent_at=when,
    )  # fmt: skip
    Message.objects.create(
        key="to-staff", channel=Channel.IN_APP, user=world.users["handler_a"], subject="新投诉：王小明",
        body="王小明（13812341234）来电投诉电梯。", status=MessageStatus.SENT, created_at=when, sent_at=when,
    )  # fmt: skip


@pytest.mark.req("D-3")
def test_the_copy_of_customer_a_holds_their_record_and_messages_and_nothing_of_b(world: Any) -> None:
    person = _known_by_many_names(world)
    _messages(world)
    org = _texts(_source("org").collect(person))
    assert "王小明" in org and "13812341234" in org and "wang@example.com" in org and "3栋-1201" in org
    assert "主任" in org  # the owners' committee
    messages = _texts(_source("notifications").collect(person))
    assert "明天停水" in messages and "您的账单" in messages
    both = org + messages
    for of_b in ("金山科技有限公司", "13987654321", "明天停电", "2001"):
        assert of_b not in both


def _org_and_notifications(found: list[str]) -> list[str]:
    return [each for each in found if each.startswith(("org.", "notifications."))]


@pytest.mark.req("D-3")
def test_after_erasure_no_name_or_phone_of_theirs_is_left_in_org_or_the_outbox(world: Any) -> None:
    person = _known_by_many_names(world)
    _messages(world)
    a = world.customer_a
    assert _org_and_notifications(traces(names=["王小明"], phones=[a.phone]))  # there before
    for key in ("notifications", "org"):
        _source(key).erase(person, now())
    assert _org_and_notifications(traces(names=sorted(person.names), phones=[a.phone])) == []
    # Nothing points at the customer now: the row is gone, with its history and occupancies.
    assert not Customer.objects.filter(pk=a.pk).exists()
    assert not Customer.history.filter(id=a.pk).exists()
    assert not Occupancy.objects.filter(customer_id=a.pk).exists()
    assert CommitteeMember.objects.get().name.startswith("Anonymised customer") or "匿名" in (
        CommitteeMember.objects.get().name
    )
    # The other customer and their messages are untouched.
    assert Customer.objects.get(pk=world.customer_b.pk).name == "金山科技有限公司"
    assert Message.objects.get(key="to-b").body == "金山科技有限公司：明天停电。"
    assert Message.objects.get(key="to-a").body == ""


@pytest.mark.req("D-3")
def test_a_customer_a_complaint_points_at_is_kept_anonymised(world: Any) -> None:
    complaint = record(world)  # 王小明's complaint
    person = subjects.finder().subject([world.customer_a.pk])
    erasure = _source("org").erase(person, now())
    assert erasure.erased >= 1
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert customer.phone == "" and customer.phone_index == "" and "王小明" not in customer.name
    assert complaint.customer_id == customer.pk
    assert all("王小明" not in row.name for row in Customer.history.filter(id=customer.pk))
    found = traces(names=["王小明"], phones=["13812341234"])
    assert [each for each in found if each.startswith("org.")] == []
