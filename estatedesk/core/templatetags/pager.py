"""The shared pager's helpers (``templates/crud/_pager.html``): the page numbers to link, and
the list's other parameters as hidden fields of its "go to page" form."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from estatedesk.core.paging import page_window as window

register = template.Library()


@register.filter
def page_window(page: Any) -> list[int | None]:
    """``1 … 4 5 [6] 7 8 … 20`` for a Django ``Page``; ``None`` marks a gap."""
    return window(page.number, page.paginator.num_pages)


@register.filter
def query_fields(querystring: str | None) -> list[tuple[str, str]]:
    """(name, value) of every parameter but ``page`` of a list's query string, in order."""
    query = QueryDict(querystring or "")
    return [(name, value) for name, values in query.lists() if name != "page" for value in values]
