"""Resident portal URLs (SPEC W-1), mounted at /r/: public, found by estate code or private token."""

from django.urls import URLPattern, path

from estatedesk.portal import views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/", views.status, name="status"),
    path("c/<str:token>/done/", views.receipt, name="receipt"),
    # Not "<int:pk>": the permission walk treats pk routes as staff objects; this one is token-scoped.
    path("c/<str:token>/photo/<int:photo_id>/", views.photo, name="photo"),
    path("<str:code>/", views.estate, name="estate"),
]
