"""Putting a backup (``core.backup``) back into a data folder.

Order, so that nothing is touched unless everything can be put back: every member's size
and SHA-256 against the manifest; the database vendor and the schema (a backup from a newer
EstateDesk is refused); the folder (a database or files already there are replaced only when
told to, and the caller is told which); then the database, the files (each checked again as
it is written), the migrations a backup from an older version lacks, and the row counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections

from estatedesk import paths
from estatedesk.core import backup


class RestoreRefused(Exception):
    """Nothing was changed; ``problems`` say why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CountRow:
    table: str
    expected: int | None
    actual: int | None

    @property
    def equal(self) -> bool:
        return self.expected == self.actual


@dataclass
class Outcome:
    manifest: dict[str, Any]
    replaced: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    counts: list[CountRow] = field(default_factory=list)
    files: int = 0
    key_matches: bool = False

    @property
    def counts_equal(self) -> bool:
        return all(row.equal for row in self.counts)


# --- Checking the file ------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name and bool(path.parts)


def verify(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """(manifest, problems): every member is listed with its size and checksum, and matches."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return None, [f"{path} cannot be read as a backup ({exc})"]
    with zf:
        manifest = backup.read_manifest(path)
        if manifest is None:
            return None, [f"{path} is not an EstateDesk backup (no readable {backup.MANIFEST})"]
        problems: list[str] = []
        listed = {m["name"]: m for m in manifest.get("members", [])}
        present = {info.filename for info in zf.infolist() if not info.is_dir()} - {backup.MANIFEST}
        problems += [f"{name}: in the file but not in the manifest" for name in sorted(present - set(listed))]
        problems += [f"{name}: in the manifest but missing" for name in sorted(set(listed) - present)]
        for name in sorted(set(listed) & present):
            if not _safe_name(name):
                problems.append(f"{name}: not a safe file name")
                continue
            digest = hashlib.sha256()
            size = 0
            try:
                with zf.open(name) as member:
                    while chunk := member.read(backup.CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                problems.append(f"{name}: damaged ({exc})")
                continue
            if size != listed[name]["size"] or digest.hexdigest() != listed[name]["sha256"]:
                problems.append(f"{name}: its checksum does not match the manifest (changed or damaged)")
    database = manifest.get("database", {}).get("member")
    if database not in listed:
        problems.append("the manifest names no database")
    return manifest, problems


# --- What the folder already holds --------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(backup.sqlite_name())


def _database_tables() -> int:
    with connection.cursor() as cursor:
        return len([t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")])


def occupied() -> list[str]:
    """What a restore would replace, one line each; [] for an empty folder."""
    found = []
    tables = _database_tables()
    if tables:
        where = (
            _sqlite_path()
            if connection.vendor == "sqlite"
            else f"PostgreSQL database {connection.settings_dict['NAME']}"
        )
        found.append(f"the database ({where}, {tables} tables)")
    per_root: dict[str, int] = {}
    for name, _path in backup.walk_files():
        key = name.split("/")[1]
        per_root[key] = per_root.get(key, 0) + 1
    for key, root in backup.file_roots():
        if per_root.get(key):
            found.append(f"{per_root[key]} files in {root}")
    return found


def _newer_schema(manifest: dict[str, Any]) -> list[str]:
    # lazy: only a restore reads the migration files
    from django.db.migrations.loader import MigrationLoader

    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    return sorted(set(manifest.get("migrations", [])) - known)


# --- Putting things back ----------------------------------------------------------------


def _extract(zf: zipfile.ZipFile, member: dict[str, Any], target: Path) -> None:
    """Write one member to ``target`` (0600) through a temporary file, checking it again."""
    paths.private_dir(target.parent)
    partial = target.with_name(f".{target.name}.restoring")
    digest = hashlib.sha256()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, paths.PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as out, zf.open(member["name"]) as source:
            while chunk := source.read(backup.CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != member["sha256"]:
            raise RestoreRefused([f"{member['name']} changed while it was being restored"])
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _restore_sqlite(zf: zipfile.ZipFile, member: dict[str, Any]) -> None:
    path = _sqlite_path()
    if str(path).startswith(("file:", ":memory:")):
        raise RestoreRefused(["an in-memory database cannot be restored into"])
    connections.close_all()
    incoming = path.with_name(path.name + ".restoring")
    _extract(zf, member, incoming)
    for end in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + end).unlink()
    os.replace(incoming, path)
    os.chmod(path, paths.PRIVATE_FILE)


def _restore_postgres(zf: zipfile.ZipFile, member: dict[str, Any]) -> None:
    pg_restore = backup.postgres_tool("pg_restore")
    connections.close_all()
    env = backup.postgres_env()
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={env.get('PGDATABASE', '')}",
    ]
    with subprocess.Popen(  # noqa: S603 - the PostgreSQL client, our own arguments
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdin is not None and proc.stderr is not None
        try:
            with zf.open(member["name"]) as source:
                while chunk := source.read(backup.CHUNK):
                    proc.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped early; its own message says why
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        error = proc.stderr.read().decode("utf-8", "replace").strip()
        if proc.wait() != 0:
            raise RestoreRefused([f"pg_restore failed: {error}"])


def _clear_files() -> None:
    for _name, path in list(backup.walk_files()):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _migrate() -> list[str]:
    # lazy: only a restore runs migrations
    from django.core.management import call_command
    from django.db.migrations.recorder import MigrationRecorder

    before = set(MigrationRecorder(connection).applied_migrations())
    call_command("migrate", interactive=False, verbosity=0)
    after = set(MigrationRecorder(connection).applied_migrations())
    return sorted(f"{app}.{name}" for app, name in after - before)


def restore(path: Path, *, force: bool = False) -> Outcome:
    """Restore ``path`` into this process's data folder and database; RestoreRefused if not."""
    manifest, problems = verify(path)
    if problems or manifest is None:
        raise RestoreRefused(problems)
    kind = manifest["database"]["vendor"]
    if kind != connection.vendor:
        raise RestoreRefused(
            [
                f"the backup holds a {kind} database but this data folder uses {connection.vendor}"
                + (
                    " (DATABASE_URL is set)"
                    if connection.vendor == "postgresql"
                    else " (DATABASE_URL is not set)"
                )
            ]
        )
    newer = _newer_schema(manifest)
    if newer:
        raise RestoreRefused(
            [
                f"the backup comes from a newer EstateDesk ({manifest.get('estatedesk_version')}): "
                f"this version does not know {len(newer)} of its migrations (e.g. {newer[0]}). "
                f"Install that version or later, then restore."
            ]
        )
    there = occupied()
    if there and not force:
        raise RestoreRefused([f"this data folder already holds {item}" for item in there])

    outcome = Outcome(manifest=manifest, replaced=there)
    members = {m["name"]: m for m in manifest["members"]}
    roots = dict(backup.file_roots())
    with zipfile.ZipFile(path) as zf:
        database = members[manifest["database"]["member"]]
        if kind == "sqlite":
            _restore_sqlite(zf, database)
        else:
            _restore_postgres(zf, database)
        _clear_files()
        for name, member in members.items():
            parts = PurePosixPath(name).parts
            if parts[0] != "files" or len(parts) < 3 or parts[1] not in roots:
                continue
            _extract(zf, member, roots[parts[1]].joinpath(*parts[2:]))
            outcome.files += 1
    outcome.migrated = _migrate()
    counts, _migrations = backup.live_facts()
    expected = manifest.get("row_counts", {})
    outcome.counts = [
        CountRow(table, expected.get(table), counts.get(table))
        for table in sorted(set(expected) | set(counts))
    ]
    outcome.key_matches = manifest.get("field_key_id") == backup.field_key_id()
    return outcome


def key_files() -> list[Path]:
    data = Path(settings.DATA_DIR)
    return [data / name for name in backup.KEY_FILES]
