"""Reading the communication channels (SPEC C-1): what a form offers and what a code is called.

Records keep a channel's ``code``; its name is read from the administrators' list in the
reader's language. One query per call: a list page asks ``names()`` once and looks codes up.
The writes (add, rename, reorder, switch off) are in ``org.channel_services``.

Whether a channel is in use is asked of the apps above org, which keep the codes on their
records: each registers a counter here in its ``AppConfig.ready`` (org imports none of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from django.db.models import QuerySet
from django.utils.translation import get_language

from estatedesk.core.prepared import Prepared
from estatedesk.org.models import Channel


class Use(StrEnum):
    COMPLAINTS = "for_complaints"
    NOTICES = "for_notices"
    LOG = "for_log"


def offered(use: Use, *, keep: Iterable[str] = ()) -> QuerySet[Channel]:
    """The active channels for ``use``, in the administrators' order; ``keep`` adds codes a
    record already carries (a channel switched off since stays on the records that used it)."""
    kept = [code for code in keep if code]
    rows = Channel.objects.filter(**{use.value: True, "active": True})
    if kept:
        rows = Channel.objects.filter(pk__in=rows.values("pk")) | Channel.objects.filter(code__in=kept)
    return rows.order_by("order", "code")


def choices(use: Use, *, keep: Iterable[str] = (), language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs for a form's select, in the reader's language."""
    language = language or get_language()
    return [(row.code, row.name_in(language)) for row in offered(use, keep=keep)]


def offering(code: str, use: Use) -> QuerySet[Channel]:
    """The channel ``code`` if it is active and kept for ``use`` (empty otherwise): for an
    ``Exists`` in a statement that reads something else too (complaint intake)."""
    return Channel.objects.filter(code=code, active=True, **{use.value: True})


# Read by every API answer about complaints: compiled once per process (``core.prepared``).
_ALL = Prepared(lambda: Channel.objects.all())


def names(language: str | None = None) -> dict[str, str]:
    """Every channel's name by code (switched-off ones too: old records name them)."""
    language = language or get_language()
    return {row.code: row.name_in(language) for row in _ALL.rows()}


# Read by every view of a complaint's page: compiled once per process (decision 0067).
_ONE = Prepared(lambda *, code: Channel.objects.filter(code=code)[:1], code="\x01code\x01")


def name_of(code: str, language: str | None = None) -> str:
    """One code's name; an unknown code (a channel since deleted) is shown as it is stored."""
    row = _ONE.first(code=code)
    return row.name_in(language or get_language()) if row else code


def is_offered(code: str, use: Use) -> bool:
    return offering(code, use).exists()


_USAGE: list[Callable[[str], int]] = []


def register_usage(counter: Callable[[str], int]) -> None:
    """An app that keeps channel codes on its records says how many records use a code."""
    if counter not in _USAGE:
        _USAGE.append(counter)


def uses_of(code: str) -> int:
    """How many records of every registered app carry ``code`` (0: the channel may be deleted)."""
    return sum(counter(code) for counter in _USAGE)
