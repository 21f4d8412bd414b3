"""One file that brings EstateDesk back: the database, the uploaded files and a manifest.

``write_backup`` streams a zip (zip64, one member at a time, never a whole file in memory):

- ``database/estatedesk.sqlite3`` — a copy made with SQLite's online backup API in one step,
  which reads one consistent snapshot while the server and worker keep writing (WAL mode);
  or ``database/estatedesk.pgdump`` — ``pg_dump --format=custom`` of the PostgreSQL database,
  taken in the same snapshot as the row counts (``pg_export_snapshot``);
- ``files/uploads/…``, ``files/media/…``, ``files/archive/…`` — ``UPLOAD_ROOT``, ``MEDIA_ROOT``
  and the disposal archives (``RECORDS_ARCHIVE_DIR``);
- ``manifest.json`` (last) — version, migrations, vendor, when, every member's size and
  SHA-256, the row count of every table, and an identifier of the field key (not the key).

Not in it: the keys (``secret_key``, ``field_key``), the task queue, static files, the rate
limit cache and earlier backups (docs/decisions/0051-backup-and-restore.md).

The scheduled copies (``run_schedule``, called by the worker) and the ``/health/`` check
of their age live here too; ``core.restore`` reads the file back.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from estatedesk import paths
from estatedesk.core import health

FORMAT = "estatedesk-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/estatedesk.sqlite3"
POSTGRES_MEMBER = "database/estatedesk.pgdump"
CHUNK = 1024 * 1024
# Level 1: most of what deflate saves on a database at a fraction of the time of level 6.
COMPRESSLEVEL = 1
# Already compressed: stored as they are.
STORED_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".zip", ".gz", ".xlsx", ".docx", ".pdf", ".pgdump"}
)
KEY_FILES = ("secret_key", "field_key")
MADE_BY_COMMAND = "command"
MADE_BY_SCHEDULE = "schedule"
SCHEDULED_NAME = re.compile(r"^estatedesk-(\d{8})-(\d{4})\.zip$")
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
SUNDAY = 6
# A worker that was down at BACKUP_HOUR still makes the copy if it is back within this long.
CATCH_UP = timedelta(hours=12)


class BackupError(Exception):
    """The backup could not be written; the message says why in plain words."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


# --- What is backed up -------------------------------------------------------------------


def file_roots() -> list[tuple[str, Path]]:
    """The folders whose files go into the backup, under ``files/<key>/``."""
    return [
        ("uploads", Path(settings.UPLOAD_ROOT)),
        ("media", Path(settings.MEDIA_ROOT)),
        ("archive", Path(settings.RECORDS_ARCHIVE_DIR)),
    ]


def _never_included() -> list[Path]:
    data = Path(settings.DATA_DIR)
    return [
        Path(settings.BACKUP_DIR),
        Path(settings.STATIC_ROOT),
        data / "cache",
        data / "huey.sqlite3",
        *(data / name for name in KEY_FILES),
    ]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def walk_files() -> Iterator[tuple[str, Path]]:
    """(member name, path) of every regular file to back up, in a stable order.

    Symbolic links are not followed; a root nested inside another is walked once, as itself.
    """
    roots = file_roots()
    for key, root in roots:
        if not root.is_dir():
            continue
        skip = [p for p in _never_included() if _inside(p, root)]
        skip += [other for k, other in roots if k != key and other != root and _inside(other, root)]
        skip_resolved = {p.resolve() for p in skip}
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if (here / d).resolve() not in skip_resolved)
            for name in sorted(files):
                path = here / name
                if path.is_symlink() or not path.is_file() or path.resolve() in skip_resolved:
                    continue
                relative = PurePosixPath(*path.relative_to(root).parts)
                yield f"files/{key}/{relative}", path


def field_key_id(material: str | None = None) -> str:
    """Names the field key without revealing it: a restore compares it with the folder's key."""
    key = (material if material is not None else settings.FIELD_ENCRYPTION_KEY).encode("ascii")
    return hmac.new(key, b"estatedesk field key id", hashlib.sha256).hexdigest()[:16]


def version() -> str:
    try:
        return metadata.version("estatedesk")
    except metadata.PackageNotFoundError:
        return "unknown"


def vendor() -> str:
    return connection.vendor


# --- Writing the zip --------------------------------------------------------------------


def _zip_info(name: str, mtime: float | None = None) -> zipfile.ZipInfo:
    when = datetime.fromtimestamp(mtime) if mtime is not None else datetime.now()
    info = zipfile.ZipInfo(name, date_time=max(when, datetime(1980, 1, 1)).timetuple()[:6])
    stored = PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = (0o600 | 0o100000) << 16
    return info


