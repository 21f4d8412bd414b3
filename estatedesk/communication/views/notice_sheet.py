"""The printed notice sheet for lobbies and lifts, HTML and PDF (to be written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


sheet = sheet_pdf = _missing
