"""Display rows of a quarterly analysis or annual summary (stored figures JSON → tables).

Split from ``presenters`` (monthly reports); the formatting helpers live there."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BreakdownRow",
    "HeadlineRow",
    "ParetoLine",
    "RepeatRow",
    "change_text",
    "duration_text",
    "month_label",
    "monthly_view",
    "pareto_rows",
    "period_view",
    "points_text",
    "rate_text",
]

from django.utils import timezone

from estatedesk.reports.figures import month_bounds
from estatedesk.reports.presenters import (
    _MONTHLY_RATES,
    _PERIOD_COUNTS,
    CAUSE_NAMES,
    DASH,
    BreakdownRow,
    HeadlineRow,
    ParetoLine,
    RepeatRow,
    _name,
    _text,
    breakdown_rows,
    category_names,
    change_text,
    department_names,
    duration_text,
    estate_names,
    month_label,
    monthly_view,
    pareto_rows,
    points_text,
    rate_text,
    rate_value,
)


def _period_rates(counts: Mapping[str, int]) -> dict[str, dict[str, int]]:
    def rate(numerator: str, denominator: str) -> dict[str, int]:
        return {"numerator": counts.get(numerator, 0), "denominator": counts.get(denominator, 0)}

    return {
        "on_time": rate("on_time", "replied"),
        "follow_up_coverage": rate("valid_visited", "valid"),
        "follow_up_satisfaction": rate("satisfied", "answered"),
    }


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
    rates = _period_rates(counts)
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
    rows = [ByMonthRow(str(k), _name(names, k), tuple(v), sum(v)) for k, v in table.items()]
    return sorted(rows, key=lambda r: (-r.total, r.name))


def period_view(
    figures_json: Mapping[str, Any], *, months: Sequence[Sequence[int]] | None = None
) -> dict[str, Any]:
    """The quarterly analysis / annual summary figures for display.

    ``figures_json`` is the stored ``{"current": snapshot, "previous_totals": {...}, ...}``
    (a bare PeriodFigures snapshot also works); ``months`` labels the columns and defaults
    to the snapshot's own months.

    Keys: months (labels), figures (current snapshot), previous_totals, headline
    (HeadlineRow; last_year / last_year_change are "" — a period compares with the
    previous period only), by_month / by_department (MeasureRow), department_by_month /
    category_by_month / estate_by_month (ByMonthRow), by_cause (BreakdownRow),
    category_pareto / cause_pareto (ParetoLine), and actions / monthly_reports / surveys
    passed through from the annual figures (None when absent).
    """
    current: Mapping[str, Any] = figures_json.get("current", figures_json) if figures_json else {}
    previous_totals: Mapping[str, int] | None = figures_json.get("previous_totals") if figures_json else None
    month_keys = [tuple(m) for m in (months if months is not None else current.get("months") or ())]
    labels = [month_label(int(y), int(m)) for y, m in month_keys]
    totals: Mapping[str, int] = current.get("totals") or {}

    category_by_month: Mapping[str, Sequence[int]] = current.get("category_by_month") or {}
    estate_by_month: Mapping[str, Sequence[int]] = current.get("estate_by_month") or {}
    by_department: Mapping[str, Mapping[str, int]] = current.get("by_department") or {}
    department_by_month: Mapping[str, Sequence[int]] = current.get("department_by_month") or {}
    categories = category_names(category_by_month)
    estates = estate_names(estate_by_month)
    departments = department_names([*by_department, *department_by_month])

    headline = []
    for name, label in _PERIOD_COUNTS:
        now = totals.get(name)
        before = previous_totals.get(name) if previous_totals is not None else None
        headline.append(HeadlineRow(str(label), _text(now), _text(before), change_text(now, before), "", ""))
    now_rates = _period_rates(totals)
    before_rates = _period_rates(previous_totals) if previous_totals is not None else None
    for name, label in _MONTHLY_RATES:
        before_rate = before_rates[name] if before_rates is not None else None
        headline.append(
            HeadlineRow(
                str(label),
                rate_text(now_rates[name]),
                rate_text(before_rate) if before_rate is not None else DASH,
                points_text(now_rates[name], before_rate),
                "",
                "",
            )
        )

    moment = timezone.now()
    by_month = [
        dataclasses.replace(
            _measure_row(f"{y}-{m}", label, counts), begun=month_bounds(int(y), int(m))[0] <= moment
        )
        for (y, m), label, counts in zip(month_keys, labels, current.get("by_month") or (), strict=False)
    ]
    department_rows = sorted(
        (_measure_row(str(k), _name(departments, k), v) for k, v in by_department.items()),
        key=lambda r: (-r.received, r.name),
    )
    return {
        "months": labels,
        "figures": current,
        "previous_totals": previous_totals,
        "headline": headline,
        "by_month": by_month,
        "by_department": department_rows,
        "department_by_month": _by_month_rows(department_by_month, departments),
        "category_by_month": _by_month_rows(category_by_month, categories),
        "estate_by_month": _by_month_rows(estate_by_month, estates),
        "by_cause": breakdown_rows(current.get("by_cause") or {}, CAUSE_NAMES),
        "category_pareto": pareto_rows(current.get("category_pareto") or (), categories),
        "cause_pareto": pareto_rows(current.get("cause_pareto") or (), CAUSE_NAMES),
        "actions": figures_json.get("actions") if figures_json else None,
        "monthly_reports": figures_json.get("monthly_reports") if figures_json else None,
        "surveys": figures_json.get("surveys") if figures_json else None,
    }
