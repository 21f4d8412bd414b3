"""What the reports app tells the apps below it when it starts (``ReportsConfig.ready``).

The lower apps never import ``reports``; they keep registries that this module fills:
``improvement.sources`` learns which monthly reports an action may be opened from.
"""

from __future__ import annotations

from django.urls import reverse

from estatedesk.improvement import sources
from estatedesk.reports.models import MonthlyReport
from estatedesk.reports.selectors import monthly_reports_for


def report_name(report: MonthlyReport) -> str:
    """How an action names the monthly report it came from: department and month."""
    return f"{report.department.name} {report.year}-{report.month:02d}"


def report_url(report: MonthlyReport) -> str:
    return reverse("reports:monthly_detail", args=[report.pk])


def register() -> None:
    sources.register_reports(
        sources.ReportSource(scope=monthly_reports_for, name=report_name, url=report_url)
    )
