"""Intake and list pages of complaints (SPEC K-1, K-2, K-5, K-18, C-7, A-3)."""

from django.urls import URLPattern, path

from estatedesk.complaints.views import bulk, exports, intake, lists

urlpatterns: list[URLPattern] = [
    path("", lists.department_list, name="list"),
    path("mine/", lists.mine, name="mine"),
    path("export/", lists.export, name="export"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("forward/handlers/", bulk.forward_handlers, name="forward_handlers"),
    path("new/", intake.intake, name="intake"),
    path("new/lookup/", intake.intake_lookup, name="intake_lookup"),
    path("slips/export/", exports.slip_export, name="slip_export"),
    path("notices/export/", exports.notice_export, name="notice_export"),
]
