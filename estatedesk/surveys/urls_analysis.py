"""Survey URLs: analysis and decisions (SPEC S-9). Every ``<int:pk>`` URL takes only ``pk``:
the survey's under ``<pk>/analysis/``, a suggestion's under ``suggestions/<pk>/``; the reason
codes (administrator only) under ``reason-codes/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import analysis as views
from estatedesk.surveys.views import analysis_print as paper
from estatedesk.surveys.views.reason_codes import VIEWS as codes

urlpatterns: list[URLPattern] = [
    path("<int:pk>/analysis/", views.analysis_page, name="analysis"),
    path("<int:pk>/analysis/save/", views.analysis_save, name="analysis_save"),
    path("<int:pk>/analysis/suggest/", views.analysis_suggest, name="analysis_suggest"),
    path("<int:pk>/analysis/fishbone.svg", paper.analysis_fishbone, name="analysis_fishbone"),
    path("<int:pk>/analysis/print/", paper.analysis_print, name="analysis_print"),
    path("<int:pk>/analysis/pdf/", paper.analysis_pdf, name="analysis_pdf"),
    path(
        "<int:pk>/analysis/draft-improvements/",
        paper.analysis_draft_improvements,
        name="analysis_draft_improvements",
    ),
    path("suggestions/<int:pk>/edit/", views.suggestion_edit, name="suggestion_edit"),
    path("suggestions/<int:pk>/submit/", views.suggestion_submit, name="suggestion_submit"),
    path("suggestions/<int:pk>/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("suggestions/<int:pk>/decline/", views.suggestion_decline, name="suggestion_decline"),
    path("reason-codes/", codes["list"], name="reason_code_list"),
    path("reason-codes/new/", codes["create"], name="reason_code_create"),
    path("reason-codes/<int:pk>/", codes["detail"], name="reason_code_detail"),
    path("reason-codes/<int:pk>/edit/", codes["edit"], name="reason_code_edit"),
]
