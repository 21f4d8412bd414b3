"""The notices pages of customer communication (SPEC C-2 … C-6)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
