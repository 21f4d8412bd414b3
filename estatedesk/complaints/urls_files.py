"""Attachments and the estate's portal poster (SPEC K-1, W-1, D-3)."""

from django.urls import URLPattern, path

from estatedesk.complaints.views import files

urlpatterns: list[URLPattern] = [
    path("attachments/<int:pk>/", files.attachment, name="attachment"),
    path("<int:pk>/attach/", files.act_attach, name="act_attach"),
    path("poster/<int:pk>/", files.poster, name="poster"),
]
