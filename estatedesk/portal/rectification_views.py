"""A unit's rectification items through its private link (placeholder until written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def items(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


def item(request: HttpRequest, token: str, item_id: int) -> HttpResponse:
    raise Http404


def photo(request: HttpRequest, token: str, photo_id: int) -> HttpResponse:
    raise Http404
