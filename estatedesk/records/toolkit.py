"""Pieces the apps' record types and personal-data sources share (SPEC D-2, D-3).

- ``plain``: a row of ``values()`` made JSON-safe (times and days as ISO text) for the archive;
- ``stored_file``: a stored upload as an archive member, or None when it is missing on disk;
- ``unlink_after_commit``: remove stored files once the rows that named them are gone for good;
- ``scrub``: a text with a person's names and phone numbers (however typed) taken out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import Http404

from estatedesk.core import crypto, uploads
from estatedesk.records.registry import ArchivedFile
from estatedesk.records.subjects import Subject

# What stands where a name or a phone number was (a mark, not a word: the text stays in the
# language it was written in).
ERASED = "***"
# A name this short would match inside other words; such names are erased where they are a
# whole field, not searched for in running text.
SHORTEST_NAME = 2


def plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _plain_value(value) for key, value in row.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def path_of(stored_name: str) -> Path | None:
    if not stored_name:
        return None
    try:
        return uploads.path_of(stored_name)
    except Http404:  # a row pointing outside the upload folder: never followed
        return None


def stored_file(stored_name: str, member: str) -> ArchivedFile | None:
    """The stored file as an archive member, or None (the record says so) when it is gone."""
    path = path_of(stored_name)
    if path is None or not path.is_file():
        return None
    return ArchivedFile(name=member, path=path)


def safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", text).strip(" .") or "file"


def unlink_after_commit(stored_names: Iterable[str]) -> None:
    """The files go once the deletion is committed: a rolled-back disposal keeps them."""
    found = [path for path in (path_of(name) for name in stored_names) if path is not None]
    if not found:
        return

    def unlink() -> None:
        for path in found:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)


def patterns(names: Iterable[str], phones: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for every name and every phone number, the digits however spaced or dashed."""
    parts = [re.escape(name) for name in sorted(names, key=len, reverse=True) if len(name) >= SHORTEST_NAME]
    for phone in phones:
        digits = crypto.normalise_phone(phone)
        if digits:
            parts.append(r"(?:\+?86[\s\-]*)?" + r"[\s\-]*".join(digits))
    return re.compile("|".join(parts)) if parts else None


def scrub(text: str, pattern: re.Pattern[str] | None) -> str:
    if not text or pattern is None:
        return text
    return pattern.sub(ERASED, text)


class Scrubber:
    """Replaces a person's names and phone numbers inside any text, or JSON value, with
    ``replacement`` (the pattern of ``patterns``)."""

    def __init__(self, subject: Subject, replacement: str) -> None:
        self.names = [
            n for n in sorted(subject.names, key=len, reverse=True) if len(n.strip()) >= SHORTEST_NAME
        ]
        self.phones = [p for p in subject.phones if p]
        self.pattern = patterns(self.names, self.phones)
        self.replacement = replacement

    def text(self, value: str) -> str:
        if not value or self.pattern is None:
            return value
        return self.pattern.sub(self.replacement, value)

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value


def scrub_rows(
    rows: Iterator[dict[str, Any]], fields: Iterable[str], pattern: re.Pattern[str] | None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(pk, changed fields) for each row whose texts held a name or number."""
    names = tuple(fields)
    for row in rows:
        changed = {}
        for field in names:
            value = row.get(field) or ""
            cleaned = scrub(value, pattern)
            if cleaned != value:
                changed[field] = cleaned
        if changed:
            yield row["pk"], changed


def scrub_queryset(queryset: Any, fields: Iterable[str], pattern: re.Pattern[str] | None) -> int:
    """Take the names and numbers out of these rows' texts, history rows alike; how many changed."""
    if pattern is None:
        return 0
    names = tuple(fields)
    model = queryset.model
    changed = 0
    for pk, values in scrub_rows(queryset.values("pk", *names).iterator(), names, pattern):
        model._default_manager.filter(pk=pk).update(**values)
        changed += 1
    return changed
