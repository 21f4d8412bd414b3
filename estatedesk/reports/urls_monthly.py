"""URL patterns of the monthly report pages (mounted under /reports/ by reports/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.reports import views_monthly as views

urlpatterns: list[URLPattern] = [
    path("monthly/", views.monthly_list, name="monthly_list"),
    path("monthly/export/", views.monthly_export, name="monthly_export"),
    path("monthly/draft/", views.monthly_draft, name="monthly_draft"),
    path("monthly/<int:pk>/", views.monthly_detail, name="monthly_detail"),
    path("monthly/<int:pk>/save/", views.monthly_save, name="monthly_save"),
    path("monthly/<int:pk>/review/", views.monthly_review, name="monthly_review"),
    path("monthly/<int:pk>/print/", views.monthly_print, name="monthly_print"),
    path("monthly/<int:pk>/pdf/", views.monthly_pdf, name="monthly_pdf"),
    path("monthly/<int:pk>/xlsx/", views.monthly_xlsx, name="monthly_xlsx"),
    path("review/", views.review_queue, name="review_queue"),
]
