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

A text sample used by a pattern lookup (``iexact``, ``istartswith``, ``icontains`` …) reaches
the SQL escaped for ``LIKE`` and wrapped in ``%``: it is found again in that form when the
sample holds a character the escaping changes (an underscore), and the caller's value is then
escaped and wrapped the same way (decision 0070).
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
    # For each parameter, the variable it stands for (None: a constant), and for a pattern
    # lookup's text how it was put: (escaped for LIKE, before, after).
    slots: tuple[str | None, ...]
    patterns: tuple[tuple[str, str] | None, ...]


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
            patterns: list[tuple[str, str] | None] = []
            ops = connections[alias].ops
            for value in params:
                names = [
                    n
                    for n, sample in self._samples.items()
                    if type(value) is type(sample) and value == sample
                ]
                pattern = None
                if not names and type(value) is str:
                    for n, sample in self._samples.items():
                        escaped = ops.prep_for_like_query(sample) if type(sample) is str else None
                        if escaped is None or escaped == sample:
                            continue  # not told apart from the plain text: never taken as a pattern
                        for before, after in (("", ""), ("", "%"), ("%", ""), ("%", "%")):
                            if value == f"{before}{escaped}{after}":
                                names, pattern = [n], (before, after)
                slots.append(names[0] if names else None)
                patterns.append(pattern)
            missing = set(self._samples) - set(slots)
            if missing:  # a sample the compiler changed could not be found again: refuse, not guess
                raise ValueError(f"the compiled query does not carry {sorted(missing)} as given")
            compiled = _Compiled(queryset, compiler, sql, tuple(params), tuple(slots), tuple(patterns))
            self._compiled[vendor] = compiled
        return compiled

    def queryset(self, using: str = "default", **values: Any) -> QuerySet[Any, R]:
        """A queryset that runs the kept SQL with ``values`` when it is evaluated (once: do
        not filter or slice it further, which would need the SQL compiled again)."""
        compiled = self._compile(using)
        sql = compiled.sql
        like = connections[using].ops.prep_for_like_query
        given = tuple(
            param
            if slot is None
            else values[slot]
            if pattern is None
            else f"{pattern[0]}{like(values[slot])}{pattern[1]}"
            for param, slot, pattern in zip(compiled.params, compiled.slots, compiled.patterns, strict=True)
        )
        # A copy per run, on this thread's connection; it is asked for the SQL, not compiling it.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[using]
        compiler.using = using
        compiler.as_sql = lambda *args, **kwargs: (sql, given)  # type: ignore[method-assign]
        compiler.get_converters = _kept_converters(compiled, compiler)  # type: ignore[method-assign,assignment]
        run = compiled.queryset.using(using)  # a clone: the kept queryset is never evaluated
        # The ORM's iterables ask the query for its compiler: this one answers with the kept SQL.
        run.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return run

    def rows(self, using: str = "default", **values: Any) -> Sequence[R]:
        return list(self.queryset(using, **values))

    def first(self, using: str = "default", **values: Any) -> R | None:
        found = self.rows(using, **values)
        return found[0] if found else None


_CONVERTERS = "_estatedesk_prepared_converters"


def _kept_converters(compiled: _Compiled, compiler: SQLCompiler) -> Callable[[Any], Any]:
    """The compiler's converters of each column (what turns SQLite's text into a datetime, say),
    worked out once per compiled query and connection: finding them asks every column's field
    and the backend, about a quarter of a small read's CPU. Kept on the connection object, as
    the converters are its backend's bound methods."""
    kept: dict[int, tuple[_Compiled, list[Any], Any]] = compiler.connection.__dict__.setdefault(
        _CONVERTERS, {}
    )
    find = compiler.get_converters

    def get_converters(expressions: Any) -> Any:
        expressions = list(expressions)
        found = kept.get(id(compiled))
        if (
            found is not None
            and found[0] is compiled
            and len(found[1]) == len(expressions)
            and all(a is b for a, b in zip(found[1], expressions, strict=True))
        ):
            return found[2]
        converters = find(expressions)
        kept[id(compiled)] = (compiled, expressions, converters)
        return converters

    return get_converters
