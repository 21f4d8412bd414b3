"""Source records that live in an app above improvement: the monthly report (SPEC I-1, K-14).

An action may be opened from a monthly report, yet ``improvement`` sits below ``reports`` and
must not import it. So the reports app tells this module, when it starts
(``ReportsConfig.ready``), which monthly reports a user may see and how one is named and
linked; the action's model points at the report by its label (``"reports.MonthlyReport"``).
Until something registers, no report is in anyone's scope and an action cannot come from one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from estatedesk.core.actors import Actor

if TYPE_CHECKING:
    from estatedesk.reports.models import MonthlyReport


@dataclass(frozen=True)
class ReportSource:
    scope: Callable[[Actor], QuerySet[MonthlyReport]]  # the monthly reports the user may see
    name: Callable[[MonthlyReport], str]  # "Management office A 2026-03"
    url: Callable[[MonthlyReport], str]  # the report's page


_REPORTS: list[ReportSource] = []


def register_reports(source: ReportSource) -> None:
    """Called once from ``ReportsConfig.ready``; registering again replaces the first."""
    _REPORTS[:] = [source]


def find_report(user: Actor, pk: int | None) -> MonthlyReport | None:
    """The monthly report with this id if the user may see it; None otherwise (or no id)."""
    if pk is None or not _REPORTS:
        return None
    return _REPORTS[0].scope(user).filter(pk=pk).first()


def report_name(report: MonthlyReport) -> str:
    return _REPORTS[0].name(report) if _REPORTS else str(report)


def report_url(report: MonthlyReport) -> str:
    return _REPORTS[0].url(report) if _REPORTS else ""
