"""The "reports" panel of the home page (SPEC A-1, K-14): monthly reports for the leadership.

The deputy GM and the GM see the submitted reports waiting for their review, oldest first;
anyone else with the panel (the auditor) sees the latest reviewed ones. Both read through the
scoped selectors, so the panel never shows what the report list would not.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
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
        '<a class="fw-semibold" href="{}">{} {}</a> <span class="text-muted">{} {}</span>',
        reverse("reports:monthly_detail", args=[report.pk]),
        report.department.name,
        report.period,
        status,
        local,
    )


def _rows(reports: QuerySet[MonthlyReport], more_url: str, at: str) -> list[SafeString]:
    found = list(reports[: PANEL_ROWS + 1])
    status = {value: str(label) for value, label in ReportStatus.choices}
    items = [_item(r, status[r.status], getattr(r, at)) for r in found[:PANEL_ROWS]]
    if len(found) > PANEL_ROWS:
        items.append(
            format_html(
                '<a class="small" href="{}">{} <i class="bi bi-arrow-right" aria-hidden="true"></i></a>',
                more_url,
                _("See all"),
            )
        )
    return items


def reports_panel(user: Actor, shared: dict[str, Any]) -> list[SafeString]:
    if selectors.reviews_monthly(user):
        return _rows(selectors.review_queue(user), reverse("reports:review_queue"), "submitted_at")
    reviewed = (
        selectors.monthly_reports_for(user)
        .filter(status=ReportStatus.REVIEWED)
        .order_by("-reviewed_at", "-pk")
    )
    return _rows(reviewed, f"{reverse('reports:monthly_list')}?status={ReportStatus.REVIEWED}", "reviewed_at")


def register_panels() -> None:
    """Called from ``registrations.register`` when the app starts."""
    panels.register(
        "reports",
        title=gettext_lazy("Monthly reports"),
        empty=gettext_lazy("No monthly report to show yet."),
        fill=reports_panel,
    )
