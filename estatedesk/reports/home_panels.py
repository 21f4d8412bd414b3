"""The report panels of the home page (SPEC A-1, K-14): monthly reports for the leadership.

"review_queue": the deputy GM and the GM see the submitted reports waiting for their review,
oldest first, from the same selector as the review queue page. "reports": the auditor sees the
latest reviewed ones. Both read through the scoped selectors, so a panel never shows what the
report pages would not.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from estatedesk.core import panels
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_zone
from estatedesk.reports import selectors
from estatedesk.reports.models import MonthlyReport, ReportStatus

PANEL_ROWS = 6


def _item(report: MonthlyReport, status: str, when: Any) -> SafeString:
    local = timezone.localtime(when, company_zone()).strftime("%Y-%m-%d") if when else ""
    return format_html(
        '<a class="fw-semibold" href="{}">{} {}</a> <span class="text-muted">{} <span class="text-nowrap">{}</span></span>',
        reverse("reports:monthly_detail", args=[report.pk]),
        report.department.name,
        report.period,
        status,
        local,
    )


def _rows(reports: QuerySet[MonthlyReport], more_url: str, at: str) -> panels.Rows:
    found = list(reports[:PANEL_ROWS])
    count = len(found) if len(found) < PANEL_ROWS else reports.count()
    status = {value: str(label) for value, label in ReportStatus.choices}
    return panels.Rows([_item(r, status[r.status], getattr(r, at)) for r in found], count, more_url)


def review_queue_panel(user: Actor, shared: dict[str, Any]) -> panels.Rows | None:
    """The deputy GM's queue (or the GM's, in his place): exactly what the review queue page lists."""
    if not selectors.reviews_monthly(user):
        return None
    return _rows(selectors.review_queue(user), reverse("reports:review_queue"), "submitted_at")


def reviewed_panel(user: Actor, shared: dict[str, Any]) -> panels.Rows:
    """The latest reviewed reports in the user's scope (the auditor's home page)."""
    reviewed = (
        selectors.monthly_reports_for(user)
        .filter(status=ReportStatus.REVIEWED)
        .order_by("-reviewed_at", "-pk")
    )
    return _rows(reviewed, f"{reverse('reports:monthly_list')}?status={ReportStatus.REVIEWED}", "reviewed_at")


def register_panels() -> None:
    """Called from ``registrations.register`` when the app starts."""
    panels.register(
        "review_queue",
        title=gettext_lazy("Monthly reports to review"),
        empty=gettext_lazy("No monthly report is waiting for your review."),
        fill=review_queue_panel,
    )
    panels.register(
        "reports",
        title=gettext_lazy("Reviewed monthly reports"),
        empty=gettext_lazy("No monthly report has been reviewed yet."),
        fill=reviewed_panel,
    )
