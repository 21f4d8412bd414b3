"""Mass inserts (core.bulk, used by a notice to 50,000 households): rows written in database
form, a key already stored skipped, and the ids of the rows written — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from estatedesk.core import bulk, crypto
from estatedesk.core.clock import now
from estatedesk.notifications.models import Message
from estatedesk.notifications.services import Outgoing, notify_many


@pytest.mark.req("A-4")
@pytest.mark.django_db
def test_rows_already_stored_are_skipped_and_only_new_ids_come_back():
    when = bulk.db_datetime(now())
    columns = (
        "key",
        "channel",
        "address",
        "subject",
        "body",
        "link",
        "status",
        "attempts",
        "last_error",
        "created_at",
    )

    def row(key: str) -> tuple:
        return (key, "sms", crypto.encrypt("13800001111"), "停水", "明天停水", "", "pending", 0, "", when)

    first = bulk.insert_rows(Message, columns, [row("a"), row("b")], skip_conflicts=True, returning_ids=True)
    again = bulk.insert_rows(Message, columns, [row("b"), row("c")], skip_conflicts=True, returning_ids=True)
    assert len(first) == 2 and len(again) == 1
    assert sorted(Message.objects.values_list("key", flat=True)) == ["a", "b", "c"]
    assert Message.objects.get(pk=again[0]).key == "c"
    assert Message.objects.get(key="a").address == "13800001111"  # stored encrypted, read back clear


@pytest.mark.req("A-4")
@pytest.mark.django_db
def test_a_mass_mailing_asked_twice_is_queued_once_with_sealed_addresses_kept(
    django_capture_on_commit_callbacks,
):
    sealed = crypto.encrypt("13900002222")
    messages = [
        Outgoing(key="TZ-1:sms:c1", channel="sms", address=sealed, subject="s", body="b", sealed=True),
        Outgoing(key="TZ-1:sms:c2", channel="sms", address="13900003333", subject="s", body="b"),
        Outgoing(key="TZ-1:email:c2", channel="email", address="", subject="s", body="b"),  # no address
    ]
    with django_capture_on_commit_callbacks() as handed_over:
        assert notify_many(messages) == 2
        assert notify_many(messages) == 0
    assert len(handed_over) == 1  # one chunk to the workers, for the two new rows
    assert sorted(Message.objects.values_list("address", flat=True)) == ["13900002222", "13900003333"]
