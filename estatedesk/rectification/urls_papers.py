"""Rectification pages: the printed report (项目整改报告) and the resident's acceptance sheet (K-16)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views import papers

urlpatterns = [
    path("reports/<int:pk>/print/", papers.report_print, name="report_print"),
    path("reports/<int:pk>/pdf/", papers.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/xlsx/", papers.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/units/<int:unit_id>/sheet/", papers.unit_sheet, name="unit_sheet"),
    path("reports/<int:pk>/units/<int:unit_id>/sheet/pdf/", papers.unit_sheet_pdf, name="unit_sheet_pdf"),
]
