"""The record types EstateDesk keeps, each declared by the app that owns it (SPEC D-1, D-2).

``records`` sits below the domain apps, so it cannot know what a complaint or a survey answer
is. Each app registers its types when it starts (``AppConfig.ready``), saying:

- what the type is called and who keeps it, as §8 of the procedure names them;
- from when its period runs (closed, issued, sent …) and the default period;
- ``past_retention(cutoff)``: a queryset of the type's root rows whose period started before
  ``cutoff`` (an aware datetime). The disposal job pages through it by primary key, leaves out
  records under a legal hold, and never asks for more than a chunk at a time;
- ``archive(ids)``: those records as JSON objects (nested as the record reads: a complaint with
  its events, slips, notices, replies and visits), one flat CSV row each, and their files and
  PDFs, for the run's archive;
- ``dispose(ids)``: delete or anonymise exactly those records (and what belongs to them, their
  history rows and their files included), in one transaction, returning how many went.
  Called only for ids already in a closed archive; a record already gone is skipped, so a
  second call with the same ids does nothing;
- ``labels(ids)``: the number or name people know each record by (for holds, runs, previews);
- ``find(text)``: a record by that label, for placing a legal hold (None when the type cannot
  be held record by record).

The disposal engine (``records.disposal``) does the rest: the period in force
(``RetentionRule`` or the default), the cut-off in company time (``records.periods``), holds,
the archive, the ledger, and the run's record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

Text = str | Promise


class Disposal(StrEnum):
    DELETE = "delete"  # the record and everything that belongs to it go
    ANONYMISE = "anonymise"  # the record stays for its figures; names, phones and free text go


@dataclass(frozen=True)
class ArchivedFile:
    """A member of the archive besides the JSON and CSV: a stored file or a rendered PDF."""

    name: str  # path inside the zip, under the type's folder: "<key>/files/<label>/<name>"
    path: Path | None = None  # a file on disk, copied in chunks
    data: bytes | None = None  # or bytes made now (a PDF)


@dataclass
class ArchiveBatch:
    """What ``archive(ids)`` gives for one chunk of records."""

    records: list[dict[str, Any]]  # JSON-serialisable, one per record, its id under "id"
    csv_header: list[str]
    csv_rows: list[list[Any]]
    files: list[ArchivedFile] = field(default_factory=list)


@dataclass(frozen=True)
class RecordType:
    key: str  # "complaints"; also the archive's folder and the API's record_type
    label: Text
    owner: Text  # who keeps them, as the procedure names the role
    basis: Text  # from when the period runs: "closed", "issued", "sent" …
    disposal: Disposal
    past_retention: Callable[[datetime], QuerySet[Any]]
    archive: Callable[[Sequence[int]], ArchiveBatch]
    dispose: Callable[[Sequence[int]], int]
    labels: Callable[[Sequence[int]], dict[int, str]]
    find: Callable[[str], int | None] | None = None
    default_months: int = 24
    order: int = 100  # place in the retention table (the procedure's order)
    note: Text = ""  # anything the table should say (what anonymising keeps, what is included)


_TYPES: dict[str, RecordType] = {}


def register(record_type: RecordType) -> None:
    if record_type.key in _TYPES and _TYPES[record_type.key] is not record_type:
        raise ValueError(f"Record type {record_type.key!r} is registered twice.")
    _TYPES[record_type.key] = record_type


def record_types() -> list[RecordType]:
    return sorted(_TYPES.values(), key=lambda each: (each.order, each.key))


def record_type(key: str) -> RecordType | None:
    return _TYPES.get(key)


def keys() -> Iterable[str]:
    return (each.key for each in record_types())
