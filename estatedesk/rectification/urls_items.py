"""Rectification pages: an item's page, its steps and its files (R-3, R-4)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views.stubs import not_yet

urlpatterns = [
    path("items/<int:pk>/", not_yet, name="item_detail"),
    path("items/<int:pk>/signature/", not_yet, name="item_signature"),
    path("items/<int:pk>/<str:step>/", not_yet, name="item_step"),
    path("photos/<int:pk>/", not_yet, name="photo"),
]
