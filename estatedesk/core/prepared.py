"""A query of fixed shape compiled once per process, then run with new values.

Django compiles a queryset to SQL on every run: for the company settings with the calendar
token, the estate's office and the channel's state (complaint intake), that compiling cost
2.5 ms of CPU for a statement SQLite answers in 0.05 ms (decision 0062); for the complaint
page's own read (five related rows and five "has rows" flags) 1.8 ms (decision 0067).
``Prepared`` builds the queryset once with sample values that stand for the variables, and
keeps, per database vendor, its SQL, its parameters and the compiler that made them (which
columns are whose: the model's, each ``select_related`` row's, the annotations'). A later run
gives that compiler's copy the kept SQL with the caller's values put where the samples were,
and the ORM's own iterable turns the rows into what the queryset would have given: model
instances with their related rows and annotations, fields converted as always, or the tuples of
a ``values_list`` (a ``union`` too).

Only for querysets whose SQL does not depend on the values (no ``__in`` of a list whose
length varies, no ``None`` that turns ``=`` into ``IS NULL``); the sample values must be ones
no constant of the query can equal (a negative id, a text with a control character).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

R = TypeVar("R")


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any, Any]  # built with the samples; never evaluated itself
    compiler: SQLCompiler  # after ``as_sql``: knows which columns are whose
    sql: str
    params: tuple[Any, ...]
    slots: tuple[str | None, ...]  # for each parameter, the variable it stands for (None: a constant)


class Prepared(Generic[R]):
    def __init__(self, build: Callable[..., QuerySet[Any, R]], **samples: Any) -> None:
        self._build = build
        self._samples = samples
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        vendor = connections[alias].vendor
        compiled = self._compiled.get(vendor)
        if compiled is None:
            queryset = self._build(**self._samples)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            slots: list[str | None] = []
            for value in params:
                names = [
                    n
                    for n, sample in self._samples.items()
                    if type(value) is type(sample) and value == sample
                ]
                slots.append(names[0] if names else None)
            missing = set(self._samples) - set(slots)
            if missing:  # a sample the compiler changed could not be found again: refuse, not guess
                raise ValueError(f"the compiled query does not carry {sorted(missing)} as given")
            compiled = _Compiled(queryset, compiler, sql, tuple(params), tuple(slots))
            self._compiled[vendor] = compiled
        return compiled

    def queryset(self, using: str = "default", **values: Any) -> QuerySet[Any, R]:
        """A queryset that runs the kept SQL with ``values`` when it is evaluated (once: do
        not filter or slice it further, which would need the SQL compiled again)."""
        compiled = self._compile(using)
        sql = compiled.sql
        given = tuple(
            values[slot] if slot is not None else param
            for param, slot in zip(compiled.params, compiled.slots, strict=True)
        )
        # A copy per run, on this thread's connection; it is asked for the SQL, not compiling it.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[using]
        compiler.using = using
        compiler.as_sql = lambda *args, **kwargs: (sql, given)  # type: ignore[method-assign]
        run = compiled.queryset.using(using)  # a clone: the kept queryset is never evaluated
        # The ORM's iterables ask the query for its compiler: this one answers with the kept SQL.
        run.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return run

    def rows(self, using: str = "default", **values: Any) -> Sequence[R]:
        return list(self.queryset(using, **values))

    def first(self, using: str = "default", **values: Any) -> R | None:
        found = self.rows(using, **values)
        return found[0] if found else None
