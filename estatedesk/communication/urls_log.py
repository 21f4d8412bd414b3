"""The communication log's pages (SPEC C-4): list, export, new contact, a contact's page and
its steps. Every ``<int:pk>`` URL takes only the contact's ``pk`` (the permission walker relies
on it); a step on a follow-up names it in the form. Scope and roles are checked in the views
through the selectors and services."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.communication.views import log

urlpatterns: list[URLPattern] = [
    path("log/", log.contact_list, name="contact_list"),
    path("log/export/", log.contact_export, name="contact_export"),
    path("log/new/", log.contact_create, name="contact_create"),
    path("log/<int:pk>/", log.contact_detail, name="contact_detail"),
    path("log/<int:pk>/edit/", log.contact_edit, name="contact_edit"),
    path("log/<int:pk>/follow-ups/", log.contact_follow_up_add, name="contact_follow_up_add"),
    path("log/<int:pk>/follow-ups/done/", log.contact_follow_up_done, name="contact_follow_up_done"),
]
