"""Survey URLs: the staff pages of a survey's life (SPEC S-7, S-8).

Every ``<int:pk>`` URL takes only ``pk`` (the permission walker relies on it); scope and roles
are checked in the views through the selectors and services.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import detail, lists, paper, sample

urlpatterns: list[URLPattern] = [
    path("", lists.survey_list, name="list"),
    path("new/", lists.create, name="create"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/progress/", detail.progress, name="progress"),
    path("<int:pk>/draw/", detail.draw, name="draw"),
    path("<int:pk>/open/", detail.open_survey, name="open"),
    path("<int:pk>/remind/", detail.remind, name="remind"),
    path("<int:pk>/close/", detail.close, name="close"),
    path("<int:pk>/cancel/", detail.cancel, name="cancel"),
    path("<int:pk>/edit/", detail.edit, name="edit"),
    path("<int:pk>/sample/", sample.sample, name="sample"),
    path("<int:pk>/sample/export/", sample.sample_export, name="sample_export"),
    path("<int:pk>/paper/", paper.paper, name="paper"),
]
