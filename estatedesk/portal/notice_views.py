"""A household's notices on the resident portal (SPEC C-3, W-1; decision 0034).

* ``/r/n/<token>/``: the notices that reached the household (the link in every SMS of a
  notice), current urgent ones first, unread ones marked; a withdrawn notice struck through
  with the reason.
* ``/r/n/<token>/<notice_id>/``: one notice, its text (sanitised when stored and again when
  shown), the time of the work, its attachments and the management office's phone. Opening
  it is the read receipt (``communication.services.reading.mark_read``: the first time kept).
* ``/r/n/<token>/<notice_id>/files/<attachment_id>/``: an attachment, as a download.
* ``/r/<code>/notices/``: the estate's public notices, linked from its QR page; no receipts.

Plain pages (no script, no form), limited per network address like the other portal lookups;
an unknown link is the portal's not-found page; the token never reaches a log (``core.redact``
masks every ``<token>`` route) nor another site (no referrer).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_http_methods

from estatedesk.communication.models import HouseholdLink, NoticeAttachment
from estatedesk.communication.services import reading
from estatedesk.communication.workflow import NoticeStatus
from estatedesk.core import richtext
from estatedesk.core.clientaddr import client_ip
from estatedesk.core.errors import NotFound
from estatedesk.core.web import secret_address
from estatedesk.org.models import Estate
from estatedesk.portal import ratelimit
from estatedesk.portal.views import language_link, not_found, render_page, too_many

# Shown in the browser; anything else (a PDF above all, which may carry scripts) is saved.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def _limited(request: HttpRequest) -> HttpResponse | None:
    wait = ratelimit.hit("notices-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_LOOKUP_IP"))
    return None if wait is None else too_many(request, wait, {}, "portal/limited.html")


def _lookup(request: HttpRequest, token: str) -> HouseholdLink | HttpResponse:
    refused = _limited(request)
    if refused is not None:
        return refused
    link = reading.household_by_token(token)
    return not_found(request) if link is None else link


@secret_address
@require_http_methods(["GET"])
@language_link
def notices(request: HttpRequest, token: str) -> HttpResponse:
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    rows = reading.household_notices(found)
    context = {
        "link": found,
        "estate": found.unit.estate,
        "unit": found.unit,
        "rows": rows,
        "unread": sum(1 for r in rows if r.read_at is None and r.notice.status == NoticeStatus.PUBLISHED),
        "office_phone": found.unit.estate.service_phone,
    }
    return render_page(request, "portal/notices/list.html", context)


@secret_address
@require_http_methods(["GET"])
@language_link
def notice(request: HttpRequest, token: str, notice_id: int) -> HttpResponse:
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    try:
        item = reading.mark_read(found, notice_id)
    except NotFound:
        return not_found(request)
    withdrawn = item.status == NoticeStatus.WITHDRAWN
    context = {
        "link": found,
        "estate": item.estate,
        "unit": found.unit,
        "notice": item,
        # Stored sanitised; cleaned again on the way out, so a row written any other way is harmless.
        "body": richtext.clean(item.body),
        "withdrawn": withdrawn,
        "withdrawn_reason": reading.withdrawal_reasons([item.pk]).get(item.pk, "") if withdrawn else "",
        "current_urgent": reading.is_current_urgent(item),
        "attachments": list(item.attachments.all()),
        "office_phone": item.estate.service_phone,
    }
    return render_page(request, "portal/notices/detail.html", context)


def _stored(attachment: NoticeAttachment) -> Path:
    """The attachment's file; never outside the upload folder, whatever the row says."""
    root = Path(settings.UPLOAD_ROOT).resolve()
    path = (root / attachment.file).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404
    return path


@secret_address
@require_http_methods(["GET"])
def notice_file(request: HttpRequest, token: str, notice_id: int, attachment_id: int) -> HttpResponseBase:
    """An attachment of a notice that reached the household, as a download."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    try:
        reading.household_notice(found, notice_id)
    except NotFound:
        return not_found(request)
    attachment = NoticeAttachment.objects.filter(pk=attachment_id, notice_id=notice_id).first()
    if attachment is None:
        return not_found(request)
    path = _stored(attachment)
    content_type = attachment.content_type or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    name = attachment.name or path.name
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''" + quote(name, safe="")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@secret_address
@require_http_methods(["GET"])
@language_link
def estate_notices(request: HttpRequest, code: str) -> HttpResponse:
    refused = _limited(request)
    if refused is not None:
        return refused
    estate = Estate.objects.filter(code=code, active=True).first()
    if estate is None:
        return not_found(request)
    rows = [
        {
            "notice": n,
            "body": richtext.clean(n.body),
            "buildings": [b.name for b in sorted(n.buildings.all(), key=lambda b: (b.name, b.pk))],
            "current_urgent": reading.is_current_urgent(n),
        }
        for n in reading.estate_notices(estate)
    ]
    context = {
        "estate": estate,
        "rows": rows,
        "office_phone": estate.service_phone,
    }
    return render_page(request, "portal/notices/estate.html", context)
