"""Display rows of a quarterly analysis or annual summary (stored figures → tables).

The monthly report's rows are in ``monthly``; the formats both use in ``formats``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from estatedesk.reports import measures, stats
from estatedesk.reports.figures import month_bounds
from estatedesk.reports.presenters.formats import (
    CAUSE_NAMES,
    DASH,
    HeadlineRow,
    breakdown_rows,
    category_names,
    change_text,
    count_text,
    department_names,
    estate_names,
    month_label,
    name_of,
    pareto_rows,
    points_text,
    rate_text,
    rate_value,
)
from estatedesk.reports.snapshots import PeriodReport
from estatedesk.surveys import annual as annual_surveys
from estatedesk.surveys import annual_review

__all__ = ["ByMonthRow", "MeasureRow", "period_view"]

# The headline counts of a quarter or a year, in the order the report lists them.
PERIOD_COUNTS = ("received", "valid", "invalid", "undecided", "grievances", "enquiries", "reopened")


@dataclass(frozen=True)
class MeasureRow:
    """One line of a period table (a month, a department): counts and rate texts."""

    key: str
    name: str
    received: int
    valid: int
    invalid: int
    undecided: int
    reopened: int
    on_time: str
    follow_up_coverage: str
    follow_up_satisfaction: str
    on_time_value: float | None  # percent, for charts
    satisfaction_value: float | None
    # False for a month of a year still in progress that has not begun: charts leave a gap
    # there rather than draw a fall to zero.
    begun: bool = True

    @property
    def received_so_far(self) -> int | None:
        return self.received if self.begun else None

    @property
    def valid_so_far(self) -> int | None:
        return self.valid if self.begun else None


def _measure_row(key: str, name: str, counts: Mapping[str, int]) -> MeasureRow:
    rates = measures.rates(counts)
    return MeasureRow(
        key=key,
        name=name,
        received=counts.get("received", 0),
        valid=counts.get("valid", 0),
        invalid=counts.get("invalid", 0),
        undecided=counts.get("undecided", 0),
        reopened=counts.get("reopened", 0),
        on_time=rate_text(rates["on_time"]),
        follow_up_coverage=rate_text(rates["follow_up_coverage"]),
        follow_up_satisfaction=rate_text(rates["follow_up_satisfaction"]),
        on_time_value=rate_value(rates["on_time"]),
        satisfaction_value=rate_value(rates["follow_up_satisfaction"]),
    )


@dataclass(frozen=True)
class ByMonthRow:
    """A name with its complaints per month of the period and in total."""

    key: str
    name: str
    counts: tuple[int, ...]
    total: int


def _by_month_rows(table: Mapping[str, Sequence[int]], names: Mapping[Any, Any]) -> list[ByMonthRow]:
    """Largest total first, the catch-all category 其他 last (as on the Pareto chart)."""
    rows = [ByMonthRow(str(k), name_of(names, k), tuple(v), sum(v)) for k, v in table.items()]
    return sorted(rows, key=lambda r: (r.key == stats.OTHER_KEY, -r.total, r.name))


def period_view(
    figures_json: Mapping[str, Any], *, months: Sequence[Sequence[int]] | None = None
) -> dict[str, Any]:
    """The quarterly analysis / annual summary figures for display.

    ``figures_json`` is the stored ``{"current": snapshot, "previous_totals": {...}, ...}``
    (a bare PeriodFigures snapshot also works); ``months`` labels the columns and defaults
    to the snapshot's own months.

    Keys: months (labels), figures (the current ``PeriodSnapshot``), previous_totals,
    headline (HeadlineRow; last_year / last_year_change are "" — a period compares with the
    previous period only), by_month / by_department (MeasureRow), department_by_month /
    category_by_month / estate_by_month (ByMonthRow), by_cause (BreakdownRow),
    category_pareto / cause_pareto (ParetoLine), and actions / monthly_reports / surveys
    passed through from the annual figures (None when absent), with survey_figures: the
    stored survey counts rebuilt as figures and words (``surveys.annual.AnnualFigures``).
    """
    stored = PeriodReport.from_json(figures_json)
    current = stored.current
    previous_totals = stored.previous_totals
    month_keys = [(int(m[0]), int(m[1])) for m in months] if months is not None else list(current.months)
    labels = [month_label(y, m) for y, m in month_keys]
    totals = current.totals
    categories = category_names(current.category_by_month)
    estates = estate_names(current.estate_by_month)
    departments = department_names([*current.by_department, *current.department_by_month])

    headline = []
    for name in PERIOD_COUNTS:
        now = totals.get(name)
        before = previous_totals.get(name) if previous_totals is not None else None
        headline.append(
            HeadlineRow(
                str(measures.LABELS[name]),
                count_text(now),
                count_text(before),
                change_text(now, before),
                "",
                "",
            )
        )
    for rate in measures.RATES:
        now_rate = rate.of(totals)
        before_rate = rate.of(previous_totals) if previous_totals is not None else None
        headline.append(
            HeadlineRow(
                str(rate.label),
                rate_text(now_rate),
                rate_text(before_rate) if before_rate is not None else DASH,
                points_text(now_rate, before_rate),
                "",
                "",
            )
        )

    moment = timezone.now()
    by_month = [
        dataclasses.replace(_measure_row(f"{y}-{m}", label, counts), begun=month_bounds(y, m)[0] <= moment)
        for (y, m), label, counts in zip(month_keys, labels, current.by_month, strict=False)
    ]
    department_rows = sorted(
        (_measure_row(str(k), name_of(departments, k), v) for k, v in current.by_department.items()),
        key=lambda r: (-r.received, r.name),
    )
    return {
        "months": labels,
        "figures": current,
        "previous_totals": previous_totals,
        "headline": headline,
        "by_month": by_month,
        "by_department": department_rows,
        "department_by_month": _by_month_rows(current.department_by_month, departments),
        "category_by_month": _by_month_rows(current.category_by_month, categories),
        "estate_by_month": _by_month_rows(current.estate_by_month, estates),
        "by_cause": breakdown_rows(current.by_cause, CAUSE_NAMES),
        "category_pareto": pareto_rows(current.category_pareto, categories),
        "cause_pareto": pareto_rows(current.cause_pareto, CAUSE_NAMES),
        "actions": stored.actions,
        "monthly_reports": stored.monthly_reports,
        "surveys": stored.surveys,
        "survey_figures": annual_surveys.from_json(stored.surveys),
        # The monthly consultations, half-years, forums and decided suggestions of the year
        # (S-4 … S-9, I-2); None when the year had none of them.
        "survey_review": annual_review.from_json(stored.review),
    }
