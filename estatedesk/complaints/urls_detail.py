"""The complaint page and its steps, transfer slips, work notices and weekly reviews.

Names follow the convention the permission walker relies on: ``detail`` / ``act_<step>``
by complaint, ``slip_*``, ``notice_*``, and ``weekly_*`` by department.
"""

from django.urls import URLPattern, path

from estatedesk.complaints import views_detail, views_papers, views_weekly

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", views_detail.detail, name="detail"),
    path("<int:pk>/reveal/", views_detail.reveal, name="act_reveal"),
    *[
        path(f"<int:pk>/act/{step.name}/", views_detail.action_view(step), name=f"act_{step.name}")
        for step in views_detail.STEPS
    ],
    path("slips/", views_papers.slip_list, name="slip_list"),
    path("slips/<int:pk>/", views_papers.slip_detail, name="slip_detail"),
    path("slips/<int:pk>/sign/", views_papers.slip_sign, name="slip_sign"),
    path("slips/<int:pk>/result/", views_papers.slip_result, name="slip_result"),
    path("notices/", views_papers.notice_list, name="notice_list"),
    path("notices/new/", views_papers.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views_papers.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/report/", views_papers.notice_report, name="notice_report"),
    path("notices/<int:pk>/verify/", views_papers.notice_verify, name="notice_verify"),
    path("weekly/", views_weekly.weekly, name="weekly"),
    path("weekly/<int:pk>/", views_weekly.weekly_review, name="weekly_review"),
]
