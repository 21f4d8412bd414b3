"""Survey URLs: customer segments (SPEC S-10): the page and its workbook. Every ``<int:pk>``
URL takes only ``pk`` (the survey's)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import segments

urlpatterns: list[URLPattern] = [
    path("<int:pk>/segments/", segments.segments, name="segments"),
    path("<int:pk>/segments/xlsx/", segments.segments_xlsx, name="segments_xlsx"),
]
