"""Survey URLs: the monthly consultations (SPEC S-4): list and workbook, plan, the consultation and
its steps. Every ``<int:pk>`` URL takes only ``pk`` (the consultation)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import consultation_detail as detail
from estatedesk.surveys.views import consultations as lists

urlpatterns: list[URLPattern] = [
    path("consultations/", lists.consultation_list, name="consultation_list"),
    path("consultations/export/", lists.consultation_list_xlsx, name="consultation_list_xlsx"),
    path("consultations/new/", lists.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", detail.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/swap/", detail.consultation_swap, name="consultation_swap"),
    path("consultations/<int:pk>/start/", detail.consultation_start, name="consultation_start"),
    path("consultations/<int:pk>/finish/", detail.consultation_finish, name="consultation_finish"),
    path("consultations/<int:pk>/cancel/", detail.consultation_cancel, name="consultation_cancel"),
    path("consultations/<int:pk>/notes/", detail.consultation_notes, name="consultation_notes"),
]
