"""Readable document numbers: PREFIX-YEAR-NNNNNN (TS-2026-000123), one sequence per prefix
and company year, gap-free within committed transactions.

A replayed history (the demo's year, loaded in the background while people already use the
system) numbers from a block reserved for it before it starts (``reserve_history``), so a
complaint registered today, even in the middle of the load, numbers above every replayed one.
The block's rows sit in the same table under marked prefixes: ``~TS`` is the history's own
sequence, ``^TS`` where its block ends. ``release_history`` gives back the block's unused end
when nothing was numbered after it, so the sequence stays without gaps in the usual case.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings, Counter

_HISTORY: ContextVar[bool] = ContextVar("estatedesk_numbering_history", default=False)
_SEQUENCE, _END = "~", "^"  # marks of a history block's rows


def _increment(prefix: str, year: int) -> int | None:
    """The counter's next value in one statement (``UPDATE … RETURNING``, which PostgreSQL and
    SQLite 3.35+ both have), or None when the row does not exist yet."""
    if not connection.features.can_return_columns_from_insert:  # older SQLite: no RETURNING
        updated = Counter.objects.filter(prefix=prefix, year=year).update(value=F("value") + 1)
        if not updated:
            return None
        return Counter.objects.filter(prefix=prefix, year=year).values_list("value", flat=True).get()
    table, value, prefix_, year_ = map(
        connection.ops.quote_name, (Counter._meta.db_table, "value", "prefix", "year")
    )
    sql = f"UPDATE {table} SET {value} = {value} + 1 WHERE {prefix_} = %s AND {year_} = %s RETURNING {value}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, year])
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def _take(prefix: str, year: int) -> int:
    for _attempt in range(3):
        value = _increment(prefix, year)
        if value is not None:
            return value
        try:
            with transaction.atomic():
                Counter.objects.create(prefix=prefix, year=year, value=1)
            return 1  # the row is ours until this transaction ends
        except IntegrityError:
            continue
    return Counter.objects.filter(prefix=prefix, year=year).values_list("value", flat=True).get()


def _take_from_history(prefix: str, year: int) -> int | None:
    """The next number of the history's block, or None when it has no block (or it is used up)."""
    end = Counter.objects.filter(prefix=_END + prefix, year=year).values_list("value", flat=True).first()
    if end is None:
        return None
    updated = Counter.objects.filter(prefix=_SEQUENCE + prefix, year=year, value__lt=end).update(
        value=F("value") + 1
    )
    if not updated:
        return None
    return Counter.objects.filter(prefix=_SEQUENCE + prefix, year=year).values_list("value", flat=True).get()


def next_number(prefix: str, when: datetime, *, company: CompanySettings | None = None) -> str:
    """The next number for ``prefix`` in the company year of ``when``.

    Call it inside the transaction that saves the record: the counter row stays locked by
    the update until that transaction ends, so a rolled-back record gives its number back.
    Inside ``numbering_history`` the number comes from the history's reserved block.
    ``company``: the settings the caller has already read (for the company's year).
    """
    year = when.astimezone(company_zone(company)).year
    value = _take_from_history(prefix, year) if _HISTORY.get() else None
    if value is None:
        value = _take(prefix, year)
    return f"{prefix}-{year}-{value:06d}"


@contextmanager
def numbering_history() -> Iterator[None]:
    """Numbers taken inside come from the history's reserved blocks (``reserve_history``)."""
    token = _HISTORY.set(True)
    try:
        yield
    finally:
        _HISTORY.reset(token)


@transaction.atomic
def reserve_history(prefix: str, year: int, size: int) -> None:
    """Set aside the next ``size`` numbers of ``prefix`` in ``year`` for a replayed history: the
    sequence goes on after them. Reserving again (a resumed load) changes nothing."""
    if Counter.objects.filter(prefix=_END + prefix, year=year).exists():
        return
    try:
        with transaction.atomic():
            Counter.objects.create(prefix=prefix, year=year, value=0)
    except IntegrityError:
        pass
    live = Counter.objects.select_for_update().get(prefix=prefix, year=year)
    Counter.objects.create(prefix=_SEQUENCE + prefix, year=year, value=live.value)
    Counter.objects.create(prefix=_END + prefix, year=year, value=live.value + size)
    live.value += size
    live.save(update_fields=["value"])


@transaction.atomic
def release_history(prefix: str, year: int) -> None:
    """The history is in: when nothing was numbered after its block, the sequence goes on right
    after the history's last number; either way the block's rows go."""
    end = Counter.objects.filter(prefix=_END + prefix, year=year).first()
    used = Counter.objects.filter(prefix=_SEQUENCE + prefix, year=year).first()
    if end is None or used is None:
        return
    Counter.objects.select_for_update().filter(prefix=prefix, year=year, value=end.value).update(
        value=used.value
    )
    Counter.objects.filter(prefix__in=[_END + prefix, _SEQUENCE + prefix], year=year).delete()
