"""The disposal job (SPEC D-1, D-2): what is past retention is archived, then goes; holds keep
records; an interrupted run is finished by the next, each archived record disposed of once."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from estatedesk.core.errors import AlreadyHandled, NotAllowed
from estatedesk.records import disposal, holds, registry
from estatedesk.records.archive import verify
from estatedesk.records.models import DisposalEntry, DisposalRun, PersonalDataAccess, RunStatus, RunTrigger
from estatedesk.records.retention_types import ACCESS_LOG
from tests.helpers import frozen_at

SHANGHAI = ZoneInfo("Asia/Shanghai")
# access_log is kept 36 months: on 10 March 2026 (company time) a record of 10 March 2023 is
# one day inside retention, one of 9 March 2023 one day past it.
BEFORE_MIDNIGHT = datetime(2026, 3, 10, 15, 59, tzinfo=UTC)  # 23:59 on 10 March in Shanghai
MIDNIGHT = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 00:00 on 11 March in Shanghai
PAST = datetime(2023, 3, 9, 10, 0, tzinfo=SHANGHAI)
INSIDE = datetime(2023, 3, 10, 10, 0, tzinfo=SHANGHAI)
RECENT = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def archive_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.RECORDS_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path / "archive"


@pytest.fixture
def only_access_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, registry.RecordType]]:
    """Only the access log is registered (whatever else the apps register), so the runs below
    are about these rows alone; a test may swap in a variant of it."""
    types = {"access_log": ACCESS_LOG}
    monkeypatch.setattr(registry, "_TYPES", types)
    yield types


def access(world, at: datetime, label: str = "王小明 (13800138000)") -> int:  # type: ignore[no-untyped-def]
    return PersonalDataAccess.objects.create(
        user=world.users["admin"],
        subject_type="org.customer",
        subject_id=1,
        subject_label=label,
        field="phone",
        reason="回访",
        at=at,
    ).pk


def run(world, when: datetime, **kwargs) -> DisposalRun:  # type: ignore[no-untyped-def]
    with frozen_at(when):
        return disposal.dispose_past_retention(
            actor=world.users["admin"], trigger=RunTrigger.BUTTON, **kwargs
        )


def remaining(ids: Sequence[int]) -> set[int]:
    return set(PersonalDataAccess.objects.filter(pk__in=ids).values_list("pk", flat=True))


def archive_ids(path: Path, key: str = "access_log") -> list[int]:
    with zipfile.ZipFile(path) as archive:
        return [
            record["id"]
            for name in archive.namelist()
            if name.startswith(f"{key}/") and name.endswith(".json")
            for record in json.loads(archive.read(name))
        ]


@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
def test_one_day_inside_retention_stays_one_day_past_goes_at_company_midnight(
    world, archive_dir, only_access_log
) -> None:
    past, inside, recent = access(world, PAST), access(world, INSIDE), access(world, RECENT)

    first = run(world, BEFORE_MIDNIGHT)
    assert first.status == RunStatus.DONE
    assert remaining([past, inside, recent]) == {inside, recent}
    assert first.counts["access_log"]["disposed"] == 1

    second = run(world, MIDNIGHT)
    assert remaining([past, inside, recent]) == {recent}
    assert archive_ids(disposal.archive_path(first)) == [past]
    assert archive_ids(disposal.archive_path(second)) == [inside]
    entries = DisposalEntry.objects.filter(record_id__in=[past, inside], record_type="access_log")
    assert entries.filter(disposed_at__isnull=False).count() == 2
    # The ledger names the record without the personal data it held.
    assert not entries.filter(record_label__contains="王").exists()


@pytest.mark.req("D-2")
def test_a_held_record_stays_and_goes_after_release(world, archive_dir, only_access_log) -> None:
    held, other = access(world, PAST), access(world, PAST)
    admin = world.users["admin"]
    hold = holds.place_hold(actor=admin, record_type="access_log", label=f"#{held}", reason="劳动仲裁取证")
    assert holds.held_ids("access_log") == {held}

    done = run(world, MIDNIGHT)
    assert remaining([held, other]) == {held}
    assert done.counts["access_log"]["held"] == 1
    assert archive_ids(disposal.archive_path(done)) == [other]

    holds.release_hold(actor=admin, hold_id=hold.pk, reason="仲裁已结案")
    run(world, MIDNIGHT)
    assert remaining([held]) == set()


@pytest.mark.req("D-2")
def test_a_hold_placed_after_archiving_keeps_the_record(world, archive_dir, only_access_log) -> None:
    late, other = access(world, PAST), access(world, PAST)
    admin = world.users["admin"]

    def archive_then_hold(ids: Sequence[int]):  # type: ignore[no-untyped-def]
        batch = ACCESS_LOG.archive(ids)
        if not holds.held_ids("access_log"):
            holds.place_hold(actor=admin, record_type="access_log", label=str(late), reason="投诉复核")
        return batch

    only_access_log["access_log"] = replace(ACCESS_LOG, archive=archive_then_hold)
    done = run(world, MIDNIGHT)
    assert remaining([late, other]) == {late}
    kept = DisposalEntry.objects.get(run=done, record_id=late)
    assert kept.disposed_at is None and kept.kept_reason
    assert done.counts["access_log"]["kept"] == 1 and done.counts["access_log"]["disposed"] == 1


@pytest.mark.req("D-2")
def test_an_interrupted_run_is_finished_by_the_next_each_record_disposed_of_once(
    world, archive_dir, only_access_log, monkeypatch
) -> None:
    monkeypatch.setattr(disposal, "CHUNK", 2)
    first_ids = [access(world, PAST) for _ in range(5)]
    disposed: list[int] = []
    calls = {"n": 0, "fail_at": 2}

    def flaky_dispose(ids: Sequence[int]) -> int:
        calls["n"] += 1
        if calls["n"] == calls["fail_at"]:
            raise RuntimeError("the worker was stopped")
        disposed.extend(ids)
        return ACCESS_LOG.dispose(ids)

    only_access_log["access_log"] = replace(ACCESS_LOG, dispose=flaky_dispose)
    with pytest.raises(RuntimeError):
        run(world, MIDNIGHT)
    interrupted = DisposalRun.objects.get()
    assert interrupted.status == RunStatus.ARCHIVED and "stopped" in interrupted.error
    assert len(remaining(first_ids)) == 3  # the first chunk went, the rest is waiting
    # Records past retention that appear after the first run's archive was closed.
    later_ids = [access(world, PAST) for _ in range(2)]

    second = run(world, MIDNIGHT)
    interrupted.refresh_from_db()
    assert interrupted.status == RunStatus.DONE and interrupted.counts["access_log"]["disposed"] == 5
    assert second.status == RunStatus.DONE
    assert remaining(first_ids + later_ids) == set()
    assert Counter(disposed) == Counter(first_ids + later_ids)  # each once
    assert set(DisposalEntry.objects.filter(run=interrupted).values_list("record_id", flat=True)) == set(
        first_ids
    )
    assert sorted(archive_ids(disposal.archive_path(interrupted))) == sorted(first_ids)
    assert sorted(archive_ids(disposal.archive_path(second))) == sorted(later_ids)


@pytest.mark.req("D-2")
def test_an_interruption_while_archiving_deletes_nothing_and_the_next_run_starts_afresh(
    world, archive_dir, only_access_log, monkeypatch
) -> None:
    monkeypatch.setattr(disposal, "CHUNK", 2)
    ids = [access(world, PAST) for _ in range(5)]
    calls = {"n": 0}

    def flaky_archive(chunk: Sequence[int]):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return ACCESS_LOG.archive(chunk)

    only_access_log["access_log"] = replace(ACCESS_LOG, archive=flaky_archive)
    with pytest.raises(RuntimeError):
        run(world, MIDNIGHT)
    broken = DisposalRun.objects.get()
    assert broken.status == RunStatus.ARCHIVING
    assert remaining(ids) == set(ids)  # nothing deleted
    assert not list(archive_dir.glob("*.zip"))

    fresh = run(world, MIDNIGHT)
    broken.refresh_from_db()
    assert broken.status == RunStatus.ABANDONED
    assert not DisposalEntry.objects.filter(run=broken).exists()
    assert fresh.status == RunStatus.DONE
    assert remaining(ids) == set()
    assert sorted(archive_ids(disposal.archive_path(fresh))) == sorted(ids)


@pytest.mark.req("D-2")
def test_a_run_killed_while_archiving_leaves_a_part_file_the_next_run_removes(
    world, archive_dir, only_access_log
) -> None:
    record = access(world, PAST)
    killed = DisposalRun.objects.create(
        number="DR-2026-999999", trigger=RunTrigger.SCHEDULE, status=RunStatus.ARCHIVING
    )
    DisposalEntry.objects.create(run=killed, record_type="access_log", record_id=record, record_label="x")
    archive_dir.mkdir(parents=True)
    part = archive_dir / "DR-2026-999999.zip.part"
    part.write_bytes(b"PK half a zip")

    run(world, MIDNIGHT)
    killed.refresh_from_db()
    assert killed.status == RunStatus.ABANDONED and not part.exists()
    assert remaining([record]) == set()
    assert DisposalEntry.objects.filter(record_id=record, disposed_at__isnull=False).count() == 1


@pytest.mark.req("D-2")
def test_the_archive_holds_json_csv_and_a_manifest_that_verifies(world, archive_dir, only_access_log) -> None:
    ids = [access(world, PAST, label=f"业主{n}") for n in range(3)]
    done = run(world, MIDNIGHT)
    path = disposal.archive_path(done)
    assert path.name == f"{done.number}.zip" and path.exists()
    assert not list(archive_dir.glob("*.part"))
    assert verify(path) == []
    assert done.archive_bytes == path.stat().st_size and len(done.archive_sha256) == 64

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[-1] == "manifest.json" and "README.txt" in names
        records = json.loads(archive.read("access_log/records-000001.json"))
        raw_csv = archive.read("access_log/records-000001.csv")
        manifest = json.loads(archive.read("manifest.json"))
        readme = archive.read("README.txt").decode()
    assert [r["id"] for r in records] == ids
    assert {r["subject_label"] for r in records} == {"业主0", "业主1", "业主2"}
    assert raw_csv.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and [r[rows[0].index("subject_label")] for r in rows[1:]] == [
        "业主0",
        "业主1",
        "业主2",
    ]
    assert manifest["run"] == done.number
    assert manifest["types"]["access_log"]["count"] == 3 and manifest["types"]["access_log"]["months"] == 36
    assert {m["name"] for m in manifest["members"]} == set(names) - {"manifest.json"}
    assert "归档" in readme and "archive" in readme


@pytest.mark.req("D-2")
def test_a_tampered_member_fails_verification(world, archive_dir, only_access_log, tmp_path) -> None:
    access(world, PAST)
    path = disposal.archive_path(run(world, MIDNIGHT))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".csv"):
                data = data.replace(b"phone", b"PHONE")
            target.writestr(info, data)
    problems = verify(tampered)
    assert len(problems) == 1 and "access_log/records-000001.csv" in problems[0]


@pytest.mark.req("D-2")
def test_a_dry_run_shows_what_would_go_and_touches_nothing(world, archive_dir, only_access_log) -> None:
    past, held, inside = access(world, PAST), access(world, PAST), access(world, INSIDE)
    holds.place_hold(actor=world.users["admin"], record_type="access_log", label=str(held), reason="审计")
    preview = run(world, BEFORE_MIDNIGHT, dry_run=True)
    assert preview.status == RunStatus.PREVIEW and preview.dry_run
    counts = preview.counts["access_log"]
    assert (counts["listed"], counts["held"], counts["to_dispose"]) == (2, 1, 1)
    assert counts["sample"] == [f"#{past} 2023-03-09"]
    assert remaining([past, held, inside]) == {past, held, inside}
    assert not DisposalEntry.objects.exists()
    assert not archive_dir.exists() or not list(archive_dir.glob("*.zip"))


@pytest.mark.req("D-2")
def test_a_second_run_right_after_disposes_of_nothing_new(world, archive_dir, only_access_log) -> None:
    ids = [access(world, PAST) for _ in range(3)]
    first = run(world, MIDNIGHT)
    second = run(world, MIDNIGHT)
    assert first.counts["access_log"]["disposed"] == 3
    assert second.counts["access_log"] | {"cutoff": None} == {
        "listed": 0,
        "held": 0,
        "archived": 0,
        "disposed": 0,
        "kept": 0,
        "months": 36,
        "cutoff": None,
    }
    assert DisposalEntry.objects.filter(record_id__in=ids).count() == 3
    assert verify(disposal.archive_path(second)) == []


@pytest.mark.req("D-2")
def test_one_run_at_a_time_and_administrators_only(world, archive_dir, only_access_log) -> None:
    record = access(world, PAST)
    with disposal._exclusive(), pytest.raises(AlreadyHandled):
        run(world, MIDNIGHT)
    assert remaining([record]) == {record}
    with pytest.raises(NotAllowed), frozen_at(MIDNIGHT):
        disposal.dispose_past_retention(actor=world.users["auditor"], trigger=RunTrigger.BUTTON)
    assert not DisposalRun.objects.exists()


@pytest.mark.req("D-2")
def test_the_command_and_the_task_run_the_job(world, archive_dir, only_access_log) -> None:
    from django.core.management import call_command

    from estatedesk.records import tasks

    record = access(world, PAST)
    out = io.StringIO()
    with frozen_at(MIDNIGHT):
        call_command("dispose_records", "--dry-run", stdout=out)
    assert "access_log: listed 1, held 0, would go 1" in out.getvalue()
    assert remaining([record]) == {record}
    with frozen_at(MIDNIGHT):
        run_id = tasks.dispose_task.call_local(world.users["admin"].pk, False)
    assert DisposalRun.objects.get(pk=run_id).trigger == RunTrigger.BUTTON
    assert remaining([record]) == set()


@pytest.mark.req("D-2")
def test_the_monthly_run_is_due_from_three_in_the_morning_on_the_first_company_time(world) -> None:
    # 2 March 2026 19:00 UTC is 3 March 03:00 in Shanghai: not the 1st.
    assert disposal.monthly_run_due(datetime(2026, 2, 28, 18, 59, tzinfo=UTC)) is False  # 1 Mar 02:59
    assert disposal.monthly_run_due(datetime(2026, 2, 28, 19, 0, tzinfo=UTC)) is True  # 1 Mar 03:00
    DisposalRun.objects.create(
        number="DR-2026-000001",
        trigger=RunTrigger.SCHEDULE,
        status=RunStatus.DONE,
        started_at=datetime(2026, 2, 28, 19, 20, tzinfo=UTC),
    )
    assert disposal.monthly_run_due(datetime(2026, 3, 20, 4, 0, tzinfo=UTC)) is False
    assert disposal.monthly_run_due(datetime(2026, 3, 31, 19, 0, tzinfo=UTC)) is True  # 1 April 03:00


@pytest.mark.req("D-2")
def test_two_workers_given_the_monthly_run_at_once_run_it_once(
    world, archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from estatedesk.records import tasks

    with frozen_at(MIDNIGHT):  # 11 March: this month's run is due and none has started
        first = tasks.dispose_monthly.call_local()
        # The second worker looked before the first run was written (its "due" is stale);
        # it must look again once it holds the lock instead of running the month a second time.
        real = disposal.monthly_run_due
        stale = [True]
        monkeypatch.setattr(disposal, "monthly_run_due", lambda now=None: stale.pop() if stale else real(now))
        second = tasks.dispose_monthly.call_local()
    assert first is not None and second is None
    assert DisposalRun.objects.filter(trigger=RunTrigger.SCHEDULE, dry_run=False).count() == 1
