"""A household's notices on the resident portal (SPEC C-3, W-1): filled in by the portal's notice pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def notices(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


def notice(request: HttpRequest, token: str, notice_id: int) -> HttpResponse:
    raise Http404


def estate_notices(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
