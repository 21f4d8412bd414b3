"""Records (SPEC D-1 … D-3): the retention table, legal holds, disposal runs, personal-data requests.

Administrators act; auditors read (``core.policy.Rule.RECORDS`` for the whole namespace).
"""

from django.urls import path

from estatedesk.records.views import disposal, holds, requests, retention

app_name = "records"

urlpatterns = [
    path("", retention.table, name="retention"),
    path("retention/<slug:key>/", retention.edit, name="retention_edit"),
    path("holds/", holds.hold_list, name="hold_list"),
    path("holds/new/", holds.hold_create, name="hold_create"),
    path("holds/<int:pk>/release/", holds.hold_release, name="hold_release"),
    path("disposal/", disposal.run_list, name="run_list"),
    path("disposal/start/", disposal.run_start, name="run_start"),
    path("disposal/<int:pk>/", disposal.run_detail, name="run_detail"),
    path("disposal/<int:pk>/archive/", disposal.run_archive, name="run_archive"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/export/", requests.request_export, name="request_export"),
    path("requests/erase/", requests.request_erase, name="request_erase"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
]
