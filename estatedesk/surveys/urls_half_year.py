"""Survey URLs: half-year statistics (SPEC S-5, I-1, A-3). Every ``<int:pk>`` URL takes only ``pk``."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import half_year, half_year_print

urlpatterns: list[URLPattern] = [
    path("half-year/", half_year.half_year_list, name="half_year_list"),
    path("half-year/compute/", half_year.half_year_compute, name="half_year_compute"),
    path("half-year/<int:pk>/", half_year.half_year_detail, name="half_year_detail"),
    path("half-year/<int:pk>/refresh/", half_year.half_year_refresh, name="half_year_refresh"),
    path("half-year/<int:pk>/conclusions/", half_year.half_year_conclusions, name="half_year_conclusions"),
    path("half-year/<int:pk>/sign-off/", half_year.half_year_sign, name="half_year_sign"),
    path("half-year/<int:pk>/print/", half_year_print.half_year_print, name="half_year_print"),
    path("half-year/<int:pk>/pdf/", half_year_print.half_year_pdf, name="half_year_pdf"),
    path("half-year/<int:pk>/xlsx/", half_year_print.half_year_xlsx, name="half_year_xlsx"),
]
