"""Rectification pages: an item's page, its steps and its files (R-3, R-4)."""

from __future__ import annotations

from django.urls import path

from estatedesk.rectification.views import items as views

urlpatterns = [
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/signature/", views.item_signature, name="item_signature"),
    path("items/<int:pk>/<str:step>/", views.item_step, name="item_step"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
