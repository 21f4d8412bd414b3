"""Survey URLs: the evaluation standards (SPEC S-1) and the quality targets."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import standard_print, targets
from estatedesk.surveys.views import standards as views

urlpatterns: list[URLPattern] = [
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/new/", views.standard_create, name="standard_create"),
    path("standards/targets/", targets.targets, name="targets"),
    path("standards/targets/set/", targets.target_set, name="target_set"),
    path("standards/targets/remove/", targets.target_remove, name="target_remove"),
    path("standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path("standards/<int:pk>/edit/", views.standard_edit, name="standard_edit"),
    path("standards/<int:pk>/texts/", views.standard_texts, name="standard_texts"),
    path("standards/<int:pk>/scale/", views.standard_scale, name="standard_scale"),
    path("standards/<int:pk>/questions/add/", views.standard_question_add, name="standard_question_add"),
    path("standards/<int:pk>/print/", standard_print.standard_print, name="standard_print"),
    path("standards/<int:pk>/pdf/", standard_print.standard_pdf, name="standard_pdf"),
    path("standards/questions/<int:pk>/", views.standard_question_edit, name="standard_question_edit"),
    path("standards/questions/<int:pk>/move/", views.standard_question_move, name="standard_question_move"),
    path(
        "standards/questions/<int:pk>/remove/",
        views.standard_question_remove,
        name="standard_question_remove",
    ),
    path("standards/family/<int:pk>/default/", views.standard_default, name="standard_default"),
]
