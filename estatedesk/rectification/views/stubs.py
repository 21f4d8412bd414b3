"""A page whose family is not written yet: not found (every URL name exists from the start)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def not_yet(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
