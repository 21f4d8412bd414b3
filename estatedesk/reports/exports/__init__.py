"""Every report as a PDF and as an Excel workbook (SPEC A-3, K-12, K-13, K-15, I-2).

The public face the views call: ``monthly_pdf`` / ``monthly_print_html`` / ``monthly_xlsx``
and the same for the quarterly analysis and the annual summary (the management-review
pack), with their titles and file names. The work is done in ``pdf`` (HTML print view →
WeasyPrint, charts drawn by ``reports.charts`` as SVG), ``excel`` and ``excel_periods``
(XlsxWriter with native charts); ``common`` holds what both formats share. matplotlib and
WeasyPrint are loaded on first use (``reports.charts``, ``core.pdf``), not by importing these.

Output follows the active language (the views activate the request's language). A PDF
that cannot be made raises ``core.pdf.PdfUnavailable``; the view then offers the HTML print
view, as the printed complaint forms do.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from estatedesk.reports.exports import excel, excel_periods, pdf
from estatedesk.reports.exports.common import (
    annual_filename,
    annual_short_title,
    annual_title,
    monthly_filename,
    monthly_title,
    quarter_label,
    quarterly_filename,
    quarterly_title,
    year_label,
)

__all__ = [
    "annual_filename",
    "annual_pdf",
    "annual_print_html",
    "annual_short_title",
    "annual_title",
    "annual_xlsx",
    "monthly_filename",
    "monthly_pdf",
    "monthly_print_html",
    "monthly_title",
    "monthly_xlsx",
    "quarter_label",
    "quarterly_filename",
    "quarterly_pdf",
    "quarterly_print_html",
    "quarterly_title",
    "quarterly_xlsx",
    "year_label",
]


def monthly_print_html(report: Any, *, request: HttpRequest) -> str:
    return pdf.monthly_html(report, request=request, pdf=False)


def monthly_pdf(report: Any, *, request: HttpRequest) -> bytes:
    return pdf.monthly_pdf(report, request=request)


def monthly_xlsx(report: Any) -> bytes:
    return excel.monthly_xlsx(report)


def quarterly_print_html(analysis: Any, *, request: HttpRequest) -> str:
    return pdf.quarterly_html(analysis, request=request, pdf=False)


def quarterly_pdf(analysis: Any, *, request: HttpRequest) -> bytes:
    return pdf.quarterly_pdf(analysis, request=request)


def quarterly_xlsx(analysis: Any) -> bytes:
    return excel_periods.quarterly_xlsx(analysis)


def annual_print_html(summary: Any, *, request: HttpRequest) -> str:
    return pdf.annual_html(summary, request=request, pdf=False)


def annual_pdf(summary: Any, *, request: HttpRequest) -> bytes:
    return pdf.annual_pdf(summary, request=request)


def annual_xlsx(summary: Any) -> bytes:
    return excel_periods.annual_xlsx(summary)
