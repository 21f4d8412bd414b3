"""The customer-property pages (SPEC C-6): the register of items (list, export, new, page, steps)
and the incidents (list, export, page, steps; a new incident is reported from its item's page).
Every ``<int:pk>`` URL takes only one ``pk``: the item's, or the incident's."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.communication.views import property as views

urlpatterns: list[URLPattern] = [
    path("property/", views.property_list, name="property_list"),
    path("property/export/", views.property_export, name="property_export"),
    path("property/new/", views.property_create, name="property_create"),
    path("property/<int:pk>/", views.property_detail, name="property_detail"),
    path("property/<int:pk>/edit/", views.property_edit, name="property_edit"),
    path("property/<int:pk>/return/", views.property_return, name="property_return"),
    path("property/<int:pk>/incidents/new/", views.incident_create, name="incident_create"),
    path("property-incidents/", views.incident_list, name="incident_list"),
    path("property-incidents/export/", views.incident_export, name="incident_export"),
    path("property-incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("property-incidents/<int:pk>/told/", views.incident_told, name="incident_told"),
    path("property-incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
]
