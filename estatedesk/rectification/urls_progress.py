"""Rectification pages: progress by estate, batch, team, category and round (R-5)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views import progress

urlpatterns = [
    path("progress/", progress.progress_page, name="progress"),
    path("progress/xlsx/", progress.progress_xlsx, name="progress_xlsx"),
    path("progress/pdf/", progress.progress_pdf, name="progress_pdf"),
]
