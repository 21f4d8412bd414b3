"""Rectification pages: an item's page and its steps."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views import items

urlpatterns = [
    path("items/<int:pk>/", items.item_detail, name="item_detail"),
]
