"""The staff dashboard page (SPEC A-1): figures from ``reports.dashboard``, texts and charts here.

Every number links to the list that shows the same records where there is one; every chart
has a table of the same numbers under it (screen readers, and people who prefer reading).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from estatedesk.complaints.deadlines import DueState
from estatedesk.complaints.models import Kind, Status
from estatedesk.reports import echarts, stats
from estatedesk.reports.dashboard import Dashboard, DepartmentRow, Figure, Trend, dashboard_for
from estatedesk.reports.models import ReportStatus
from estatedesk.reports.presenters import DASH, month_label, rate_text
from estatedesk.surveys import annual as annual_surveys
from estatedesk.surveys import consultation_summary
from estatedesk.surveys import echarts as survey_echarts
from estatedesk.surveys.figures import one_decimal
from estatedesk.surveys.wording import interval_text, percent_text

FIGURE_LABELS = {
    "received": gettext_lazy("Complaints received"),
    "valid": gettext_lazy("Valid complaints"),
    "on_time": gettext_lazy("On-time reply rate"),
    "satisfaction": gettext_lazy("Follow-up satisfaction"),
    "reopened": gettext_lazy("Reopened complaints"),
}
MINUS = "\u2212"


# --- formats -------------------------------------------------------------------------------


def _rate(rate: stats.Rate) -> str:
    return rate_text(rate)


def _percent(rate: stats.Rate) -> float | None:
    return None if rate.value is None else round(100 * rate.value, 1)


def _signed(value: float, text: str) -> str:
    return f"+{text}" if value > 0 else f"{MINUS}{text}" if value < 0 else text


def _value(value: int | stats.Rate) -> str:
    return _rate(value) if isinstance(value, stats.Rate) else str(value)


def _change(change: stats.CountChange | stats.RateChange) -> str:
    """+3 (+12.5%) for counts; +2.5 pp for rates; "—" when there is nothing to compare."""
    if isinstance(change, stats.RateChange):
        points = change.points
        if points is None:
            return DASH
        rounded = round(points, 1)
        return _("%(points)s pp") % {"points": _signed(rounded, f"{abs(rounded):.1f}")}
    text = _signed(change.delta, str(abs(change.delta)))
    if change.relative is not None and change.delta:
        text += f" ({_signed(change.relative, f'{abs(100 * change.relative):.1f}%')})"
    return text


def _trend_class(change: stats.CountChange | stats.RateChange, higher_is_better: bool | None) -> str:
    """Green when the change is good news, red when bad; counts of work are neither."""
    delta = change.points if isinstance(change, stats.RateChange) else change.delta
    if not delta or higher_is_better is None:
        return "text-muted"
    return "text-success" if (delta > 0) == higher_is_better else "text-danger"


def _url(name: str, query: dict[str, Any] | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _list(**query: Any) -> str:
    return _url("complaints:list", {k: v for k, v in query.items() if v not in (None, "")})


# --- sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    label: str
    count: int
    url: str
    tone: str  # Bootstrap contextual colour of the card border
    hint: str = ""


def _open_tiles(board: Dashboard) -> list[Tile]:
    work = board.open_work
    tiles = [
        Tile(
            pgettext("complaints not closed", "Open"),
            work.total,
            _list(),
            "primary",
            _("Records of every kind not yet closed"),
        ),
        Tile(
            _("Due soon"), work.due_soon, _list(due=DueState.DUE_SOON), "warning", _("Reply deadline close")
        ),
        Tile(_("Overdue"), work.overdue, _list(due=DueState.OVERDUE), "danger", _("Reply deadline passed")),
    ]
    if work.mine is not None:
        tiles.append(
            Tile(
                _("Assigned to me"),
                work.mine,
                _url("complaints:mine"),
                "info",
                _("Open records you are the handler of"),
            )
        )
    return tiles


def _status_rows(board: Dashboard) -> list[tuple[str, int, str]]:
    labels = dict(Status.choices)
    return [(str(labels[s]), n, _list(status=s)) for s, n in board.open_work.by_status.items()]


def _extras(board: Dashboard) -> list[Tile]:
    tiles = []
    if board.review_queue is not None:
        tiles.append(
            Tile(
                _("Monthly reports to review"),
                board.review_queue,
                _url("reports:review_queue"),
                "warning" if board.review_queue else "secondary",
            )
        )
    if board.overdue_actions is not None:
        count = board.overdue_actions["count"]
        tiles.append(
            Tile(
                _("Overdue corrective actions"),
                count,
                board.overdue_actions["url"],
                "danger" if count else "secondary",
                _("A step is past its due date"),
            )
        )
    return tiles


def _drafts(board: Dashboard) -> list[tuple[str, str]] | None:
    if board.drafts_awaiting is None:
        return None
    return [
        (
            _("%(department)s, %(month)s")
            % {"department": report.department.name, "month": month_label(report.year, report.month)},
            reverse("reports:monthly_detail", args=[report.pk]),
        )
        for report in board.drafts_awaiting
    ]


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _figure_rows(board: Dashboard) -> list[dict[str, Any]]:
    trend = board.trend
    if trend is None:
        return []
    better = {"received": None, "valid": False, "on_time": True, "satisfaction": True, "reopened": False}
    this_from, to = _day(trend.month_start).isoformat(), _day(trend.now).isoformat()
    last_from = _day(trend.same_days_start).isoformat()
    last_to = (_day(trend.month_start) - timedelta(days=1)).isoformat()
    links = {
        "received": (
            _list(kind=Kind.COMPLAINT, **{"from": this_from, "to": to}),
            _list(kind=Kind.COMPLAINT, **{"from": last_from, "to": last_to}),
        ),
        "valid": (
            _list(kind=Kind.COMPLAINT, validity="valid", **{"from": this_from, "to": to}),
            _list(kind=Kind.COMPLAINT, validity="valid", **{"from": last_from, "to": last_to}),
        ),
    }
    rows = []
    figure: Figure
    for figure in board.figures:
        current_url, last_url = links.get(figure.name, ("", ""))
        rows.append(
            {
                "label": FIGURE_LABELS[figure.name],
                "current": _value(figure.current),
                "current_url": current_url,
                "same_days": _value(figure.same_days),
                "vs_same_days": _change(figure.vs_same_days),
                "vs_same_days_class": _trend_class(figure.vs_same_days, better[figure.name]),
                "last_month": _value(figure.last_month),
                "last_month_url": last_url,
                "vs_last_month": _change(figure.vs_last_month),
                "vs_last_month_class": _trend_class(figure.vs_last_month, better[figure.name]),
            }
        )
    return rows


def _periods(trend: Trend) -> dict[str, str]:
    now = timezone.localtime(trend.now)
    cut = timezone.localtime(trend.same_days_end)
    return {
        "this_month": f"{_day(trend.month_start):%Y-%m-%d} – {now:%Y-%m-%d %H:%M}",
        "same_days": f"{_day(trend.same_days_start):%Y-%m-%d} – {cut:%Y-%m-%d %H:%M}",
        "last_month": f"{_day(trend.same_days_start):%Y-%m-%d} – "
        f"{_day(trend.month_start) - timedelta(days=1):%Y-%m-%d}",
    }


def _one_line_legend(option: dict[str, Any]) -> dict[str, Any]:
    """Six category names wrap onto the plot on a phone; a scrolling legend stays on one line."""
    option["legend"]["type"] = "scroll"
    return option


def _charts(trend: Trend) -> dict[str, Any]:
    labels = [month_label(y, m) for y, m in trend.months]
    received = [m["received"] for m in trend.by_month]
    valid = [m["valid"] for m in trend.by_month]
    on_time = [trend.on_time(m) for m in trend.by_month]
    satisfaction = [trend.satisfaction(m) for m in trend.by_month]
    received_name, valid_name = str(FIGURE_LABELS["received"]), str(FIGURE_LABELS["valid"])
    on_time_name, satisfaction_name = _("On-time replies %"), _("Satisfied %")
    category_series: dict[str, Sequence[int]] = {name: counts for _code, name, counts in trend.categories}
    if any(trend.other_categories):
        category_series[_("Other categories")] = trend.other_categories
    return {
        "volume": echarts.bars(labels, {received_name: received, valid_name: valid}),
        "volume_rows": list(zip(labels, received, valid, strict=True)),
        "rates": echarts.lines(
            labels,
            {
                on_time_name: [_percent(r) for r in on_time],
                satisfaction_name: [_percent(r) for r in satisfaction],
            },
            percent=True,
        ),
        "rates_rows": [
            (label, _rate(a), _rate(b)) for label, a, b in zip(labels, on_time, satisfaction, strict=True)
        ],
        "categories": _one_line_legend(echarts.bars(labels, category_series, stacked=True))
        if category_series
        else None,
        "category_names": list(category_series),
        "category_rows": [
            (label, [category_series[name][i] for name in category_series]) for i, label in enumerate(labels)
        ],
    }


def _department_rows(rows: list[DepartmentRow] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    return [
        {
            "name": row.name or _("No department"),
            "url": _list(department=row.department_id) if row.department_id else "",
            "received": row.received,
            "on_time": _rate(row.on_time),
            "open": row.open,
            "overdue": row.overdue,
            "overdue_url": _list(department=row.department_id, due=DueState.OVERDUE)
            if row.department_id
            else "",
        }
        for row in rows
    ]


def _survey_trend(years: list[annual_surveys.YearFigure]) -> dict[str, Any]:
    """The overall satisfaction per annual survey year (S-7): adjusted (the one that counts
    against the target) and raw, the latest survey's target dashed."""
    target = years[-1].overall.target
    return {
        "chart": survey_echarts.trend_chart(
            [str(y.year) for y in years],
            {
                _("Satisfaction rate (adjusted)"): [y.overall.adjusted for y in years],
                _("Satisfaction rate (raw)"): [y.overall.raw for y in years],
            },
            target=target,
            target_name=_("Target"),
        ),
        "years": years,
    }


