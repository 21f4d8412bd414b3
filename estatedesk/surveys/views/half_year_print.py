"""Half-year statistics on paper (SPEC S-5, A-3): the print view, its PDF (A4, like the survey
results) and the workbook; all read the figures kept on the record."""

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
from estatedesk.core import policy
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import xlsx_response
from estatedesk.surveys import half_year_display as display
from estatedesk.surveys.models import HalfYearStatistics
from estatedesk.surveys.views.half_year import detail_context, statistics_or_404

log = logging.getLogger(__name__)

EXPORT_NAME = "half-year-statistics"


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def _print_html(
    request: HttpRequest, statistics: HalfYearStatistics, *, pdf: bool
) -> tuple[str, dict[str, Any]]:
    context = detail_context(request, statistics)
    context.update(
        pdf=pdf,
        company=CompanySettings.load().name,
        report_title=_("Half-year satisfaction statistics"),
        printed_at=company_now(),
        printed_by=_printer(request),
        back_url=reverse("surveys:half_year_detail", args=[statistics.pk]),
        pdf_url=reverse("surveys:half_year_pdf", args=[statistics.pk]),
        xlsx_url=reverse("surveys:half_year_xlsx", args=[statistics.pk]),
    )
    with timezone.override(company_zone()):
        return render_to_string("surveys/half_year/print.html", context, request=request), context


@require_GET
@company_time
def half_year_print(request: HttpRequest, pk: int) -> HttpResponse:
    html, _context = _print_html(request, statistics_or_404(request, pk), pdf=False)
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def half_year_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    statistics = statistics_or_404(request, pk)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, context = _print_html(request, statistics, pdf=True)
        footer = _("%(report)s · printed %(time)s by %(person)s") % {
            "report": f"{statistics.office.name} {context['period']}",
            "time": timezone.localtime(context["printed_at"], company_zone()).strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the half-year statistics %s not made", statistics.pk, exc_info=True)
        context = {
            "form_title": _("Half-year satisfaction statistics"),
            "number": f"{statistics.office.name} {statistics.year} H{statistics.half}",
            "html_url": reverse("surveys:half_year_print", args=[statistics.pk]),
            "back_url": reverse("surveys:half_year_detail", args=[statistics.pk]),
        }
        return render(request, "complaints/print/unavailable.html", context, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{display.filename(statistics)}.pdf"'
    record_export(
        request, list_name=EXPORT_NAME, filters={"id": statistics.pk, "format": "pdf"}, row_count=None
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def half_year_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    statistics = statistics_or_404(request, pk)
    lines = list(statistics.lines.prefetch_related("improvement_actions"))
    response = xlsx_response(display.workbook(statistics, lines), display.filename(statistics))
    record_export(
        request, list_name=EXPORT_NAME, filters={"id": statistics.pk, "format": "xlsx"}, row_count=None
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
