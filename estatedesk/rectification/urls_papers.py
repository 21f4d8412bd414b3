"""Rectification pages: the printed report (项目整改报告) and the resident's acceptance sheet (K-16)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views.stubs import not_yet

urlpatterns = [
    path("reports/<int:pk>/print/", not_yet, name="report_print"),
    path("reports/<int:pk>/pdf/", not_yet, name="report_pdf"),
    path("reports/<int:pk>/xlsx/", not_yet, name="report_xlsx"),
    path("reports/<int:pk>/units/<int:unit_id>/sheet/", not_yet, name="unit_sheet"),
    path("reports/<int:pk>/units/<int:unit_id>/sheet/pdf/", not_yet, name="unit_sheet_pdf"),
]
