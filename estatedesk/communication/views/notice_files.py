"""A notice's evidence photos and attachments (to be written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


evidence_add = evidence_file = attachment_add = attachment_file = _missing
