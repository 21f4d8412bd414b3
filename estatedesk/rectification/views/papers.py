"""The rectification papers (SPEC R-2, R-5, K-16): the rectification report (项目整改报告,
§7.5.2) that the property company and the developer sign, as print view, PDF (A4 landscape)
and workbook; and a unit's acceptance sheet (住户验收单) for the resident, print view and PDF
(A4 portrait).

The same HTML is the print view and, through WeasyPrint, the PDF (``core.pdf.render_for``), in
the reader's language. The rows come from ``rectification.paper_rows`` for all three. The
report's QR code opens the report's item list; the sheet's opens the unit's private portal link
(absolute with ``ESTATEDESK_SITE_URL``), so the resident can accept on the phone.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import pdf as printing
from estatedesk.core import policy, qr
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.params import Params
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.rectification import paper_rows, selectors
from estatedesk.rectification.models import Report, Source
from estatedesk.rectification.services import resident_messages

log = logging.getLogger(__name__)

REPORT_EXPORT = "rectification-report"
SHEET_EXPORT = "rectification-unit-sheet"


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def _common(request: HttpRequest, *, pdf: bool) -> dict[str, Any]:
    return {
        "pdf": pdf,
        "company": CompanySettings.load().name,
        "printed_at": company_now(),
        "printed_by": _printer(request),
    }


def _unavailable(request: HttpRequest, title: str, number: str, html_url: str, back_url: str) -> HttpResponse:
    context = {"form_title": title, "number": number, "html_url": html_url, "back_url": back_url}
    return render(request, "complaints/print/unavailable.html", context, status=503)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _html_response(html: str) -> HttpResponse:
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- The report (项目整改报告) ------------------------------------------------------------------


def report_title() -> str:
    # Translators: the title of the paper 项目整改报告 (procedure §7.5.2)
    return _("Rectification report")


def _report_context(request: HttpRequest, report: Report, *, pdf: bool) -> dict[str, Any]:
    rows = paper_rows.report_rows(request.user, report)
    url = qr.absolute_url(request, "rectification:report_detail", report.pk)
    context = _common(request, pdf=pdf)
    context.update(
        report=report,
        form_title=report_title(),
        number=report.number,
        source=Source(report.source).label if report.source in Source.values else report.source,
        columns=paper_rows.COLUMNS,
        rows=rows,
        summary=paper_rows.summarise(rows),
        # the two who sign the report (§7.5.2–7.5.4)
        signing_parties=[
            _("Property customer service department"),
            _("Developer's customer service department"),
        ],
        # the developer's people print only their items: the paper says so
        partial=selectors.side_of(request.user) != "property",
        qr=qr.svg_data_uri(url),
        qr_url=url,
        back_url=reverse("rectification:report_detail", args=[report.pk]),
        pdf_url=reverse("rectification:report_pdf", args=[report.pk]),
        xlsx_url=reverse("rectification:report_xlsx", args=[report.pk]),
    )
    return context


def _report_html(request: HttpRequest, report: Report, *, pdf: bool) -> tuple[str, dict[str, Any]]:
    context = _report_context(request, report, pdf=pdf)
    with timezone.override(company_zone()):
        return render_to_string("rectification/print/report.html", context, request=request), context


@require_GET
@company_time
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    html, _context = _report_html(request, paper_rows.report_for(request.user, pk), pdf=False)
    return _html_response(html)


@require_GET
@company_time
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = paper_rows.report_for(request.user, pk)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, context = _report_html(request, report, pdf=True)
        footer = _("%(title)s %(number)s · printed %(time)s by %(person)s") % {
            "title": context["form_title"],
            "number": report.number,
            "time": context["printed_at"].strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        # Pango or its fonts broken at run time: the print view still works.
        log.warning("PDF of the rectification report %s not made", report.number, exc_info=True)
        return _unavailable(
            request,
            report_title(),
            report.number,
            reverse("rectification:report_print", args=[report.pk]),
            reverse("rectification:report_detail", args=[report.pk]),
        )
    record_export(
        request, list_name=REPORT_EXPORT, filters={"number": report.number, "format": "pdf"}, row_count=None
    )
    return _pdf_response(data, report.number)


@require_GET
@company_time
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's table as a workbook: the same columns, one row per item, the summary under it."""
    report = paper_rows.report_for(request.user, pk)
    rows = paper_rows.report_rows(request.user, report)
    summary = paper_rows.summarise(rows)
    lines: list[Any] = [row.values() for row in rows]
    lines.append(NoteRow())
    lines.append(NoteRow([_("Total"), summary.total]))
    lines.append(NoteRow([_("Accepted"), summary.accepted]))
    lines.append(NoteRow([_("Passed in the first round"), summary.first_round]))
    lines.append(NoteRow([_("Open"), summary.open]))
    lines.append(NoteRow([_("Overdue"), summary.overdue]))
    response = workbook_response(
        request,
        report.number,
        [column.header for column in paper_rows.COLUMNS],
        lines,
        sheet=report_title(),
        list_name=REPORT_EXPORT,
        record={"number": report.number, "format": "xlsx"},
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- The resident's acceptance sheet (住户验收单) ------------------------------------------------


def sheet_title() -> str:
    # Translators: the title of the resident's paper 住户验收单
    return _("Resident's acceptance sheet")


def _sheet_context(request: HttpRequest, report: Report, unit_id: int, *, pdf: bool) -> dict[str, Any]:
    unit = paper_rows.unit_for(request.user, report, unit_id)
    with_open = Params(request.GET).flag("all")
    rows = paper_rows.sheet_rows(request.user, report, unit_id, with_open=with_open)
    token = resident_messages.link_of_unit(unit.pk).token
    url = qr.absolute_url(request, "portal:rectification", token)
    sheet = reverse("rectification:unit_sheet", args=[report.pk, unit.pk])
    context = _common(request, pdf=pdf)
    context.update(
        report=report,
        unit=unit,
        form_title=sheet_title(),
        number=report.number,
        columns=paper_rows.SHEET_COLUMNS,
        rows=rows,
        with_open=with_open,
        qr=qr.svg_data_uri(url),
        # The link is the household's key: printed only as the code, never as text (D-3).
        back_url=reverse("rectification:report_detail", args=[report.pk]),
        pdf_url=reverse("rectification:unit_sheet_pdf", args=[report.pk, unit.pk])
        + ("?all=1" if with_open else ""),
        toggle_url=sheet if with_open else f"{sheet}?all=1",
    )
    return context


def _sheet_html(
    request: HttpRequest, report: Report, unit_id: int, *, pdf: bool
) -> tuple[str, dict[str, Any]]:
    context = _sheet_context(request, report, unit_id, pdf=pdf)
    with timezone.override(company_zone()):
        return render_to_string("rectification/print/unit_sheet.html", context, request=request), context


@require_GET
@company_time
def unit_sheet(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    html, _context = _sheet_html(request, paper_rows.report_for(request.user, pk), unit_id, pdf=False)
    return _html_response(html)


@require_GET
@company_time
def unit_sheet_pdf(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    report = paper_rows.report_for(request.user, pk)
    unit = paper_rows.unit_for(request.user, report, unit_id)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, context = _sheet_html(request, report, unit.pk, pdf=True)
        footer = f"{context['form_title']} {report.number} · {unit.label}"
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the acceptance sheet of %s in %s not made", unit.pk, report.number, exc_info=True)
        return _unavailable(
            request,
            sheet_title(),
            f"{report.number} {unit.label}",
            reverse("rectification:unit_sheet", args=[report.pk, unit.pk]),
            reverse("rectification:report_detail", args=[report.pk]),
        )
    record_export(
        request,
        list_name=SHEET_EXPORT,
        filters={"number": report.number, "unit": unit.pk, "format": "pdf"},
        row_count=None,
    )
    return _pdf_response(data, f"{report.number}-{unit.pk}")
