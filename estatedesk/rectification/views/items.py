"""An item's page and its steps (placeholder until the page family is written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
