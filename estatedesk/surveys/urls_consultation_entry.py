"""Survey URLs: recording a consultation's answers on a phone, and the questionnaire's QR slips
(SPEC S-4, W-1). Every ``<int:pk>`` URL takes only ``pk`` (the consultation)."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.surveys.views import consultation_entry, consultation_slips

urlpatterns: list[URLPattern] = [
    path("consultations/<int:pk>/entry/", consultation_entry.entry, name="consultation_entry"),
    path(
        "consultations/<int:pk>/entry/submit/",
        consultation_entry.entry_submit,
        name="consultation_entry_submit",
    ),
    path("consultations/<int:pk>/slips/", consultation_slips.slips, name="consultation_slips"),
    path("consultations/<int:pk>/slips/pdf/", consultation_slips.slips_pdf, name="consultation_slips_pdf"),
]