def _consultation_chart(found: consultation_summary.Board, labels: list[str]) -> dict[str, Any]:
    """One line per estate: the pooled satisfaction rate of its consultations per month (a
    month without answers is a gap, not a zero)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [e.name for e in found.estates], "top": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 44, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": e.name,
                "type": "line",
                "connectNulls": False,
                "data": [None if p is None else one_decimal(p.adjusted) for p in e.points],
            }
            for e in found.estates
        ],
    }


def _consultations(found: consultation_summary.Board) -> dict[str, Any]:
    """The monthly consultations (S-4, A-1): the chart, its table (rate, n and interval per
    month and estate), the flags of last month and this one, the year's coverage."""
    labels = [month_label(m.year, m.month) for m in found.months]
    return {
        "chart": _consultation_chart(found, labels),
        "labels": labels,
        "estates": [
            {
                "name": e.name,
                "cells": [
                    {
                        "held": held,
                        "rate": percent_text(p.adjusted) if p is not None else "",
                        "n": p.tally.valid if p is not None else 0,
                        "interval": interval_text(p) if p is not None else "",
                        "below": p is not None and p.below_target,
                    }
                    for p, held in zip(e.points, e.held, strict=True)
                ],
                "coverage": percent_text(e.coverage.rate) if e.coverage else DASH,
                "consulted": e.coverage.consulted if e.coverage else 0,
                "occupied": e.coverage.occupied if e.coverage else 0,
                "flags": [(f.kind, text) for f, text in zip(e.flags, e.flag_texts, strict=True)],
            }
            for e in found.estates
        ],
    }


# --- the page ------------------------------------------------------------------------------


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    board = dashboard_for(request.user)
    with timezone.override(board.clock.zone):
        context: dict[str, Any] = {
            "board": board,
            "open_tiles": _open_tiles(board),
            "status_rows": _status_rows(board),
            "extras": _extras(board),
            "drafts": _drafts(board),
            "drafts_url": _url("reports:monthly_list", {"status": ReportStatus.DRAFT}),
            "figure_rows": _figure_rows(board),
            "departments": _department_rows(board.departments),
            "today": board.clock.today,
        }
        if board.survey_trend:
            context["survey_trend"] = _survey_trend(board.survey_trend)
        if board.consultations is not None:
            context["consultations"] = _consultations(board.consultations)
        if board.trend is not None:
            context["periods"] = _periods(board.trend)
            context["charts"] = _charts(board.trend)
            context["this_month_label"] = month_label(*board.trend.months[-1])
        return render(request, "reports/dashboard.html", context)
