"""Disposal runs (SPEC D-2): the list, a run's record, start (or preview), the archive."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def run_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def run_start(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def run_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet


def run_archive(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # not built yet
