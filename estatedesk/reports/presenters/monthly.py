"""The monthly report's figures turned into the rows a page, a PDF or a workbook prints.

The figures of a report are frozen JSON holding ids and codes (``services.snapshot``), read
through the typed ``snapshots``; names are looked up at display time. Everything returned is
plain text, numbers and URLs, so the HTML page, the print/PDF template and the Excel export
all show the same thing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from estatedesk.complaints.models import Satisfaction
from estatedesk.reports import measures
from estatedesk.reports.figures import month_headline, previous_month, same_month_last_year
from estatedesk.reports.models import MonthlyReport, ReportStatus
from estatedesk.reports.presenters.formats import (
    CAUSE_NAMES,
    DASH,
    BreakdownRow,
    HeadlineRow,
    breakdown_rows,
    category_names,
    change_text,
    channel_names,
    count_text,
    duration_text,
    estate_names,
    hours_change_text,
    month_label,
    pareto_rows,
    points_text,
    rate_text,
    repeat_rows,
    share_text,
)
from estatedesk.reports.snapshots import MonthSnapshot
from estatedesk.surveys import consultation_summary

__all__ = ["comparison_figures", "monthly_headline", "monthly_view"]

# The headline counts of a month, in the order the report lists them.
MONTHLY_COUNTS = (
    "received",
    "valid",
    "invalid",
    "undecided",
    "grievances",
    "enquiries",
    "reopened",
    "open_at_end",
    "repeat_complainants",
)


def monthly_headline(
    current: MonthSnapshot, previous: MonthSnapshot | None, last_year: MonthSnapshot | None
) -> list[HeadlineRow]:
    rows = []
    for name in MONTHLY_COUNTS:
        now = current.count(name)
        before = previous.count(name) if previous is not None else None
        then = last_year.count(name) if last_year is not None else None
        rows.append(
            HeadlineRow(
                str(measures.LABELS[name]),
                count_text(now),
                count_text(before),
                change_text(now, before),
                count_text(then),
                change_text(now, then),
            )
        )
    for rate in measures.RATES:
        now_rate = current.rate(rate.name)
        before_rate = previous.rate(rate.name) if previous is not None else None
        then_rate = last_year.rate(rate.name) if last_year is not None else None
        rows.append(
            HeadlineRow(
                str(rate.label),
                rate_text(now_rate),
                rate_text(before_rate) if previous is not None else DASH,
                points_text(now_rate, before_rate),
                rate_text(then_rate) if last_year is not None else DASH,
                points_text(now_rate, then_rate),
            )
        )
    for name in ("median", "p90"):
        now_s = getattr(current.reply_times, name)
        before_s = getattr(previous.reply_times, name) if previous is not None else None
        then_s = getattr(last_year.reply_times, name) if last_year is not None else None
        rows.append(
            HeadlineRow(
                str(measures.LABELS[name]),
                duration_text(now_s),
                duration_text(before_s),
                hours_change_text(now_s, before_s),
                duration_text(then_s),
                hours_change_text(now_s, then_s),
            )
        )
    return rows


def comparison_figures(report: Any) -> tuple[MonthSnapshot, MonthSnapshot]:
    """The previous month and the same month last year: a submitted report's frozen figures
    when there is one (what the head signed), else computed live."""
    wanted = [previous_month(report.year, report.month), same_month_last_year(report.year, report.month)]
    stored = {
        (r.year, r.month): r.figures
        for r in MonthlyReport.objects.filter(department_id=report.department_id)
        .exclude(status=ReportStatus.DRAFT)
        .filter(Q(year=wanted[0][0], month=wanted[0][1]) | Q(year=wanted[1][0], month=wanted[1][1]))
        .only("year", "month", "figures")
    }
    found = []
    for year, month in wanted:
        figures = stored.get((year, month))
        if figures is not None:
            found.append(MonthSnapshot.from_json(figures, repeat_limit=0))  # only how many
            continue
        # Only what the headline compares: no breakdowns, no repeat complainants' rows.
        headline = month_headline(department_id=report.department_id, year=year, month=month)
        found.append(MonthSnapshot.from_headline(headline))
    return found[0], found[1]


def monthly_view(report: Any, *, figures: Any = None, repeat_limit: int | None = None) -> dict[str, Any]:
    """Everything a monthly report shows, from its stored figures (or ``figures``: the live
    ones as JSON, for comparing a submitted report with the records as they are now).

    Keys: period, department, year, month, figures (the ``MonthSnapshot``), headline
    (HeadlineRow), previous_period, last_year_period, validity / by_category / by_cause /
    by_channel / by_estate (BreakdownRow), on_time, follow_up_coverage, follow_up_satisfaction
    (rate texts), reply_median, reply_p90, reply_count, satisfaction (BreakdownRow by answer),
    reopened, repeat_complainants (RepeatRow; the first ``repeat_limit`` when given),
    repeat_total, open_at_end, open_from_earlier,
    category_pareto / cause_pareto (ParetoLine).
    """
    data = MonthSnapshot.from_json(
        figures if figures is not None else report.figures, repeat_limit=repeat_limit
    )
    previous, last_year = comparison_figures(report)
    categories = category_names([*data.by_category, *(r.key for r in data.category_pareto)])
    estates = estate_names(data.by_estate)
    validity = {"valid": data.valid, "invalid": data.invalid, "undecided": data.undecided}
    validity_names = {"valid": _("Valid"), "invalid": _("Invalid"), "undecided": _("Not yet assessed")}
    # Validity keeps its fixed order rather than largest first.
    validity_total = sum(validity.values())
    validity_rows = [
        BreakdownRow(k, str(validity_names[k]), n, share_text(n, validity_total)) for k, n in validity.items()
    ]
    return {
        "period": month_label(report.year, report.month),
        "department": report.department.name,
        "year": report.year,
        "month": report.month,
        "figures": data,
        "previous_period": month_label(*previous_month(report.year, report.month)),
        "last_year_period": month_label(*same_month_last_year(report.year, report.month)),
        "headline": monthly_headline(data, previous, last_year),
        "validity": validity_rows,
        "by_category": breakdown_rows(data.by_category, categories),
        "by_cause": breakdown_rows(data.by_cause, CAUSE_NAMES),
        "by_channel": breakdown_rows(data.by_channel, channel_names()),
        "by_estate": breakdown_rows(data.by_estate, estates),
        "on_time": rate_text(data.rate("on_time")),
        "follow_up_coverage": rate_text(data.rate("follow_up_coverage")),
        "follow_up_satisfaction": rate_text(data.rate("follow_up_satisfaction")),
        "reply_count": data.reply_times.count,
        "reply_median": duration_text(data.reply_times.median),
        "reply_p90": duration_text(data.reply_times.p90),
        "satisfaction": breakdown_rows(data.satisfaction_counts, dict(Satisfaction.choices)),
        "reopened": data.reopened,
        # The page lists the ``repeat_limit`` with the most complaints (first in the stored
        # order) unless asked for all; the count, the print and the workbook have them all.
        "repeat_complainants": repeat_rows(data.repeat_complainants),
        "repeat_total": data.count("repeat_complainants"),
        "open_at_end": data.open_at_end,
        "open_from_earlier": data.open_from_earlier,
        "category_pareto": pareto_rows(data.category_pareto, categories),
        "cause_pareto": pareto_rows(data.cause_pareto, CAUSE_NAMES),
        # The estate's monthly consultations (S-4, K-14); None: not a management office.
        "consultations": consultation_summary.month_from_json(data.consultations),
    }
