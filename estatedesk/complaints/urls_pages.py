"""Intake and list pages of complaints, and the categories' page (SPEC K-1, K-2, K-3, K-5, K-18, C-7, A-3)."""

from django.urls import URLPattern, path

from estatedesk.complaints.views import bulk, categories, exports, intake, lists

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
    path("categories/", categories.category_list, name="category_list"),
    path("categories/new/", categories.category_create, name="category_create"),
    path("categories/<int:pk>/", categories.category_edit, name="category_edit"),
    path("categories/<int:pk>/rename/", categories.category_rename, name="category_rename"),
    path("categories/<int:pk>/move/", categories.category_move, name="category_move"),
    path("categories/<int:pk>/active/", categories.category_active, name="category_active"),
    path("categories/<int:pk>/delete/", categories.category_delete, name="category_delete"),
]
