"""The complaint page and its steps, transfer slips, work notices and weekly reviews.

Names follow the convention the permission walker relies on: ``detail`` / ``act_<step>``
by complaint, ``slip_*``, ``notice_*``, and ``weekly_*`` by department.
"""

from django.urls import URLPattern, path

from estatedesk.complaints.views import detail, papers, weekly

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/reveal/", detail.reveal, name="act_reveal"),
    *[
        path(f"<int:pk>/act/{step.name}/", detail.action_view(step), name=f"act_{step.name}")
        for step in detail.STEPS
    ],
    path("slips/", papers.slip_list, name="slip_list"),
    path("slips/<int:pk>/", papers.slip_detail, name="slip_detail"),
    path("slips/<int:pk>/sign/", papers.slip_sign, name="slip_sign"),
    path("slips/<int:pk>/result/", papers.slip_result, name="slip_result"),
    path("notices/", papers.notice_list, name="notice_list"),
    path("notices/new/", papers.notice_create, name="notice_create"),
    path("notices/<int:pk>/", papers.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/report/", papers.notice_report, name="notice_report"),
    path("notices/<int:pk>/verify/", papers.notice_verify, name="notice_verify"),
    path("weekly/", weekly.weekly, name="weekly"),
    path("weekly/<int:pk>/", weekly.weekly_review, name="weekly_review"),
]
