"""Survey URLs: consultations (SPEC S-4 … S-10). Every ``<int:pk>`` URL takes only ``pk``."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
