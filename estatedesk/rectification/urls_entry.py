"""Rectification pages: entering items on a phone, unit by unit, and importing a spreadsheet (R-1, R-2)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views import entry, imports

urlpatterns = [
    path("reports/<int:pk>/entry/", entry.unit_entry, name="unit_entry"),
    path("reports/<int:pk>/units/<int:unit_id>/", entry.unit_items, name="unit_items"),
    path("reports/<int:pk>/public/", entry.unit_public, name="unit_public"),
    path("reports/<int:pk>/import/", imports.report_import, name="report_import"),
    path("import/template/", imports.import_template, name="import_template"),
]
