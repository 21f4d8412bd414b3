"""What the quarterly and annual report pages share: the period charts, names and times as
the lists show them, and the print view / PDF / workbook response of a report."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from estatedesk.core.exportlog import record_export
from estatedesk.core.pdf import PdfUnavailable
from estatedesk.core.xlsx import xlsx_response
from estatedesk.org.models import Staff
from estatedesk.reports import echarts, exports

log = logging.getLogger(__name__)


def staff_name(staff: Staff | None) -> str:
    return staff.display_name if staff else ""


def when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- charts --------------------------------------------------------------------------------


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def period_charts(view: dict[str, Any], *, annual: bool) -> dict[str, Any]:
    """ECharts options of a period: trend of counts, trend of rates, category Pareto."""
    months = view["months"]
    by_month = view["by_month"]
    rates: dict[str, Sequence[float | int | None]] = {
        _("On-time reply rate"): [_percent(r.on_time_value) for r in by_month]
    }
    if annual:
        rates[_("Follow-up satisfaction")] = [_percent(r.satisfaction_value) for r in by_month]
    pareto = view["category_pareto"]
    charts = {
        "trend": echarts.lines(
            months,
            {
                _("Complaints received"): [r.received_so_far for r in by_month],
                _("Valid"): [r.valid_so_far for r in by_month],
            },
        ),
        "rates": echarts.lines(months, rates, percent=True),
        "pareto": echarts.pareto(
            [line.name for line in pareto],
            [line.count for line in pareto],
            [line.vital for line in pareto],
            count_name=_("Complaints"),
            cumulative_name=_("Cumulative share"),
        ),
    }
    if annual:
        charts["estates"] = echarts.bars(
            months, {row.name: list(row.counts) for row in view["estate_by_month"]}, stacked=True
        )
    return charts


# --- print, PDF and Excel ------------------------------------------------------------------


def export_response(request: HttpRequest, record: Any, *, kind: str, fmt: str) -> HttpResponse:
    """The print view, PDF or workbook of a quarterly analysis or annual summary (``exports``)."""
    if kind == "quarterly":
        title, number = exports.quarterly_title(), exports.quarter_label(record.year, record.quarter)
        filename = exports.quarterly_filename(record)
        makers: dict[str, Callable[..., Any]] = {
            "print": exports.quarterly_print_html,
            "pdf": exports.quarterly_pdf,
            "xlsx": exports.quarterly_xlsx,
        }
    else:
        title, number = exports.annual_title(), str(record.year)
        filename = exports.annual_filename(record)
        makers = {"print": exports.annual_print_html, "pdf": exports.annual_pdf, "xlsx": exports.annual_xlsx}
    if fmt == "xlsx":
        response = xlsx_response(makers["xlsx"](record), filename)
    elif fmt == "print":
        response = HttpResponse(makers["print"](record, request=request))
    else:
        try:
            data = makers["pdf"](record, request=request)
        except (PdfUnavailable, OSError):
            # WeasyPrint, Pango or the fonts missing or broken: the print view still works.
            log.warning("PDF of the %s %s not made", kind, number, exc_info=True)
            context = {
                "form_title": title,
                "number": number,
                "html_url": reverse(f"reports:{kind}_print", args=[record.pk]),
                "back_url": reverse(f"reports:{kind}_detail", args=[record.pk]),
            }
            return render(request, "complaints/print/unavailable.html", context, status=503)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    if fmt != "print":
        document = "quarterly-analysis" if kind == "quarterly" else "annual-summary"
        record_export(request, list_name=document, filters={"id": record.pk, "format": fmt}, row_count=None)
    patch_cache_control(response, private=True, no_cache=True)
    return response