def _copy_into(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: BinaryIO) -> Member:
    digest = hashlib.sha256()
    size = 0
    with zf.open(info, "w", force_zip64=True) as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return Member(info.filename, size, digest.hexdigest())


def _add_file(zf: zipfile.ZipFile, name: str, path: Path) -> Member | None:
    try:
        source = path.open("rb")
    except FileNotFoundError:  # removed since the walk (a disposal run): nothing to keep
        return None
    with source:
        return _copy_into(zf, _zip_info(name, os.fstat(source.fileno()).st_mtime), source)


# --- The database -----------------------------------------------------------------------


def sqlite_snapshot(source: Path | str, target: Path) -> None:
    """A consistent copy of a live SQLite database through the online backup API.

    One step (``pages=-1``): the copy reads one snapshot under a read transaction, which in
    WAL mode never blocks the server's or the worker's writes. Copying the file instead could
    catch a page half-written, or miss what still sits in the -wal file.
    """
    paths.private_sqlite(target)
    name = str(source)
    src = sqlite3.connect(name, uri=name.startswith("file:"), timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    finally:
        src.close()


def sqlite_name() -> str:
    """The database file (or, under the tests, the shared in-memory database's URI)."""
    return str(connection.settings_dict["NAME"])


def sqlite_facts(path: Path) -> tuple[dict[str, int], list[str]]:
    """Row counts of every table and the applied migrations, read from an SQLite file."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608 - names from sqlite_master
        migrations: list[str] = []
        if "django_migrations" in counts:
            migrations = sorted(f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations"))
    finally:
        db.close()
    return counts, migrations


def live_facts() -> tuple[dict[str, int], list[str]]:
    """The same facts from the database Django is connected to (in the caller's transaction)."""
    with connection.cursor() as cursor:
        # SQLite's own tables (sqlite_stat1, sqlite_sequence) are not the product's rows.
        tables = sorted(
            t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")
        )
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            counts[table] = int(cursor.fetchone()[0])
        migrations: list[str] = []
        if "django_migrations" in counts:
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = sorted(f"{a}.{n}" for a, n in cursor.fetchall())
    return counts, migrations


def postgres_env() -> dict[str, str]:
    """pg_dump's and pg_restore's connection, from DATABASE_URL, through libpq's variables."""
    db = connection.settings_dict  # under the tests: the test database
    env = dict(os.environ)
    for variable, value in (
        ("PGDATABASE", db.get("NAME")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            f"(the same major version as the server, or newer) and try again."
        )
    return found


def _add_postgres(zf: zipfile.ZipFile) -> tuple[Member, dict[str, int], list[str]]:
    pg_dump = postgres_tool("pg_dump")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The dump and the counts read the same snapshot, however busy the server is.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, migrations = live_facts()
        command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        with subprocess.Popen(  # noqa: S603 - the PostgreSQL client, our own arguments
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=postgres_env()
        ) as dump:
            assert dump.stdout is not None and dump.stderr is not None
            member = _copy_into(zf, _zip_info(POSTGRES_MEMBER), dump.stdout)  # type: ignore[arg-type]
            error = dump.stderr.read().decode("utf-8", "replace").strip()
            if dump.wait() != 0:
                raise BackupError(f"pg_dump failed: {error}")
    return member, counts, migrations


# --- The whole backup --------------------------------------------------------------------


def default_name(now: datetime | None = None, *, scheduled: bool = False) -> str:
    local = timezone.localtime(now or timezone.now())
    return f"estatedesk-{local:%Y%m%d-%H%M}.zip" if scheduled else f"estatedesk-{local:%Y%m%d-%H%M%S}.zip"


def write_backup(
    target: Path, *, made_by: str = MADE_BY_COMMAND, now: datetime | None = None
) -> BackupResult:
    """Write the backup to ``target`` (0600), through a temporary file renamed at the end."""
    target = target.expanduser().absolute()
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name, or leave it out.")
    for _key, root in file_roots():
        if _inside(target.parent, root):
            raise BackupError(f"{target} is inside {root}, which is backed up: write the backup elsewhere.")
    paths.private_dir(target.parent)
    now = now or timezone.now()
    work = Path(tempfile.mkdtemp(prefix=".estatedesk-backup-", dir=target.parent))
    try:
        partial = work / "partial.zip"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, paths.PRIVATE_FILE)
        with (
            os.fdopen(fd, "wb") as raw,
            zipfile.ZipFile(
                raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESSLEVEL
            ) as zf,
        ):
            members: list[Member] = []
            kind = vendor()
            if kind == "sqlite":
                snapshot = work / "snapshot.sqlite3"
                sqlite_snapshot(sqlite_name(), snapshot)
                counts, migrations = sqlite_facts(snapshot)
                with snapshot.open("rb") as source:
                    members.append(_copy_into(zf, _zip_info(SQLITE_MEMBER), source))
                snapshot.unlink()
            elif kind == "postgresql":
                member, counts, migrations = _add_postgres(zf)
                members.append(member)
            else:
                raise BackupError(f"backing up a {kind} database is not supported")
            for name, path in walk_files():
                added = _add_file(zf, name, path)
                if added is not None:
                    members.append(added)
            manifest = {
                "format": FORMAT,
                "estatedesk_version": version(),
                "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
                "made_by": made_by,
                "database": {"vendor": kind, "member": members[0].name},
                "migrations": migrations,
                "row_counts": counts,
                "field_key_id": field_key_id(),
                "not_included": ["secret_key", "field_key", "task queue", "static files", "earlier backups"],
                "members": [m.as_json() for m in members],
            }
            zf.writestr(_zip_info(MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(partial, target)
        os.chmod(target, paths.PRIVATE_FILE)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(target, target.stat().st_size, manifest)


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of a backup file, or None when the file is not one of ours."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read(MANIFEST))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None


# --- Scheduled copies -------------------------------------------------------------------


def _named_time(path: Path) -> datetime | None:
    match = SCHEDULED_NAME.match(path.name)
    if not match:
        return None
    try:
        naive = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def named_copies(folder: Path) -> list[tuple[datetime, Path]]:
    """Files named as the schedule names its copies, oldest first (names only: cheap)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        when = _named_time(path)
        if when is not None and path.is_file():
            found.append((when, path))
    return sorted(found)


def scheduled_copies(folder: Path) -> list[tuple[datetime, Path]]:
    """The copies the schedule wrote itself: its name pattern and ``made_by`` in the manifest."""
    return [
        (when, path)
        for when, path in named_copies(folder)
        if (read_manifest(path) or {}).get("made_by") == MADE_BY_SCHEDULE
    ]


def last_slot(now: datetime, every: str, hour: int) -> datetime:
    """The latest BACKUP_HOUR (daily) or Sunday BACKUP_HOUR (weekly) at or before ``now``."""
    local = timezone.localtime(now)
    day = local.date()
    if every == "weekly":
        day -= timedelta(days=(local.weekday() - SUNDAY) % 7)
    slot = timezone.make_aware(datetime(day.year, day.month, day.day, hour))
    if slot > local:
        slot -= PERIODS[every]
    return slot


def is_due(now: datetime) -> bool:
    every = settings.BACKUP_EVERY
    if every not in PERIODS:
        return False
    slot = last_slot(now, every, int(settings.BACKUP_HOUR))
    if now - slot >= CATCH_UP:
        return False
    copies = named_copies(Path(settings.BACKUP_DIR))
    return not copies or copies[-1][0] < slot


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest scheduled copies beyond ``keep``; anything else is left alone."""
    copies = scheduled_copies(folder)
    doomed = [path for _when, path in copies[: max(0, len(copies) - max(1, keep))]]
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return doomed


def run_schedule(now: datetime | None = None) -> BackupResult | None:
    """The worker's periodic call: a copy when one is due, then the old ones pruned."""
    now = now or timezone.now()
    if not is_due(now):
        return None
    folder = Path(settings.BACKUP_DIR)
    result = write_backup(folder / default_name(now, scheduled=True), made_by=MADE_BY_SCHEDULE, now=now)
    prune(folder, int(settings.BACKUP_KEEP))
    return result


# --- /health/ ---------------------------------------------------------------------------

OFF = "off"
WARN = "warn"


def check_health(now: datetime) -> health.Check:
    """Scheduled backups on and the newest copy older than two periods (or none): ``warn``.

    Not a failure: the web server and the worker are fine, and a 503 would page for the
    wrong thing. A monitor can alert on ``checks.backup.status == "warn"``.
    """
    every = settings.BACKUP_EVERY
    if every not in PERIODS:
        return health.Check(OFF)
    copies = named_copies(Path(settings.BACKUP_DIR))
    newest = copies[-1][0] if copies else None
    limit = int(2 * PERIODS[every].total_seconds())
    age = health.age_seconds(newest, now)
    figures = {"last_backup": health.stamp(newest), "age_seconds": age, "max_age_seconds": limit}
    return health.Check(health.OK if age is not None and age <= limit else WARN, figures)
