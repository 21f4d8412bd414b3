"""Legal holds (SPEC D-2): place one on a record, release it with a reason."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def hold_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def hold_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def hold_release(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet
