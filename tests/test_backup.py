"""`estatedesk backup` and `estatedesk restore`: one file back to a working EstateDesk (SPEC D-1).

Keeping the records safe (D-1) includes getting them back after a lost disk. The restore drill
starts the real demo, backs it up while its worker is still writing the demo's year of
complaints, restores into a new folder, starts EstateDesk there and compares every table and
every file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from estatedesk.core import backup, health, restore
from estatedesk.core import tasks as core_tasks
from tests.clirun import clean_env, estatedesk_command, free_port, run_estatedesk
from tests.helpers import frozen_at

pytestmark = pytest.mark.req("D-1")

SHANGHAI = ZoneInfo("Asia/Shanghai")
ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))
HAS_PG_DUMP = shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None
sqlite_pass_only = pytest.mark.skipif(
    ON_POSTGRES,
    reason="the real commands run here on SQLite in their own folders; the SQLite pass covers them",
)
can_dump = pytest.mark.skipif(ON_POSTGRES and not HAS_PG_DUMP, reason="pg_dump is not on PATH")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fake_copy(path: Path, made_by: str) -> Path:
    """A file that reads as a backup made by ``made_by`` (only the manifest matters here)."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(backup.MANIFEST, json.dumps({"format": backup.FORMAT, "made_by": made_by, "members": []}))
    return path


