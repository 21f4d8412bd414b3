"""The outbox and the roster imports as record types (SPEC D-1, D-2), both kept by the system
administrator: messages from when they were sent (or finished unsent), import jobs and their
uploaded files from when the import finished."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from estatedesk.core.clock import company_zone
from estatedesk.notifications.models import Channel, Message, MessageStatus
from estatedesk.org.models import ImportJob, ImportStatus
from estatedesk.records import periods, registry
from tests.complaints.conftest import at

pytestmark = pytest.mark.django_db


def _type(key: str) -> registry.RecordType:
    record_type = registry.record_type(key)
    assert record_type is not None, f"{key} is not registered"
    return record_type


def _past(key: str, now: datetime) -> set[int]:
    cutoff = periods.cutoff(now, 24, company_zone())
    return set(_type(key).past_retention(cutoff).values_list("pk", flat=True))


def _message(
    key: str, status: str, *, created: datetime, sent: datetime | None = None, **fields: Any
) -> Message:
    values: dict[str, Any] = {
        "channel": Channel.SMS,
        "address": "13812341234",
        "subject": "投诉已回复",
        "body": "王小明您好，您的投诉已回复。",
    }
    values.update(fields)
    return Message.objects.create(key=key, status=status, created_at=created, sent_at=sent, **values)


@pytest.mark.req("D-1")
def test_the_outbox_and_the_imports_are_kept_by_the_administrator(world: Any) -> None:
    with translation.override("en"):
        assert str(_type("outbox").owner) == "System administrator"
        assert str(_type("uploaded_files").owner) == "System administrator"


@pytest.mark.req("D-1")
def test_a_sent_message_one_day_inside_retention_stays_and_one_day_past_goes(world: Any) -> None:
    # Sent at 23:30 on 10 March 2026 in company time (15:30 UTC): kept through 10 March 2028.
    sent = _message("sent", MessageStatus.SENT, created=at(2026, 3, 10, 23, 0), sent=at(2026, 3, 10, 23, 30))
    assert sent.pk not in _past("outbox", at(2028, 3, 10, 23, 59))
    assert sent.pk in _past("outbox", at(2028, 3, 11, 0, 0))


@pytest.mark.req("D-1")
def test_only_finished_messages_are_ever_past_retention(world: Any) -> None:
    long_ago = at(2020, 1, 1, 9, 0)
    pending = _message("pending", MessageStatus.PENDING, created=long_ago)
    retrying = _message("retrying", MessageStatus.FAILED, created=long_ago, next_attempt_at=long_ago)
    failed = _message("failed", MessageStatus.FAILED, created=long_ago)
    withdrawn = _message("withdrawn", MessageStatus.WITHDRAWN, created=long_ago)
    past = _past("outbox", at(2026, 6, 1, 9, 0))
    assert {failed.pk, withdrawn.pk} <= past
    assert pending.pk not in past and retrying.pk not in past
    # Even if asked to, disposal leaves a message that may still be sent.
    assert _type("outbox").dispose([pending.pk, retrying.pk]) == 0
    assert Message.objects.filter(pk__in=[pending.pk, retrying.pk]).count() == 2


@pytest.mark.req("D-2")
def test_the_outbox_archive_keeps_who_was_sent_what_and_when_but_not_the_text(world: Any) -> None:
    message = _message("sent", MessageStatus.SENT, created=at(2026, 3, 10, 9, 0), sent=at(2026, 3, 10, 9, 1))
    batch = _type("outbox").archive([message.pk])
    [record] = batch.records
    assert record["id"] == message.pk and record["subject"] == "投诉已回复"
    assert record["channel"] == "sms" and record["status"] == "sent"
    assert record["sent_at"].startswith("2026-03-10T01:01")
    assert record["address"] == "138****1234"
    archived = repr(batch.records) + repr(batch.csv_rows)
    assert "13812341234" not in archived and "王小明" not in archived
    assert batch.csv_rows[0][batch.csv_header.index("id")] == message.pk
    assert _type("outbox").labels([message.pk]) == {message.pk: f"#{message.pk} 投诉已回复"}
    assert _type("outbox").find(f"#{message.pk}") == message.pk


@pytest.mark.req("D-2")
def test_disposing_of_messages_deletes_them_once(world: Any) -> None:
    first = _message("a", MessageStatus.SENT, created=at(2024, 1, 1, 9, 0), sent=at(2024, 1, 1, 9, 0))
    second = _message("b", MessageStatus.FAILED, created=at(2024, 1, 1, 9, 0))
    assert _type("outbox").dispose([first.pk, second.pk]) == 2
    assert _type("outbox").dispose([first.pk, second.pk]) == 0
    assert not Message.objects.filter(pk__in=[first.pk, second.pk]).exists()


def _import_job(world: Any, *, finished: datetime, content: bytes = b"name,phone\n") -> ImportJob:
    name = default_storage.save("imports/roster-test.csv", ContentFile(content))
    job = ImportJob.objects.create(
        created_by=world.users["admin"],
        file=name,
        original_name="花名册.csv",
        status=ImportStatus.DONE,
        total_rows=1,
        created_count=1,
    )
    ImportJob.objects.filter(pk=job.pk).update(finished_at=finished)
    job.refresh_from_db()
    return job


@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
def test_an_import_and_its_file_are_archived_and_then_deleted(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    content = "姓名,电话\n王小明,13812341234\n".encode()
    job = _import_job(world, finished=at(2026, 3, 10, 10, 0), content=content)
    running = ImportJob.objects.create(file="", original_name="x.csv", status=ImportStatus.RUNNING)
    assert job.pk not in _past("uploaded_files", at(2028, 3, 10, 23, 59))
    assert job.pk in _past("uploaded_files", at(2028, 3, 11, 0, 0))
    assert running.pk not in _past("uploaded_files", at(2030, 1, 1, 0, 0))

    batch = _type("uploaded_files").archive([job.pk])
    [record] = batch.records
    assert (
        record["file_name"] == "花名册.csv" and record["imported_by"] == "admin" and record["file_archived"]
    )
    [stored] = batch.files
    assert stored.name == f"uploaded_files/files/import-{job.pk}/花名册.csv"
    assert stored.path is not None and stored.path.read_bytes() == content
    assert _type("uploaded_files").find(f"#{job.pk}") == job.pk

    assert _type("uploaded_files").dispose([job.pk]) == 1
    assert _type("uploaded_files").dispose([job.pk]) == 0
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not stored.path.exists()
