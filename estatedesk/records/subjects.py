"""What EstateDesk holds about one person, gathered from the apps that hold it (SPEC D-3).

As with record types, ``records`` cannot reach the customers (``org``) or what they did
(complaints, surveys, notices …); the apps register here when they start:

- one **finder** (``org``): customers by name, unit or full phone number, as ``Candidate``s,
  and the ``Subject`` of the ones chosen: their customer ids, every phone and name they are
  known by, their units;
- **sources**, one per app that holds personal data: ``collect(subject)`` gives the sections of
  the person's copy (rows of label and value, in the reader's language), and
  ``erase(subject, now)`` removes or anonymises what the app holds about them — their names,
  phone numbers, the blind index of those numbers, free text they wrote — in the records and
  in the records' history rows, except where a retention obligation stands in the way, which
  it lists as ``Kept`` (what, why, until when). Called inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from estatedesk.records.registry import Text


@dataclass(frozen=True)
class Candidate:
    """A customer a search found, as the records page lists them (phone masked)."""

    customer_id: int
    name: str
    masked_phone: str
    estate: str
    units: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Subject:
    """The person a request is about: every way EstateDesk may have recorded them."""

    customer_ids: frozenset[int]
    names: frozenset[str]  # full names as recorded (never shown; used to find and erase)
    phones: frozenset[str]  # normalised full numbers
    phone_indexes: frozenset[str]  # their blind indexes
    unit_ids: frozenset[int]
    label: str  # masked, for the request's record: "张** · 1-1201"


@dataclass
class Section:
    """One part of a person's copy: a heading and its entries, each a list of (label, value)."""

    title: Text
    entries: list[list[tuple[Text, str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Kept:
    what: str  # "投诉 TS-2026-000123"
    why: Text  # "Still being handled" / "Signed acceptance kept as evidence (§7.5)"
    until: date | None = None


@dataclass
class Erasure:
    erased: int = 0  # records changed
    kept: list[Kept] = field(default_factory=list)


@dataclass(frozen=True)
class Finder:
    search: Callable[..., list[Candidate]]  # (user, name=, unit=, phone=) -> candidates in scope
    subject: Callable[[Sequence[int]], Subject]  # customer ids -> the subject


@dataclass(frozen=True)
class Source:
    key: str
    label: Text
    collect: Callable[[Subject], list[Section]]
    erase: Callable[[Subject, datetime], Erasure]
    order: int = 100


_FINDER: list[Finder] = []
_SOURCES: dict[str, Source] = {}


def register_finder(finder: Finder) -> None:
    _FINDER[:] = [finder]


def finder() -> Finder:
    if not _FINDER:
        raise LookupError("No app registered the customer finder (org registers it when it starts).")
    return _FINDER[0]


def register_source(source: Source) -> None:
    if source.key in _SOURCES and _SOURCES[source.key] is not source:
        raise ValueError(f"Personal-data source {source.key!r} is registered twice.")
    _SOURCES[source.key] = source


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda each: (each.order, each.key))
