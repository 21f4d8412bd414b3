"""Rectification pages: the reports and the item lists (R-2, R-3)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views.stubs import not_yet

urlpatterns = [
    path("", not_yet, name="report_list"),
    path("reports/new/", not_yet, name="report_create"),
    path("reports/<int:pk>/", not_yet, name="report_detail"),
    path("reports/<int:pk>/edit/", not_yet, name="report_edit"),
    path("items/", not_yet, name="item_list"),
    path("items/export/", not_yet, name="item_export"),
    path("items/bulk/", not_yet, name="item_bulk"),
]
