"""Rectification pages: entering items on a phone, unit by unit, and importing a spreadsheet (R-1, R-2)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views.stubs import not_yet

urlpatterns = [
    path("reports/<int:pk>/entry/", not_yet, name="unit_entry"),
    path("reports/<int:pk>/units/<int:unit_id>/", not_yet, name="unit_items"),
    path("reports/<int:pk>/public/", not_yet, name="unit_public"),
    path("reports/<int:pk>/import/", not_yet, name="report_import"),
    path("import/template/", not_yet, name="import_template"),
]
