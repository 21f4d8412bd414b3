"""Survey URLs: owners' forums (SPEC S-6). Every ``<int:pk>`` URL takes only ``pk`` (the
permission walker relies on it); a step on an opinion, a participant or a follow-up names it
in the form. Scope and roles are checked in the views through the selectors and services."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import forum_minutes, forums

urlpatterns: list[URLPattern] = [
    path("forums/", forums.forum_list, name="forum_list"),
    path("forums/new/", forums.forum_create, name="forum_create"),
    path("forums/<int:pk>/", forums.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", forums.forum_edit, name="forum_edit"),
    path("forums/<int:pk>/participants/", forums.forum_participant_add, name="forum_participant_add"),
    path(
        "forums/<int:pk>/participants/remove/",
        forums.forum_participant_remove,
        name="forum_participant_remove",
    ),
    path("forums/<int:pk>/opinions/", forums.forum_opinion_add, name="forum_opinion_add"),
    path("forums/<int:pk>/answer/", forums.forum_answer, name="forum_answer"),
    path("forums/<int:pk>/follow-ups/", forums.forum_follow_up_add, name="forum_follow_up_add"),
    path("forums/<int:pk>/follow-ups/done/", forums.forum_follow_up_done, name="forum_follow_up_done"),
    path("forums/<int:pk>/minutes/", forum_minutes.forum_minutes, name="forum_minutes"),
    path("forums/<int:pk>/minutes/pdf/", forum_minutes.forum_minutes_pdf, name="forum_minutes_pdf"),
]
