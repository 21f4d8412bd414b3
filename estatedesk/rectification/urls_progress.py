"""Rectification pages: progress by estate, batch, team, category and round (R-5)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views.stubs import not_yet

urlpatterns = [
    path("progress/", not_yet, name="progress"),
    path("progress/xlsx/", not_yet, name="progress_xlsx"),
    path("progress/pdf/", not_yet, name="progress_pdf"),
]
