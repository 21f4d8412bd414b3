"""The notice pages of customer communication (SPEC C-2, C-3): list, form, steps, recipients,
the printed sheet, evidence photos and attachments."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.communication.views import notice_files, notice_form, notice_recipients, notice_sheet, notices

urlpatterns: list[URLPattern] = [
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/export/", notices.notice_export, name="notice_export"),
    path("notices/new/", notice_form.notice_create, name="notice_create"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", notice_form.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/schedule/", notices.notice_schedule, name="notice_schedule"),
    path("notices/<int:pk>/publish/", notices.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/cancel/", notices.notice_cancel, name="notice_cancel"),
    path("notices/<int:pk>/withdraw/", notices.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/sign/", notices.notice_sign, name="notice_sign"),
    path("notices/<int:pk>/recipients/", notice_recipients.recipients, name="notice_recipients"),
    path(
        "notices/<int:pk>/recipients/export/",
        notice_recipients.recipients_export,
        name="notice_recipients_export",
    ),
    path(
        "notices/<int:pk>/recipients/<int:unit_id>/contact/",
        notice_recipients.contact,
        name="notice_contact",
    ),
    path("notices/<int:pk>/sheet/", notice_sheet.sheet, name="notice_sheet"),
    path("notices/<int:pk>/sheet.pdf", notice_sheet.sheet_pdf, name="notice_sheet_pdf"),
    path("notices/<int:pk>/evidence/", notice_files.evidence_add, name="notice_evidence_add"),
    path(
        "notices/<int:pk>/evidence/<int:evidence_id>/",
        notice_files.evidence_file,
        name="notice_evidence_file",
    ),
    path("notices/<int:pk>/attachments/", notice_files.attachment_add, name="notice_attachment_add"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_id>/",
        notice_files.attachment_file,
        name="notice_attachment_file",
    ),
]
