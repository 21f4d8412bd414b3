"""Survey URLs: the QR slips of the sample, per building (SPEC S-8)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import sheets

urlpatterns: list[URLPattern] = [
    path("<int:pk>/sheets/", sheets.sheets, name="sheets"),
    path("<int:pk>/sheets/<int:building_pk>/", sheets.sheet_print, name="sheet_print"),
    path("<int:pk>/sheets/<int:building_pk>.pdf", sheets.sheet_pdf, name="sheet_pdf"),
]