@pytest.fixture
def folders(settings, tmp_path):
    """Uploads, roster imports, disposal archives and backups in folders of this test's own."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDS_ARCHIVE_DIR = tmp_path / "archive"
    settings.BACKUP_DIR = tmp_path / "backups"
    photo = settings.UPLOAD_ROOT / "complaints" / "2026" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(os.urandom(20_000))
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "roster.csv").write_text("unit,name\n1-101,王小明\n", encoding="utf-8")
    settings.RECORDS_ARCHIVE_DIR.mkdir()
    (settings.RECORDS_ARCHIVE_DIR / "disposal-0001.zip").write_bytes(b"PK archive of a disposal run")
    return tmp_path


# --- Scheduled copies and their retention ---------------------------------------------------


def test_scheduled_copies_beyond_keep_are_removed_and_nobody_elses_files(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    ours = [_fake_copy(tmp_path / f"estatedesk-202611{day:02d}-0200.zip", "schedule") for day in range(1, 6)]
    by_hand = _fake_copy(
        tmp_path / "estatedesk-20261020-0200.zip", "command"
    )  # same pattern, made by a person
    not_a_backup = tmp_path / "estatedesk-20261001-0200.zip"
    not_a_backup.write_text("someone's notes")
    manual = _fake_copy(tmp_path / "estatedesk-20261015-093012.zip", "schedule")  # another name
    other = tmp_path / "db-before-upgrade.sqlite3"
    other.write_text("x")

    removed = backup.prune(tmp_path, keep=2)

    assert sorted(removed) == ours[:3]
    assert sorted(p for p in tmp_path.iterdir()) == sorted([*ours[3:], by_hand, not_a_backup, manual, other])


@pytest.mark.parametrize(
    ("every", "now", "last_copy", "due"),
    [
        ("daily", datetime(2026, 11, 18, 1, 59), "20261117-0200", False),  # before 02:00
        ("daily", datetime(2026, 11, 18, 2, 0), "20261117-0200", True),
        ("daily", datetime(2026, 11, 18, 2, 10), "20261118-0200", False),  # made already
        ("daily", datetime(2026, 11, 18, 9, 0), "20261117-0200", True),  # worker was down at 02:00
        ("daily", datetime(2026, 11, 18, 15, 0), "20261117-0200", False),  # too late: tonight's then
        ("daily", datetime(2026, 11, 18, 2, 0), None, True),
        ("weekly", datetime(2026, 11, 15, 2, 0), "20261108-0200", True),  # a Sunday
        ("weekly", datetime(2026, 11, 16, 2, 0), "20261108-0200", False),  # Monday
        ("weekly", datetime(2026, 11, 15, 2, 30), "20261115-0200", False),
        ("", datetime(2026, 11, 15, 2, 0), None, False),  # off
    ],
)
def test_a_scheduled_copy_is_due_at_backup_hour_company_time(settings, tmp_path, every, now, last_copy, due):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_EVERY = every
    settings.BACKUP_HOUR = 2
    if last_copy:
        _fake_copy(tmp_path / f"estatedesk-{last_copy}.zip", "schedule")
    assert backup.is_due(now.replace(tzinfo=SHANGHAI)) is due


def test_health_warns_when_the_newest_scheduled_copy_is_older_than_two_periods(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_EVERY = ""
    now = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)
    assert backup.check_health(now).status == backup.OFF

    settings.BACKUP_EVERY = "daily"
    assert backup.check_health(now).status == backup.WARN  # on, and nothing written yet
    _fake_copy(tmp_path / "estatedesk-20261116-1200.zip", "schedule")
    assert backup.check_health(now).status == health.OK  # 46 hours: within two days
    answer = backup.check_health(now + timedelta(hours=3))
    assert answer.status == backup.WARN
    assert answer.figures["max_age_seconds"] == 2 * 86400
    assert not answer.failed  # a warning for the monitor, not a 503


def test_a_backup_is_not_written_among_the_files_it_backs_up(folders):
    with pytest.raises(backup.BackupError, match="write the backup elsewhere"):
        backup.write_backup(folders / "uploads" / "b.zip")
    assert not (folders / "uploads" / "b.zip").exists()


# --- Writing and reading a backup in this process ---------------------------------------------


@can_dump
@pytest.mark.django_db(transaction=True)
def test_the_scheduled_task_writes_a_copy_and_keeps_backup_keep(settings, folders):
    settings.BACKUP_EVERY = "daily"
    settings.BACKUP_HOUR = 2
    settings.BACKUP_KEEP = 2
    settings.BACKUP_DIR.mkdir()
    older = [
        _fake_copy(settings.BACKUP_DIR / f"estatedesk-202611{d}-0200.zip", "schedule") for d in (15, 16, 17)
    ]
    mine = _fake_copy(settings.BACKUP_DIR / "estatedesk-20261101-0200.zip", "command")

    with frozen_at(datetime(2026, 11, 18, 2, 0, tzinfo=SHANGHAI)):
        written = core_tasks.scheduled_backup.call_local()
        again = core_tasks.scheduled_backup.call_local()  # ten minutes later: nothing more

    assert written == str(settings.BACKUP_DIR / "estatedesk-20261118-0200.zip")
    assert again == ""
    assert sorted(settings.BACKUP_DIR.iterdir()) == sorted([mine, older[2], Path(written)])
    manifest = backup.read_manifest(Path(written))
    assert manifest is not None and manifest["made_by"] == "schedule"
    assert oct(Path(written).stat().st_mode & 0o777) == "0o600"


@can_dump
@pytest.mark.django_db(transaction=True)
def test_the_backup_holds_database_files_and_manifest_but_not_the_keys(settings, folders):
    result = backup.write_backup(folders / "out" / "b.zip")

    manifest = result.manifest
    with zipfile.ZipFile(result.path) as zf:
        names = set(zf.namelist())
        contents = b"".join(zf.read(name) for name in names)
    assert names == {
        manifest["database"]["member"],
        "files/uploads/complaints/2026/photo.jpg",
        "files/media/imports/roster.csv",
        "files/archive/disposal-0001.zip",
        "manifest.json",
    }
    photo = folders / "uploads" / "complaints" / "2026" / "photo.jpg"
    listed = {m["name"]: m for m in manifest["members"]}
    assert listed["files/uploads/complaints/2026/photo.jpg"]["sha256"] == sha256(photo)
    assert manifest["row_counts"]["org_channel"] > 0 and "django_migrations" in manifest["row_counts"]
    assert manifest["migrations"] and manifest["database"]["vendor"] in ("sqlite", "postgresql")
    # The keys: neither as a file nor anywhere inside another member.
    assert not any(Path(n).name in backup.KEY_FILES for n in names)
    assert settings.FIELD_ENCRYPTION_KEY.encode() not in contents
    assert settings.SECRET_KEY.encode() not in contents
    assert restore.verify(result.path)[1] == []


@can_dump
@pytest.mark.django_db(transaction=True)
def test_a_tampered_member_or_a_folder_holding_data_is_refused_before_anything_changes(settings, folders):
    good = backup.write_backup(folders / "b.zip").path
    tampered = folders / "tampered.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "files/media/imports/roster.csv":
                data = data.replace("王小明".encode(), "李小红".encode())
            dst.writestr(info, data)

    manifest, problems = restore.verify(tampered)
    assert problems == [
        "files/media/imports/roster.csv: its checksum does not match the manifest (changed or damaged)"
    ]
    with pytest.raises(restore.RestoreRefused):
        restore.restore(tampered, force=True)

    # This test database is not empty, and neither are the upload folders.
    with pytest.raises(restore.RestoreRefused) as refused:
        restore.restore(good)
    assert any("already holds the database" in p for p in refused.value.problems)
    assert any("1 files in" in p and "uploads" in p for p in refused.value.problems)
    assert "王小明" in (folders / "media" / "imports" / "roster.csv").read_text(encoding="utf-8")


# --- The real commands: a running demo, backed up while it writes ---------------------------


def _wait_for(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "EstateDesk exited early"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {timeout} s")


def _start(command: str, folder: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [*estatedesk_command(), command, "--port", str(port), "--data-dir", str(folder)],
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()


def _counts(database: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


def _files(folder: Path) -> dict[str, str]:
    return {
        f"{root}/{p.relative_to(folder / root)}": sha256(p)
        for root in ("uploads", "media", "archive")
        for p in sorted((folder / root).rglob("*"))
        if p.is_file()
    }


SEEDED_FILES = {
    "uploads/complaints/2026/11/a1.jpg": 150_000,
    "uploads/complaints/2026/11/a2.png": 40_000,
    "uploads/notices/7/plan.pdf": 60_000,
    "media/imports/roster-2026.xlsx": 25_000,
    "archive/disposal-20261101-0001.zip": 10_000,
}


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory):
    """`estatedesk demo` on a folder of its own, with uploaded photos, a roster import and a
    disposal archive; its worker is still loading the demo's year of complaints."""
    base = tmp_path_factory.mktemp("live")
    folder = base / "data"
    for relative, size in SEEDED_FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    port = free_port()
    process = _start("demo", folder, port, base / "demo.log")
    try:
        _wait_for(f"http://127.0.0.1:{port}/accounts/login/", process, timeout=300)
        yield folder
    finally:
        _stop(process)


