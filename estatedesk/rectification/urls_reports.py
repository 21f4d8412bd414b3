"""Rectification pages: the reports and the item lists (R-2, R-3)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views import item_list, reports

urlpatterns = [
    path("", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_create, name="report_create"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("items/", item_list.item_list, name="item_list"),
    path("items/export/", item_list.item_export, name="item_export"),
    path("items/bulk/", item_list.item_bulk, name="item_bulk"),
]
