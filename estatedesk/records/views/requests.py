"""Personal-data requests (SPEC D-3): find the customer, hand over their data, erase it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def request_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def request_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def request_export(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def request_erase(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def request_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet
