"""The printed notice sheet for lobbies and lifts (SPEC C-2, C-3, W-1): HTML print view and PDF.

One A4 portrait page as a management office posts it: the company, "Notice", the title large,
when the work runs, the text (sanitised again before it is printed), the buildings it is
about, the management office with its service phone, the date it was published and a QR code
to the estate's public notices page on the resident portal (absolute with
``ESTATEDESK_SITE_URL``). Printed in the reader's language, like every printed form. The
same HTML is the print view and, through WeasyPrint, the PDF (``core.pdf.render_for``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.communication import kinds, selectors
from estatedesk.communication.models import Notice
from estatedesk.core import pdf as printing
from estatedesk.core import policy, qr, richtext
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.sorting import natural_key
from estatedesk.core.web import company_time
from estatedesk.org.models import Department, DepartmentKind

log = logging.getLogger(__name__)

EXPORT_NAME = "notice-sheet"


def _notice(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.notices_for(request.user).select_related("estate").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def work_time(notice: Notice) -> str:
    """When the work or event runs, as the sheet says it ("" for a notice with no time)."""
    if notice.starts_at is None:
        return ""
    start = timezone.localtime(notice.starts_at)
    text = date_format(start, "DATETIME_FORMAT")
    if notice.ends_at is None:
        return text
    end = timezone.localtime(notice.ends_at)
    until = (
        date_format(end, "TIME_FORMAT") if end.date() == start.date() else date_format(end, "DATETIME_FORMAT")
    )
    return _("%(start)s to %(end)s") % {"start": text, "end": until}


def office_name(notice: Notice) -> str:
    office = (
        Department.objects.filter(
            estate_id=notice.estate_id, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True
        )
        .order_by("pk")
        .first()
    )
    if office is not None:
        return office.name
    return _("%(estate)s management office") % {"estate": notice.estate.name}


def sheet_context(request: HttpRequest, notice: Notice, *, pdf: bool) -> dict[str, Any]:
    url = qr.absolute_url(request, "portal:estate_notices", notice.estate.code)
    buildings = sorted((b.name for b in notice.buildings.all()), key=natural_key)
    dated = notice.published_at or notice.publish_at
    return {
        "notice": notice,
        "pdf": pdf,
        "company": CompanySettings.load().name,
        "estate": notice.estate,
        # Stored sanitised; cleaned again here so the sheet never prints what the allow-list drops.
        "body": mark_safe(richtext.clean(notice.body)),  # noqa: S308 - nh3 allow-list output
        # "Sorry for the inconvenience" belongs under work that disturbs people, not under an event.
        "apologise": kinds.is_work(notice.kind),
        "work_time": work_time(notice),
        "buildings": buildings,
        "office": office_name(notice),
        "dated": date_format(timezone.localtime(dated), "DATE_FORMAT") if dated else "",
        "qr": qr.svg_data_uri(url),
        "portal_url": url,
        "printed_at": company_now(),
        "printed_by": _printer(request),
        "back_url": reverse("communication:notice_detail", args=[notice.pk]),
        "pdf_url": reverse("communication:notice_sheet_pdf", args=[notice.pk]),
    }


def _html(request: HttpRequest, notice: Notice, *, pdf: bool) -> tuple[str, dict[str, Any]]:
    context = sheet_context(request, notice, pdf=pdf)
    with timezone.override(company_zone()):
        return render_to_string("communication/notices/sheet.html", context, request=request), context


@require_GET
@company_time
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    html, _context = _html(request, _notice(request, pk), pdf=False)
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, _context = _html(request, notice, pdf=True)
        data = printing.render_for(request, html, footer=notice.number)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the notice sheet %s not made", notice.number, exc_info=True)
        context = {
            "form_title": _("Notice sheet"),
            "number": notice.number,
            "html_url": reverse("communication:notice_sheet", args=[notice.pk]),
            "back_url": reverse("communication:notice_detail", args=[notice.pk]),
        }
        return render(request, "complaints/print/unavailable.html", context, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.number}.pdf"'
    record_export(request, list_name=EXPORT_NAME, filters={"id": notice.pk, "format": "pdf"}, row_count=None)
    patch_cache_control(response, private=True, no_cache=True)
    return response
