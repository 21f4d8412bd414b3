"""Pages of large lists that stay fast on the last page (benchmarks: 1,000,000 complaints).

``OFFSET n`` with the list's joins makes the database build every skipped row with its
joined tables. Taking the page's primary keys first (an index walk with no joins) and then
the rows of those keys with their joins costs one query more and does not grow with ``n``
beyond the index walk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# The pager links the first and last pages and this many on each side of the current one.
AROUND = 2
ENDS = 1


def page_window(number: int, num_pages: int, *, around: int = AROUND, ends: int = ENDS) -> list[int | None]:
    """The page numbers a pager links, in order, with ``None`` for each gap (shown as …):
    ``1 … 4 5 [6] 7 8 … 20``. A gap of a single page shows that page instead of "…"."""
    if num_pages < 1:
        return []
    number = min(max(number, 1), num_pages)
    shown = set(range(1, min(ends, num_pages) + 1))
    shown |= set(range(max(num_pages - ends + 1, 1), num_pages + 1))
    shown |= set(range(max(number - around, 1), min(number + around, num_pages) + 1))
    window: list[int | None] = []
    previous = 0
    for page in sorted(shown):
        if page - previous == 2:
            window.append(previous + 1)
        elif page - previous > 2:
            window.append(None)
        window.append(page)
        previous = page
    return window


IdsOf = Callable[[int, int], list[Any]]


def rows_by_ids(
    queryset: QuerySet[Any],
    start: int,
    stop: int,
    shape: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
    ids_of: IdsOf | None = None,
) -> list[Any]:
    """``queryset[start:stop]``, in the same order, fetched as ids first and rows second.

    ``shape`` makes the second query's rows (for example ``values_list(..., named=True)``, whose
    rows need a ``pk``); the ids are taken from ``queryset`` as it is, so the joins a shape
    brings never reach the index walk. ``ids_of(start, stop)``: the ids in the list's order
    found another way (a faster query of the same rows); the rows are still read through
    ``queryset``, so an id it does not hold is left out."""
    if stop <= start:
        return []
    ids = (
        ids_of(start, stop) if ids_of is not None else list(queryset.values_list("pk", flat=True)[start:stop])
    )
    if not ids:
        return []
    rows = queryset.order_by().filter(pk__in=ids)
    by_id = {row.pk: row for row in (shape(rows) if shape is not None else rows)}
    return [by_id[pk] for pk in ids if pk in by_id]


class IdsFirstPaginator(Paginator):
    """Django's paginator, with each page's rows fetched by ``rows_by_ids``; ``shape`` and
    ``ids_of`` as there."""

    def __init__(
        self,
        *args: Any,
        shape: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
        ids_of: IdsOf | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.shape = shape
        self.ids_of = ids_of

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = rows_by_ids(cast(QuerySet[Any], self.object_list), bottom, top, self.shape, self.ids_of)
        return Page(rows, number, self)


class CappedPaginator(IdsFirstPaginator):
    """Counts at most ``cap`` rows: a page of a list of a million complaints need not count
    them all (a full count is a scan of the whole scope, 100–200 ms on PostgreSQL at 1,000,000).
    Beyond the cap the list says "more than …" and asks for filters; the Excel export and
    the API (which counts exactly) serve those who need everything."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet[Any], self.object_list)
        counted = queryset.order_by().values("pk")[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)

    capped = False
