"""Intake and list pages of complaints (SPEC K-1, K-2, K-5, K-18, C-7, A-3)."""

from django.urls import URLPattern, path

from estatedesk.complaints import views_exports, views_intake, views_lists

urlpatterns: list[URLPattern] = [
    path("", views_lists.department_list, name="list"),
    path("mine/", views_lists.mine, name="mine"),
    path("export/", views_lists.export, name="export"),
    path("new/", views_intake.intake, name="intake"),
    path("new/lookup/", views_intake.intake_lookup, name="intake_lookup"),
    path("slips/export/", views_exports.slip_export, name="slip_export"),
    path("notices/export/", views_exports.notice_export, name="notice_export"),
]