# Both tests share the running demo: both are ``slow`` (a server start) so that the suite's
# ordering (conftest: slow tests first) keeps them together and the demo starts once.
@pytest.mark.slow
@sqlite_pass_only
def test_restore_drill(live_demo, tmp_path):
    source = live_demo
    # Back up while the worker writes the demo's year of complaints (it takes a minute or two).
    deadline = time.monotonic() + 90
    while not _counts(source / "estatedesk.sqlite3")["complaints_complaint"] and time.monotonic() < deadline:
        time.sleep(0.5)
    before = _counts(source / "estatedesk.sqlite3")
    file = tmp_path / "drill.zip"

    made = run_estatedesk("backup", "--data-dir", str(source), str(file))

    after = _counts(source / "estatedesk.sqlite3")
    assert made.returncode == 0, made.stderr
    assert "keys are NOT in this backup" in made.stdout and str(source / "field_key") in made.stdout
    manifest = json.loads(zipfile.ZipFile(file).read("manifest.json"))
    print(
        f"\ncomplaints while backing up: {before['complaints_complaint']} -> {after['complaints_complaint']}"
    )
    # One moment of the running database: each table's count lies between the readings just
    # before and just after the backup (the worker writes complaints all along).
    for table, count in manifest["row_counts"].items():
        assert min(before[table], after[table]) <= count <= max(before[table], after[table]), table

    target = tmp_path / "restored"
    restored = run_estatedesk("restore", str(file), "--data-dir", str(target))
    assert restored.returncode == 0, restored.stderr
    assert "tables hold as many rows as the backup's manifest says" in restored.stdout
    assert "PUT THE KEYS BACK" in restored.stdout  # the new folder made keys of its own
    for key in backup.KEY_FILES:  # what the administrator does with the keys kept apart
        shutil.copyfile(source / key, target / key)
    # Restored, not yet started: exactly the backup's rows and files. The files are compared
    # with the backup's manifest, not with the live folder, whose worker may have written a
    # disposal archive since (its hourly check at :20 runs the month's disposal when due).
    assert _counts(target / "estatedesk.sqlite3") == manifest["row_counts"]
    restored_files = _files(target)
    assert restored_files == {
        m["name"].removeprefix("files/"): m["sha256"]
        for m in manifest["members"]
        if m["name"].startswith("files/")
    }
    assert SEEDED_FILES.keys() <= restored_files.keys()

    port = free_port()
    server = _start("up", target, port, tmp_path / "up.log")
    try:
        _wait_for(f"http://127.0.0.1:{port}/accounts/login/", server, timeout=60)
        phone = run_estatedesk(
            "manage",
            "shell",
            "--no-imports",
            "-c",
            "from estatedesk.org.models import Customer; "
            "print(sum(1 for c in Customer.objects.exclude(phone_index='')[:50] if c.phone))",
            "--data-dir",
            str(target),
        )
    finally:
        _stop(server)

    # Started: nothing lost. The worker's own jobs (its heartbeat, a scheduled run that fell
    # due) may add rows and files, never take any away.
    started = _counts(target / "estatedesk.sqlite3")
    lost = {t: (n, started.get(t, 0)) for t, n in manifest["row_counts"].items() if started.get(t, 0) < n}
    assert not lost, f"rows lost after restoring and starting (manifest, now): {lost}"
    assert restored_files.items() <= _files(target).items()
    assert phone.returncode == 0, phone.stderr
    assert int(phone.stdout.strip().splitlines()[-1]) == 50  # phone numbers read with the keys put back
    db = sqlite3.connect(target / "estatedesk.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()


@pytest.mark.slow
@sqlite_pass_only
def test_restore_refuses_a_folder_that_holds_data_unless_forced(live_demo, tmp_path):
    file = tmp_path / "b.zip"
    assert run_estatedesk("backup", "--data-dir", str(live_demo), str(file)).returncode == 0
    target = tmp_path / "in-use"
    mine = target / "uploads" / "complaints" / "2026" / "11" / "a1.jpg"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"a photo taken since")

    refused = run_estatedesk("restore", str(file), "--data-dir", str(target))

    assert refused.returncode == 1
    assert "refused; nothing was changed" in refused.stderr and "already holds 1 files in" in refused.stderr
    assert "--force" in refused.stderr
    assert mine.read_bytes() == b"a photo taken since"
    assert _counts(target / "estatedesk.sqlite3") == {}  # no database was put there

    forced = run_estatedesk("restore", str(file), "--data-dir", str(target), "--force")

    assert forced.returncode == 0, forced.stderr
    assert "Replaced 1 files in" in forced.stdout
    assert _files(target) == _files(live_demo)
    assert "All " in forced.stdout and "tables hold as many rows" in forced.stdout


