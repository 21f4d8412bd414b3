"""Attachments and the estate's portal poster (SPEC K-1, W-1, D-3)."""

from django.urls import URLPattern, path

from estatedesk.complaints import views_files

urlpatterns: list[URLPattern] = [
    path("attachments/<int:pk>/", views_files.attachment, name="attachment"),
    path("<int:pk>/attach/", views_files.act_attach, name="act_attach"),
    path("poster/<int:pk>/", views_files.poster, name="poster"),
]
