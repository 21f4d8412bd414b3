"""The retention table (SPEC D-1): every record type, its keeper, period and basis."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def table(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet
