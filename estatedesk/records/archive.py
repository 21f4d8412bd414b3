"""The disposal run's archive: one zip, written as it goes, with a manifest of checksums (SPEC D-2).

Layout (decision 0045)::

    <key>/records-000001.json   the chunk's records, a JSON array (nested as each record reads)
    <key>/records-000001.csv    the same records, one flat row each (UTF-8 with BOM, header row)
    <key>/files/…               their stored files and PDFs, as the record type names them
    README.txt                  what the archive is, in Chinese and English
    manifest.json               the run, per type (count, cut-off, months), per member (name,
                                size, SHA-256); the last member

The zip is written to ``<name>.part`` and renamed when it is closed, so a file with the run's
name is always complete. Each member's SHA-256 is computed while it is written; files on
disk are copied in chunks. Memory stays flat in the number of records: only one chunk's
records are held at a time.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from estatedesk.records.registry import ArchiveBatch

COPY_CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
README = "README.txt"
FORMAT = 1

README_TEXT = """EstateDesk 记录处置归档 / EstateDesk records disposal archive

本文件是 EstateDesk 一次记录处置运行（{run}，{created}）的归档：保存期限已过、随后被删除或匿名化的记录，
按记录类型分文件夹存放。每个文件夹中 records-NNNNNN.json 为记录全文（JSON），records-NNNNNN.csv 为
同一批记录的表格（UTF-8，可用 Excel 打开），files/ 下为记录的附件和 PDF。manifest.json 列出每个文件的
大小和 SHA-256 校验值，以及每类记录的数量、保存期限（月）和截止时间。本归档含有个人信息，请妥善保管，
仅供审计和依法调取使用。

This file is the archive of one EstateDesk disposal run ({run}, {created}): the records past
their retention period that were then deleted or anonymised, one folder per record type. In
each folder, records-NNNNNN.json holds the records in full (JSON) and records-NNNNNN.csv the
same records as a table (UTF-8, opens in Excel); files/ holds their attachments and PDFs.
manifest.json lists every member's size and SHA-256, and per record type the count, the
retention period in months and the cut-off. The archive holds personal information: keep it
safe, for audits and lawful requests only.
"""


class _Hashing:
    """A writable member that counts and hashes what goes through it."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.target.write(data)
        self.sha256.update(data)
        self.size += len(data)


class ArchiveWriter:
    """One run's zip, member by member. ``close`` writes the README and the manifest and renames
    the ``.part`` file; ``abort`` throws the unfinished file away."""

    def __init__(self, path: Path, *, run: str, created_at: str) -> None:
        self.path = path
        self.part = part_path(path)
        self.run = run
        self.created_at = created_at
        self.members: list[dict[str, Any]] = []
        self._names: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._zip: zipfile.ZipFile | None = zipfile.ZipFile(
            self.part, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
        )

    # --- members ------------------------------------------------------------------------------

    def _name(self, name: str) -> str:
        """A safe, unique member name (two files of a record may share a name)."""
        parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
        clean = "/".join(parts) or "file"
        candidate, n = clean, 1
        while candidate in self._names or candidate in (MANIFEST, README):
            n += 1
            stem = PurePosixPath(clean)
            candidate = str(stem.with_name(f"{stem.stem}~{n}{stem.suffix}"))
        self._names.add(candidate)
        return candidate

    def _write(self, name: str, chunks: Iterable[bytes], *, own: bool = False) -> str:
        assert self._zip is not None, "the archive is closed"
        name = name if own else self._name(name)
        with self._zip.open(name, "w", force_zip64=True) as member:
            out = _Hashing(member)
            for chunk in chunks:
                out.write(chunk)
        self.members.append({"name": name, "size": out.size, "sha256": out.sha256.hexdigest()})
        return name

    def add_bytes(self, name: str, data: bytes) -> str:
        return self._write(name, [data])

    def add_file(self, name: str, path: Path) -> str:
        def chunks() -> Iterable[bytes]:
            with path.open("rb") as source:
                while block := source.read(COPY_CHUNK):
                    yield block

        return self._write(name, chunks())

    def add_batch(self, key: str, number: int, batch: ArchiveBatch) -> None:
        """One chunk of a type's records: its JSON, its CSV and its files."""
        stem = f"{key}/records-{number:06d}"
        # A JSON array with one record per line: readable and diffable, and written by the C
        # encoder (``indent`` would switch json to its pure-Python encoder, 3× slower).
        lines = ",\n".join(json.dumps(record, ensure_ascii=False, default=str) for record in batch.records)
        self.add_bytes(f"{stem}.json", f"[\n{lines}\n]\n".encode())
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(batch.csv_header)
        writer.writerows([_cell(value) for value in row] for row in batch.csv_rows)
        self.add_bytes(f"{stem}.csv", text.getvalue().encode("utf-8-sig"))
        for each in batch.files:
            if each.path is not None:
                self.add_file(each.name, each.path)
            else:
                self.add_bytes(each.name, each.data or b"")

    # --- closing ------------------------------------------------------------------------------

    def close(self, types: Mapping[str, Mapping[str, Any]]) -> tuple[str, int]:
        """Write the README and the manifest, close and rename; the whole file's SHA-256 and size."""
        readme = README_TEXT.format(run=self.run, created=self.created_at).encode("utf-8")
        self._write(README, [readme], own=True)
        manifest = {
            "format": FORMAT,
            "run": self.run,
            "created_at": self.created_at,
            "types": dict(types),
            "members": self.members,
        }
        assert self._zip is not None, "the archive is closed"
        self._zip.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        self._zip.close()
        self._zip = None
        self.part.replace(self.path)
        return file_sha256(self.path), self.path.stat().st_size

    def abort(self) -> None:
        """Close the handle and delete the unfinished file (the run is interrupted)."""
        if self._zip is not None:
            with contextlib.suppress(OSError, ValueError, zipfile.BadZipFile):
                self._zip.close()
            self._zip = None
        self.part.unlink(missing_ok=True)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else value


def part_path(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(COPY_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path) -> list[str]:
    """Re-read every member and compare it with the manifest: the problems found ([] = intact)."""
    problems: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                manifest = json.loads(archive.read(MANIFEST))
                listed = {m["name"]: m for m in manifest["members"]}
            except (KeyError, ValueError, TypeError):
                return [str(_("%(name)s: missing or unreadable.") % {"name": MANIFEST})]
            present = set(archive.namelist()) - {MANIFEST}
            for name in sorted(present - set(listed)):
                problems.append(str(_("%(name)s: not in the manifest.") % {"name": name}))
            for name, expected in listed.items():
                if name not in present:
                    problems.append(str(_("%(name)s: missing.") % {"name": name}))
                    continue
                digest, size = hashlib.sha256(), 0
                try:
                    with archive.open(name) as member:
                        while block := member.read(COPY_CHUNK):
                            digest.update(block)
                            size += len(block)
                except (zipfile.BadZipFile, OSError) as error:
                    problems.append(
                        str(_("%(name)s: unreadable (%(error)s).") % {"name": name, "error": error})
                    )
                    continue
                if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
                    problems.append(
                        str(_("%(name)s: its checksum does not match the manifest.") % {"name": name})
                    )
    except (zipfile.BadZipFile, OSError) as error:
        return [
            str(_("%(name)s: not a readable zip file (%(error)s).") % {"name": path.name, "error": error})
        ]
    return problems
