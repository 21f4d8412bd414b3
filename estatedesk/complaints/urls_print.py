"""Printed forms (K-16), flowcharts and the help page (K-17)."""

from django.urls import URLPattern, path

from estatedesk.complaints import views_print

urlpatterns: list[URLPattern] = [
    path("<int:pk>/print/", views_print.record_print, name="record_print"),
    path("<int:pk>/print.pdf", views_print.record_pdf, name="record_pdf"),
    path("slips/<int:pk>/print/", views_print.slip_print, name="slip_print"),
    path("slips/<int:pk>/print.pdf", views_print.slip_pdf, name="slip_pdf"),
    path("notices/<int:pk>/print/", views_print.notice_print, name="notice_print"),
    path("notices/<int:pk>/print.pdf", views_print.notice_pdf, name="notice_pdf"),
    path("help/", views_print.help_page, name="help"),
    path("help/flowcharts/<str:name>.svg", views_print.flowchart_svg, name="flowchart"),
]
