"""URL patterns of the dashboard report pages (mounted under /reports/ by reports/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.reports import views_dashboard

urlpatterns: list[URLPattern] = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
]
