"""The expressions of the complaint's stored generated columns that the monthly report reads
(``Complaint.reply_us``, ``Complaint.complainant``; decision 0068).

The database keeps them on every write, so the report reads a department-month from one
index (``complaint_dept_month``) without looking up a row. Both expressions must be
deterministic (SQLite) and IMMUTABLE (PostgreSQL) to be a generated column.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField, Case, CharField, F, Func, Q, TextField, Value, When
from django.db.models.functions import Cast, Concat

__all__ = ["Microseconds", "complainant_key"]


class Microseconds(Func):
    """``end - start`` in whole microseconds, exactly, on both databases (a float of seconds
    or days would round).

    SQLite keeps a datetime as UTC text, "YYYY-MM-DD HH:MM:SS" with ".ffffff" (always six
    digits, as Django writes it) when there are microseconds: whole seconds from
    ``strftime('%s')`` of the text before the point (deterministic without 'now'),
    microseconds from the text after it. PostgreSQL: the epoch of the interval ``end - start``, an exact numeric (14 and
    later); the interval form is IMMUTABLE, which a generated column requires, where
    ``EXTRACT(EPOCH FROM timestamptz)`` is only STABLE. The difference of two timestamps has
    days and time, never months, and its epoch counts a day as 86,400 s, so it is exact."""

    output_field = BigIntegerField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        if end_params or start_params:
            raise ValueError("Microseconds takes two columns")
        return end, start

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[str | int, ...]]:
        end, start = self._sides(compiler, connection)

        def seconds(x: str) -> str:
            # Without the fraction: strftime rounds it to the millisecond first, so .9995 s
            # and more would count as the next second.
            return f"CAST(strftime('%%s', substr({x}, 1, 19)) AS INTEGER)"

        def micro(x: str) -> str:
            return f"CAST(substr({x}, 21) AS INTEGER)"  # '' (no fraction) casts to 0

        sql = f"(({seconds(end)} - {seconds(start)}) * 1000000 + {micro(end)} - {micro(start)})"
        return sql, ()

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        end, start = self._sides(compiler, connection)
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000 AS bigint)", ()


def complainant_key() -> Case:
    """Who made a complaint, for the report's repeat complainants: 'customer:<id>', else
    'phone:<blind index>', else 'name:<name>'; NULL when none is known (an anonymous note).
    The name is the row's ``complainant_name`` as it is: erasing that erases this too."""
    return Case(
        When(
            customer_id__isnull=False,
            then=Concat(Value("customer:"), Cast("customer_id", output_field=CharField())),
        ),
        When(~Q(phone_index=""), then=Concat(Value("phone:"), F("phone_index"))),
        When(~Q(complainant_name=""), then=Concat(Value("name:"), F("complainant_name"))),
        default=Value(None),
        output_field=TextField(),
    )
