"""Excel exports of the transfer slip and work notice lists (SPEC A-3).

Each export reads the very queryset its list page pages through (``filtered_slips`` /
``filtered_notices``): the same scope (P-1), filters and order, every row instead of one
page. Times are company time, as on the pages. No complainant names or phones are written:
the lists do not show them either.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.complaints.views.papers import filtered_notices, filtered_slips, is_overdue
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import workbook_response


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _name(staff: Any) -> str:
    return staff.display_name if staff else ""


@require_GET
@company_time
def slip_export(request: HttpRequest) -> HttpResponse:
    headers = [
        _("Number"),
        _("Complaint"),
        _("Estate"),
        _("Department"),
        _("Raised at"),
        _("Raised by"),
        _("Status"),
        _("Matter"),
        _("Handler's opinion"),
        _("Final result"),
        _("Result recorded by"),
        capfirst(_("result recorded at")),
    ]

    def rows() -> Iterator[list[Any]]:
        slips = filtered_slips(request).select_related("result_by")
        for s in slips.iterator(chunk_size=2000):
            yield [
                s.number,
                s.complaint.number,
                s.complaint.estate.name,
                s.complaint.department.name,
                _local(s.raised_at),
                _name(s.raised_by),
                s.get_status_display(),
                s.matter,
                s.handler_opinion,
                s.result,
                _name(s.result_by),
                _local(s.result_at),
            ]

    return workbook_response(request, "transfer-slips", headers, rows(), sheet=_("Work transfer slips"))


@require_GET
@company_time
def notice_export(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    headers = [
        _("Number"),
        _("Origin"),
        _("Responsible department"),
        _("Estate"),
        _("Complaint"),
        _("Work transfer slip"),
        _("Issued at"),
        _("Issued by"),
        _("Complete by"),
        _("Status"),
        _("Overdue"),
        _("Task"),
        _("Completion report"),
    ]

    def rows() -> Iterator[list[Any]]:
        notices = filtered_notices(request, now).select_related("slip", "complaint__estate")
        for n in notices.iterator(chunk_size=2000):
            estate = n.estate or (n.complaint.estate if n.complaint else None)
            yield [
                n.number,
                n.get_origin_display(),
                n.department.name,
                estate.name if estate else "",
                n.complaint.number if n.complaint else "",
                n.slip.number if n.slip else "",
                _local(n.issued_at),
                _name(n.issued_by),
                _local(n.due_at),
                n.get_status_display(),
                _("Yes") if is_overdue(n, now) else _("No"),
                n.task,
                n.completion_report,
            ]

    return workbook_response(request, "work-notices", headers, rows(), sheet=_("Work arrangement notices"))
