"""What a request may ask for: the one place where query-string values are checked (issue 11).

Every list filter, search, look-up and pager reads its GET parameters through ``Params``, so
no value reaches the database that it cannot hold or compare (a NUL in PostgreSQL text, an id
past 64 bits, a date whose day after does not exist) and none answers 500. A value outside
what is accepted is not an error page: the filter is dropped and the page says so
(``Params.notes``), or the look-up finds nothing.

Accepted (docs/architecture.md, "Input at the edges"):

- dates: ``YYYY-MM-DD`` from ``DATE_MIN`` (1900-01-01) to ``DATE_MAX`` (2100-12-31). Wide enough
  for any record a property company keeps, and far enough from the ends of Python's and the
  databases' calendars that "the day after" and a time zone shift still exist;
- ids: ASCII digits, from 1 to ``MAX_ID`` (2**63 - 1, a signed 64-bit integer: PostgreSQL's
  bigint, SQLite's INTEGER);
- text: control characters removed (NUL cannot be stored in PostgreSQL text; the others are
  never typed, a tab or line break pasted into a search becomes a space), trimmed, at most
  ``TEXT_MAX`` (100) characters unless the caller says otherwise;
- choices: only one of the values offered.

``RequestLineMiddleware`` (``core/middleware.py``) refuses a path or query string with NUL,
another control character or bytes that are not UTF-8 with 400 before any view runs; the
checks here are for what passes it (and for views called without it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import QueryDict
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
MAX_ID = 2**63 - 1
TEXT_MAX = 100

# C0, DEL and C1, and the bidirectional overrides, embeddings, isolates and marks (a quoted
# U+202E would turn the rest of a note around): never part of what anyone types into a filter.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_DIGITS = re.compile(r"[0-9]{1,19}")


def clean_text(value: str, max_length: int = TEXT_MAX) -> str:
    """``value`` without control characters (each becomes a space), trimmed, at most ``max_length`` long."""
    return _CONTROL.sub(" ", value).strip()[:max_length].strip()


def parse_id(value: str) -> int | None:
    """A database id, or None: ASCII digits only, 1 to ``MAX_ID``."""
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


class DateOutOfRange(ValueError):
    """A real date outside ``DATE_MIN`` … ``DATE_MAX``."""


def parse_day(value: str) -> date | None:
    """A ``YYYY-MM-DD`` date; None when it is not one, ``DateOutOfRange`` when it is one outside the range."""
    try:
        day = parse_date(value.strip())
    except ValueError:
        return None  # 2026-02-30
    if day is None:
        return None
    if not DATE_MIN <= day <= DATE_MAX:
        raise DateOutOfRange(value)
    return day


def shown(value: str) -> str:
    """A rejected value as a note may quote it: no control characters, not a page long."""
    cleaned = clean_text(value, 40)
    return cleaned + "…" if len(value.strip()) > 40 else cleaned


class Params:
    """A request's query string (``request.GET``) read through the checks above.

    Each reader answers None (or "") for a missing or unusable value; a value that was given
    but could not be used adds a translated line to ``notes`` for the page to show.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.notes: list[str] = []

    def raw(self, key: str) -> str:
        value = self.data.get(key, "")
        return value if isinstance(value, str) else ""

    def text(self, key: str, max_length: int = TEXT_MAX) -> str:
        return clean_text(self.raw(key), max_length)

    def id(self, key: str) -> int | None:
        """An id; anything else is ignored without a note (look-ups then find nothing)."""
        return parse_id(self.raw(key))

    def flag(self, key: str) -> bool:
        return self.raw(key).strip() == "1"

    def choice(self, key: str, values: Iterable[str], label: Any = None) -> str:
        """One of ``values``, or "". With a ``label``, a value not among them is noted."""
        value = self.raw(key).strip()
        if not value:
            return ""
        if value in set(values):
            return value
        if label is not None:
            self.notes.append(
                _("The %(filter)s “%(value)s” is not one of the choices; that filter was ignored.")
                % {"filter": label, "value": shown(value)}
            )
        return ""

    def day(self, key: str) -> date | None:
        """A date in the accepted range; anything else is noted and ignored."""
        value = self.raw(key).strip()
        if not value:
            return None
        try:
            day = parse_day(value)
        except DateOutOfRange:
            self.notes.append(
                _(
                    "“%(value)s” is outside the dates that can be searched (%(first)s to %(last)s); that date was ignored."
                )
                % {"value": shown(value), "first": DATE_MIN.isoformat(), "last": DATE_MAX.isoformat()}
            )
            return None
        if day is None:
            self.notes.append(
                _("“%(value)s” is not a date (use the form 2026-03-31); that date was ignored.")
                % {"value": shown(value)}
            )
        return day


# --- The request line --------------------------------------------------------------------------

# In a path nothing below a space belongs; a query string may carry a pasted tab or line break.
_PATH_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def request_line_problem(path: str, query: QueryDict, raw_query: bytes) -> str | None:
    """Why a path (as Django decoded it) and a query string cannot be meant, or None.

    ``query`` is the parsed query string (``request.GET``: the views parse it anyway, so this
    costs little more) and ``raw_query`` its bytes. Django turns bytes that are not UTF-8 into
    ``%XX`` text in a path (harmless) but into U+FFFD in a query string, so a U+FFFD is checked
    against the raw bytes and refused when they are not UTF-8."""
    if _PATH_FORBIDDEN.search(path):
        return "control character in the path"
    if not raw_query:
        return None
    replaced = False
    for key, values in query.lists():
        for text in (key, *values):
            if _QUERY_FORBIDDEN.search(text):
                return "control character in the query string"
            replaced = replaced or "\ufffd" in text
    if replaced:
        try:
            unquote_to_bytes(raw_query.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return "query string is not UTF-8"
    return None
