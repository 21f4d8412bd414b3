"""Mass inserts without the ORM's per-value preparation (a notice to 50,000 households).

``bulk_create`` prepares every value of every row through its field (a datetime adapted, a
JSON list dumped, an encrypted field encrypted) and builds the statement field by field: at
tens of thousands of rows that preparation, not the database, is most of the time. Here the
caller passes values **already in database form** — the same adapted datetime for every row
(``db_datetime``), a JSON text made once per distinct list (``db_json``), ciphertext copied
from another encrypted column — and the rows go out as multi-row ``INSERT … VALUES`` statements.
``ON CONFLICT DO NOTHING`` (SQLite 3.24+, PostgreSQL) skips a row whose unique key is already
stored, and ``RETURNING`` (SQLite 3.35+, PostgreSQL) gives the ids of the rows written.

On PostgreSQL the rows are streamed with ``COPY`` into a temporary table and moved with one
``INSERT … SELECT`` (the same conflict rule and ids): a statement of 30,000 parameters is built
and parsed far more slowly there than on SQLite (50,000 rows: 15 s against 2 s,
``bench/notice_publish.py``).

Only for tables whose every written column the caller names; the others take their database
default, so a model's Python-side defaults must be passed explicitly.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

# Parameters per statement: SQLite allows 32,766 and PostgreSQL 65,535.
MAX_PARAMETERS = 30_000


def db_datetime(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if value is not None else None


def db_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _parts(
    model: type[models.Model], columns: Sequence[str], *, skip_conflicts: bool, returning_ids: bool
) -> tuple[str, str, str]:
    """The quoted table, the quoted column list and the statement's tail (conflicts, ids)."""
    quote = connection.ops.quote_name
    tail = (" ON CONFLICT DO NOTHING" if skip_conflicts else "") + (
        f" RETURNING {quote(model._meta.pk.column or 'id')}" if returning_ids else ""
    )
    return quote(model._meta.db_table), ", ".join(quote(c) for c in columns), tail


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    skip_conflicts: bool = False,
    returning_ids: bool = False,
) -> list[int]:
    """Insert ``rows`` (values in ``columns`` order, database-ready) into ``model``'s table.
    Returns the new rows' ids when ``returning_ids`` (only the rows written, conflicts skipped)."""
    if connection.vendor == "postgresql":
        return _copied(model, columns, rows, skip_conflicts=skip_conflicts, returning_ids=returning_ids)
    table, names, tail = _parts(model, columns, skip_conflicts=skip_conflicts, returning_ids=returning_ids)
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    batch: list[Sequence[Any]] = []

    def flush() -> None:
        # Only quoted table and column names and placeholders go into the text; values are parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([placeholder] * len(batch)) + tail  # noqa: S608
        params = [value for row in batch for value in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning_ids:
                ids.extend(row[0] for row in cursor.fetchall())
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= per_statement:
            flush()
    if batch:
        flush()
    return ids


def _copied(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    skip_conflicts: bool,
    returning_ids: bool,
) -> list[int]:
    """PostgreSQL: ``COPY`` into a temporary table of the same columns, then one insert."""
    table, names, tail = _parts(model, columns, skip_conflicts=skip_conflicts, returning_ids=returning_ids)
    staging = connection.ops.quote_name(f"bulk_{uuid.uuid4().hex[:16]}")
    # Only quoted table and column names go into the text; the values travel by COPY.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
        try:
            with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}{tail}")  # noqa: S608
            ids = [row[0] for row in cursor.fetchall()] if returning_ids else []
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    return ids