# --- PostgreSQL: pg_dump and pg_restore ----------------------------------------------------


@pytest.mark.skipif(not (ON_POSTGRES and HAS_PG_DUMP), reason="needs PostgreSQL (DATABASE_URL) and pg_dump")
@pytest.mark.django_db(transaction=True)
def test_postgres_round_trip_with_pg_dump_and_pg_restore(settings, folders):
    import psycopg
    from psycopg import sql

    made = backup.write_backup(folders / "pg.zip")
    assert made.manifest["database"]["vendor"] == "postgresql"
    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    scratch = f"{name.split('?')[0]}_restore_{os.getpid()}"
    admin = base + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        env = clean_env(DATABASE_URL=f"{base}/{scratch}")
        restored = run_estatedesk("restore", str(made.path), "--data-dir", str(folders / "new"), env=env)
        assert restored.returncode == 0, restored.stderr
        again = run_estatedesk("restore", str(made.path), "--data-dir", str(folders / "new"), env=env)
        assert again.returncode == 1 and "already holds the database" in again.stderr
        with psycopg.connect(f"{base}/{scratch}") as conn:
            for table, count in made.manifest["row_counts"].items():
                query = sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))
                assert conn.execute(query).fetchone()[0] == count, table
        assert sha256(folders / "new" / "media" / "imports" / "roster.csv") == sha256(
            folders / "media" / "imports" / "roster.csv"
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
