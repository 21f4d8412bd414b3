"""Corrective and preventive actions (SPEC I-1), mounted at /improvement/.

Every ``<int:pk>`` URL takes only ``pk`` (the permission walker relies on it); scope and roles
are checked in the views through the selectors and services.
"""

from django.urls import path

from estatedesk.improvement import views, views_detail

app_name = "improvement"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views_detail.detail, name="detail"),
    path("<int:pk>/analyse/", views_detail.analyse, name="analyse"),
    path("<int:pk>/steps/", views_detail.step_add, name="step_add"),
    path("<int:pk>/finish/", views_detail.step_finish, name="step_finish"),
    path("<int:pk>/verify/", views_detail.verify, name="verify"),
    path("<int:pk>/fishbone.svg", views_detail.fishbone_svg, name="fishbone"),
]
