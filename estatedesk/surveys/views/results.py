"""A survey's results (SPEC S-2, S-3, S-7, A-1, A-3): the page with its charts, the print view,
the PDF and the workbook. Every figure comes from ``report.build`` (``results.survey_results``
underneath), narrowed to the estates the user may see; a survey the user may not see is 404.
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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import pdf as printing
from estatedesk.core import policy
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import xlsx_response
from estatedesk.surveys import charts, echarts, exports, selectors
from estatedesk.surveys.models import Survey, SurveyStatus
from estatedesk.surveys.report import Line, Report, build

log = logging.getLogger(__name__)

EXPORT_NAME = "survey-results"


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey = selectors.get_survey(request.user, pk)
    if survey is None:
        raise Http404
    return survey


def _chart(rows: list[Line], report: Report) -> dict[str, Any] | None:
    rows = [r for r in rows if r.raw is not None]
    if not rows:
        return None
    options = echarts.rates_chart(
        rows,
        target=report.overall.target,
        raw_name=_("Satisfaction rate (raw)"),
        adjusted_name=_("Adjusted for the return rate"),
        interval_name=_("95% interval"),
        target_name=_("Target"),
    )
    return {"options": options, "size": echarts.chart_size(len(rows))}


def _context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    report = build(survey, request.user)
    return {
        "survey": survey,
        "report": report,
        "provisional": survey.status == SurveyStatus.OPEN,
        "category_chart": _chart(report.categories, report),
        "estate_chart": _chart(report.estates, report),
    }


@require_GET
@company_time
def results(request: HttpRequest, pk: int) -> HttpResponse:
    context = _context(request, _survey(request, pk))
    response = render(request, "surveys/results/page.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    report = build(survey, request.user)
    response = xlsx_response(exports.workbook(report), exports.filename(report))
    record_export(request, list_name=EXPORT_NAME, filters={"id": survey.pk, "format": "xlsx"}, row_count=None)
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- print view and PDF ---------------------------------------------------------------------


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def _svg_chart(rows: list[Line], report: Report, title: str) -> dict[str, str] | None:
    rows = [r for r in rows if r.raw is not None]
    if not rows:
        return None
    svg = charts.rates_svg(
        rows,
        target=report.overall.target,
        raw_label=_("Satisfaction rate (raw)"),
        adjusted_label=_("Adjusted for the return rate"),
        interval_label=_("95% interval"),
        target_label=_("Target"),
    )
    return {"src": charts.data_uri(svg), "title": title}


def _print_html(request: HttpRequest, survey: Survey, *, pdf: bool) -> tuple[str, dict[str, Any]]:
    report = build(survey, request.user)
    context = {
        "survey": survey,
        "report": report,
        "pdf": pdf,
        "provisional": survey.status == SurveyStatus.OPEN,
        "company": CompanySettings.load().name,
        "report_title": _("Satisfaction survey report"),
        "period": survey.title,
        "printed_at": company_now(),
        "printed_by": _printer(request),
        "back_url": reverse("surveys:results", args=[survey.pk]),
        "pdf_url": reverse("surveys:results_pdf", args=[survey.pk]),
        "xlsx_url": reverse("surveys:results_xlsx", args=[survey.pk]),
        "category_chart": _svg_chart(report.categories, report, _("Satisfaction by category")),
        "estate_chart": _svg_chart(report.estates, report, _("Satisfaction by estate")),
    }
    with timezone.override(company_zone()):
        return render_to_string("surveys/results/print.html", context, request=request), context


@require_GET
@company_time
def results_print(request: HttpRequest, pk: int) -> HttpResponse:
    html, _context_ = _print_html(request, _survey(request, pk), pdf=False)
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, context = _print_html(request, survey, pdf=True)
        footer = _("%(report)s · printed %(time)s by %(person)s") % {
            "report": f"{survey.number} {survey.title}",
            "time": timezone.localtime(context["printed_at"], company_zone()).strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the survey results %s not made", survey.number, exc_info=True)
        context = {
            "form_title": _("Satisfaction survey report"),
            "number": survey.number,
            "html_url": reverse("surveys:results_print", args=[survey.pk]),
            "back_url": reverse("surveys:results", args=[survey.pk]),
        }
        return render(request, "complaints/print/unavailable.html", context, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.filename(context["report"])}.pdf"'
    record_export(request, list_name=EXPORT_NAME, filters={"id": survey.pk, "format": "pdf"}, row_count=None)
    patch_cache_control(response, private=True, no_cache=True)
    return response
