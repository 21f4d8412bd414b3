"""The notice pages: list, export, form, detail and steps (to be written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _missing(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


notice_list = notice_export = notice_create = notice_detail = notice_edit = _missing
notice_schedule = notice_publish = notice_cancel = notice_withdraw = notice_sign = _missing
