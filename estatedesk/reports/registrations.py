"""What the reports app tells the apps below it when it starts (``ReportsConfig.ready``).

The lower apps never import ``reports``; they keep registries that this module fills:
``improvement.sources`` learns which monthly reports an action may be opened from,
``core.flowchart`` gets the reports' flowcharts for the help page, and ``core.panels`` the
home page's "reports" panel.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estatedesk.core import flowchart
from estatedesk.improvement import sources
from estatedesk.reports import home_panels
from estatedesk.reports.models import MonthlyReport
from estatedesk.reports.selectors import monthly_reports_for
from estatedesk.reports.workflow import ANNUAL, MONTHLY, QUARTERLY


def report_name(report: MonthlyReport) -> str:
    """How an action names the monthly report it came from: department and month."""
    return f"{report.department.name} {report.period}"


def report_url(report: MonthlyReport) -> str:
    return reverse("reports:monthly_detail", args=[report.pk])


def register() -> None:
    sources.register_reports(
        sources.ReportSource(scope=monthly_reports_for, name=report_name, url=report_url)
    )
    flowchart.publish("monthly_report", MONTHLY, title=_("Monthly report flowchart"))
    flowchart.publish("quarterly_analysis", QUARTERLY, title=_("Quarterly analysis flowchart"))
    flowchart.publish("annual_summary", ANNUAL, title=_("Annual summary flowchart"))
    home_panels.register_panels()
