"""Rectification pages: entry (filled in by its page family)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
