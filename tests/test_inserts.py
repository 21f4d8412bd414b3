"""New rows written by an insert compiled once (``core.inserts``; SPEC A-1, K-1, decision 0070)
are the rows the ORM writes: the same statement and values, the same returned id and generated
columns, the same django-simple-history row — on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db.models.sql import InsertQuery
from django.forms.models import model_to_dict

from estatedesk.complaints.models import Complaint, Event
from estatedesk.core import crypto, inserts
from estatedesk.notifications.models import Message
from estatedesk.org.services import current_privacy_notice
from tests.complaints.conftest import record

FROZEN = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def _orm_statement(instance: Any) -> tuple[str, list[Any]]:
    """The statement and parameters ``Model.save()`` would send for this new row."""
    meta = type(instance)._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance])
    compiler = query.get_compiler(using="default")
    compiler.returning_fields = meta.db_returning_fields
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def _clear(params: list[Any], names: tuple[str, ...], encrypted: set[str]) -> list[Any]:
    """Ciphertext differs on every encryption (a fresh IV): compare the clear text; psycopg's
    JSON wrapper compares by identity: compare what it wraps, and its type."""
    return [
        crypto.decrypt(p) if n in encrypted and p else (type(p), p.obj) if hasattr(p, "obj") else (type(p), p)
        for n, p in zip(names, params, strict=False)
    ]


@pytest.mark.req("A-1")
@time_machine.travel(FROZEN, tick=False)
def test_the_statement_and_values_are_the_orms(world):
    saved = record(world, phone="13812345678", requested_reply_at=datetime(2026, 3, 9, tzinfo=UTC))
    for instance in (
        Complaint.objects.get(pk=saved.pk),
        Event.objects.filter(complaint=saved).first(),
        Message.objects.filter(key__startswith=saved.number).first(),
    ):
        assert instance is not None
        instance.pk = None
        instance._state.adding = True
        insert = inserts.Insert(type(instance))
        sql, returning = insert.sql()
        orm_sql, orm_params = _orm_statement(instance)
        assert sql == orm_sql
        ours = insert.params(insert.values_of(instance))
        expected = orm_params[: len(orm_params) - len(returning)]
        encrypted = {"contact_phone"}
        assert _clear(ours, insert.attnames, encrypted) == _clear(expected, insert.attnames, encrypted)


@pytest.mark.req("K-1")
@pytest.mark.parametrize("persona", ["handler_a", ""])
def test_a_complaint_and_its_history_are_the_rows_the_orm_writes(world, monkeypatch, persona):
    extra: dict[str, Any] = (
        {"channel": "portal", "privacy_notice": current_privacy_notice()} if not persona else {}
    )
    """The same intake twice at the same moment, once through the compiled inserts and once
    through ``Model.save()`` with simple_history's signal: the rows differ only in what must."""
    written = []
    for compiled in (True, False):
        if not compiled:
            monkeypatch.setattr(inserts, "_plan", lambda model: None)
        with time_machine.travel(FROZEN, tick=False):
            c = record(
                world,
                persona,
                phone="13812345678",
                complainant_name="王小明",
                description="电梯停运",
                **extra,
            )
        history = list(c.history.all())
        events = list(c.events.all())
        messages = list(Message.objects.filter(key__startswith=f"{c.number}:").order_by("key"))
        written.append((c, history, events, messages))
    (ours, our_history, our_events, our_messages), (orm, orm_history, orm_events, orm_messages) = written
    own = {"id", "number", "portal_token"}
    fresh = Complaint.objects.get(pk=ours.pk)
    assert {k: v for k, v in model_to_dict(fresh).items() if k not in own} == {
        k: v for k, v in model_to_dict(Complaint.objects.get(pk=orm.pk)).items() if k not in own
    }
    # What the instance holds after saving (returned id, generated columns) is what is stored.
    for name in ("id", "open", "awaiting_reply", "complainant", "reply_us", "received_on"):
        assert getattr(ours, name) == getattr(fresh, name), name
    assert ours.open == orm.open
    assert ours.awaiting_reply == orm.awaiting_reply
    assert ours.contact_phone == "13812345678" and ours.phone_index == crypto.blind_index("13812345678")

    assert len(our_history) == len(orm_history) == 1
    skip = {"history_id", "id", "number"}
    ours_row = {k: v for k, v in model_to_dict(our_history[0]).items() if k not in skip}
    orm_row = {k: v for k, v in model_to_dict(orm_history[0]).items() if k not in skip}
    assert ours_row == orm_row
    assert our_history[0].history_type == "+"
    assert our_history[0].history_change_reason is None
    assert our_history[0].history_user_id == (world.users[persona].pk if persona else None)
    assert our_history[0].id == ours.pk and our_history[0].contact_phone == "13812345678"

    skip_event = {"id", "complaint"}
    assert [{k: v for k, v in model_to_dict(e).items() if k not in skip_event} for e in our_events] == [
        {k: v for k, v in model_to_dict(e).items() if k not in skip_event} for e in orm_events
    ]
    assert our_events[0].pk is not None and our_events[0].complaint_id == ours.pk

    def message(m: Message) -> dict[str, Any]:
        row = model_to_dict(m)
        row.pop("id")
        row["key"] = row["key"].split(":", 1)[1]
        row["subject"] = row["subject"].replace(m.key.split(":")[0], "")
        row["link"] = ""
        return row

    assert our_messages and [message(m) for m in our_messages] == [message(m) for m in orm_messages]


@pytest.mark.req("K-1")
def test_the_history_user_is_the_signed_in_one_when_the_instance_names_none(world, monkeypatch):
    """As simple_history's receiver: the request's signed-in user when no ``_history_user``."""
    from simple_history.models import HistoricalRecords

    class Request:
        user = world.users["handler_a"]

    monkeypatch.setattr(HistoricalRecords.context, "request", Request(), raising=False)
    c = record(world, "", channel="portal", phone="13812345678", privacy_notice=current_privacy_notice())
    assert c.history.get().history_user_id == world.users["handler_a"].pk


@pytest.mark.req("K-1")
def test_a_save_receiver_connected_later_is_still_called(world):
    """A model gaining a receiver (a test's, a plug-in's) is saved by the ORM, which calls it."""
    from django.db.models.signals import post_save

    heard = []

    def receiver(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append((instance.pk, created))

    post_save.connect(receiver, sender=Complaint)
    try:
        c = record(world)
    finally:
        post_save.disconnect(receiver, sender=Complaint)
    assert heard == [(c.pk, True)]
    assert c.history.count() == 1


@pytest.mark.req("K-1")
def test_kept_counts_still_follow_a_compiled_insert(world):
    """The tally triggers fire on any insert: the kept counts equal a recount."""
    from tests.complaints.test_tally import assert_kept_equals_recount

    record(world)
    record(world, "", channel="portal", phone="13812345678", privacy_notice=current_privacy_notice())
    assert_kept_equals_recount()


@pytest.mark.req("K-1")
def test_a_receiver_of_simple_historys_own_signals_is_still_called(world):
    """Someone listening for history rows (``post_create_historical_record``): the library
    writes the row, and tells them."""
    from simple_history.signals import post_create_historical_record

    heard = []

    def receiver(sender: Any, history_instance: Any, **kwargs: Any) -> None:
        heard.append(history_instance.history_type)

    post_create_historical_record.connect(receiver)
    try:
        c = record(world)
    finally:
        post_create_historical_record.disconnect(receiver)
    assert heard == ["+"]
    assert c.history.count() == 1
