"""Stored report figures (typed snapshots of their JSON) turned into rows a page, a PDF or a
workbook prints: ``monthly`` (the department's month), ``periods`` (the quarter and the
year), and ``formats`` (how a rate, a change, a name or a row is printed, for both).
"""

from __future__ import annotations

from estatedesk.reports.presenters.formats import (
    DASH,
    BreakdownRow,
    ComplaintLink,
    HeadlineRow,
    ParetoLine,
    RepeatRow,
    change_text,
    duration_text,
    hours_change_text,
    month_label,
    pareto_rows,
    points_text,
    rate_text,
    rate_value,
)
from estatedesk.reports.presenters.monthly import comparison_figures, monthly_view
from estatedesk.reports.presenters.periods import ByMonthRow, MeasureRow, period_view

__all__ = [
    "DASH",
    "BreakdownRow",
    "ByMonthRow",
    "ComplaintLink",
    "HeadlineRow",
    "MeasureRow",
    "ParetoLine",
    "RepeatRow",
    "change_text",
    "comparison_figures",
    "duration_text",
    "hours_change_text",
    "month_label",
    "monthly_view",
    "pareto_rows",
    "period_view",
    "points_text",
    "rate_text",
    "rate_value",
]
