"""URL patterns of the quarterly analysis and annual summary pages (mounted under /reports/ by reports/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.reports import views_annual
from estatedesk.reports import views_periods as views

urlpatterns: list[URLPattern] = [
    path("quarterly/", views.quarterly_list, name="quarterly_list"),
    path("quarterly/export/", views.quarterly_export, name="quarterly_export"),
    path("quarterly/draft/", views.quarterly_draft, name="quarterly_draft"),
    path("quarterly/<int:pk>/", views.quarterly_detail, name="quarterly_detail"),
    path("quarterly/<int:pk>/save/", views.quarterly_save, name="quarterly_save"),
    path("quarterly/<int:pk>/print/", views.quarterly_print, name="quarterly_print"),
    path("quarterly/<int:pk>/pdf/", views.quarterly_pdf, name="quarterly_pdf"),
    path("quarterly/<int:pk>/xlsx/", views.quarterly_xlsx, name="quarterly_xlsx"),
    path("annual/", views_annual.annual_list, name="annual_list"),
    path("annual/export/", views_annual.annual_export, name="annual_export"),
    path("annual/draft/", views_annual.annual_draft, name="annual_draft"),
    path("annual/<int:pk>/", views_annual.annual_detail, name="annual_detail"),
    path("annual/<int:pk>/save/", views_annual.annual_save, name="annual_save"),
    path("annual/<int:pk>/print/", views_annual.annual_print, name="annual_print"),
    path("annual/<int:pk>/pdf/", views_annual.annual_pdf, name="annual_pdf"),
    path("annual/<int:pk>/xlsx/", views_annual.annual_xlsx, name="annual_xlsx"),
]
