"""Survey URLs: results (SPEC S-2, S-3, A-3): the page, its print view, PDF and workbook."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import results

urlpatterns: list[URLPattern] = [
    path("<int:pk>/results/", results.results, name="results"),
    path("<int:pk>/results/print/", results.results_print, name="results_print"),
    path("<int:pk>/results/pdf/", results.results_pdf, name="results_pdf"),
    path("<int:pk>/results/xlsx/", results.results_xlsx, name="results_xlsx"),
]
