"""Printed forms (K-16), flowcharts and the help page (K-17)."""

from django.urls import URLPattern, path

from estatedesk.complaints.views import printing

urlpatterns: list[URLPattern] = [
    path("<int:pk>/print/", printing.record_print, name="record_print"),
    path("<int:pk>/print.pdf", printing.record_pdf, name="record_pdf"),
    path("slips/<int:pk>/print/", printing.slip_print, name="slip_print"),
    path("slips/<int:pk>/print.pdf", printing.slip_pdf, name="slip_pdf"),
    path("notices/<int:pk>/print/", printing.notice_print, name="notice_print"),
    path("notices/<int:pk>/print.pdf", printing.notice_pdf, name="notice_pdf"),
    path("help/", printing.help_page, name="help"),
    path("help/flowcharts/<str:name>.svg", printing.flowchart_svg, name="flowchart"),
]
