"""Who a notice reached: the recipients page, its export, a call or visit (to be written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


recipients = recipients_export = contact = _missing
