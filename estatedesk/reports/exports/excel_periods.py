"""Quarterly analysis (K-13) and annual summary / management-review pack (K-15, I-2) as
Excel workbooks: the period sheets on top of the shared builders of ``excel``.

As there, every text goes through ``core.xlsx.write_value``: never a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estatedesk.core import xlsx
from estatedesk.reports import presenters
from estatedesk.reports.charts import PALETTE
from estatedesk.reports.exports import common
from estatedesk.reports.exports.excel import (
    RATES,
    Book,
    by_month_sheet,
    change,
    count_labels,
    heading_lines,
    pareto_sheet,
    person,
    when_text,
)

# --- quarterly and annual ------------------------------------------------------------------

_PERIOD_COUNTS = ("received", "valid", "invalid", "undecided", "grievances", "enquiries", "reopened")


def _period_summary(
    book: Book,
    view: Mapping[str, Any],
    heading: list[str],
    *,
    status: list[tuple[str, str]],
    text_label: str,
    text: str,
) -> tuple[Any, int]:
    ws = book.sheet(_("Summary"))
    row = book.heading(ws, heading)
    totals: Mapping[str, int] = view["figures"].totals
    previous: Mapping[str, int] | None = view["previous_totals"]
    labels = count_labels()
    headers = [
        _("Measure"),
        _("This period"),
        _("Previous period"),
        pgettext("difference between two periods", "Change"),
    ]
    for col, header in enumerate(headers):
        xlsx.write_value(ws, row, col, header, book.header)
    book.filter(ws, row, row + len(_PERIOD_COUNTS) + len(RATES), len(headers))
    r = row + 1
    for name in _PERIOD_COUNTS:
        now = totals.get(name)
        before = previous.get(name) if previous else None
        values = [labels[name], now, before, change(now, before, name)]
        for col, value in enumerate(values):
            xlsx.write_value(
                ws, r, col, value, book.text if col == 0 else book.formats["change" if col == 3 else "int"]
            )
        r += 1
    for name in RATES:
        now_rate = common.period_rate(totals, name)
        before_rate = common.period_rate(previous, name)
        values = [labels[name], now_rate, before_rate, change(now_rate, before_rate, name)]
        for col, value in enumerate(values):
            fmt = book.text if col == 0 else book.formats["points" if col == 3 else "percent"]
            xlsx.write_value(ws, r, col, value, fmt)
        r += 1
    for col, width in enumerate([34, 14, 14, 10]):
        ws.set_column(col, col, width)
    r += 1
    for label, value in status:
        xlsx.write_value(ws, r, 0, label, book.bold)
        xlsx.write_value(ws, r, 1, value)
        r += 1
    r = book.text_block(ws, r + 1, text_label, text)
    return ws, r


def _department_sheet(book: Book, view: Mapping[str, Any], heading: list[str]) -> None:
    ws = book.sheet(_("By department"))
    row = book.heading(ws, heading)
    raw: Mapping[str, Mapping[str, int]] = view["figures"].by_department
    rows = []
    for d in view["by_department"]:
        counts = raw.get(d.key) or {}
        rows.append(
            [
                d.name,
                d.received,
                d.valid,
                d.invalid,
                d.undecided,
                d.reopened,
                *(common.period_rate(counts, name) for name in RATES),
            ]
        )
    labels = count_labels()
    headers = [
        _("Department"),
        labels["received"],
        labels["valid"],
        labels["invalid"],
        labels["undecided"],
        labels["reopened"],
        *(labels[name] for name in RATES),
    ]
    row = book.table(
        ws,
        row,
        headers,
        rows,
        kinds=[None, "int", "int", "int", "int", "int", "percent", "percent", "percent"],
        widths=[26, 10, 10, 10, 10, 10, 12, 12, 12],
    )
    xlsx.write_value(ws, row, 0, _("Complaints received per month"), book.bold)
    book.table(
        ws,
        row + 1,
        [_("Department"), *view["months"], _("Total")],
        [[r.name, *r.counts, r.total] for r in view["department_by_month"]],
        kinds=[None, *(["int"] * (len(view["months"]) + 1))],
    )


def _month_sheet(book: Book, view: Mapping[str, Any], heading: list[str]) -> None:
    ws = book.sheet(_("By month"))
    row = book.heading(ws, heading)
    labels = count_labels()
    by_month: Sequence[Mapping[str, int]] = view["figures"].by_month
    rows = []
    for label, counts in zip(view["months"], by_month, strict=False):
        rows.append(
            [
                label,
                counts.get("received", 0),
                counts.get("valid", 0),
                counts.get("invalid", 0),
                counts.get("undecided", 0),
                counts.get("reopened", 0),
                *(common.period_rate(counts, name) for name in RATES),
            ]
        )
    headers = [
        _("Month"),
        labels["received"],
        labels["valid"],
        labels["invalid"],
        labels["undecided"],
        labels["reopened"],
        *(labels[name] for name in RATES),
    ]
    first = row + 1
    book.table(
        ws,
        row,
        headers,
        rows,
        kinds=[None, "int", "int", "int", "int", "int", "percent", "percent", "percent"],
        widths=[12, 10, 10, 10, 10, 10, 12, 12, 12],
    )
    if not rows:
        return
    last = first + len(rows) - 1
    chart = book.book.add_chart({"type": "line"})
    for i, col in enumerate((1, 2)):
        chart.add_series(
            {
                "name": [ws.name, first - 1, col],
                "categories": [ws.name, first, 0, last, 0],
                "values": [ws.name, first, col, last, col],
                "line": {"color": PALETTE[i], "width": 2},
                "marker": {"type": "circle", "size": 5},
            }
        )
    chart.add_series(
        {
            "name": [ws.name, first - 1, 6],
            "categories": [ws.name, first, 0, last, 0],
            "values": [ws.name, first, 6, last, 6],
            "y2_axis": True,
            "line": {"color": PALETTE[2], "width": 1.5, "dash_type": "dash"},
            "marker": {"type": "square", "size": 4},
        }
    )
    chart.set_title({"name": _("Complaints and on-time replies by month"), "name_font": {"size": 11}})
    chart.set_y_axis({"min": 0})
    chart.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 340})
    ws.insert_chart(last + 2, 0, chart)


def _actions_sheet(
    book: Book, start: Any, end: Any, heading: list[str], summary: Mapping[str, Any] | None
) -> None:
    ws = book.sheet(_("Actions"))
    row = book.heading(ws, heading)
    if summary:
        sources = common.source_names()
        lines = [
            (_("Actions opened"), summary.get("opened")),
            (_("Corrective"), summary.get("corrective")),
            (_("Preventive"), summary.get("preventive")),
            (_("Closed as effective"), summary.get("closed_effective")),
            (_("Still open"), summary.get("still_open")),
            (_("Overdue at year end"), summary.get("overdue_at_end")),
            (_("Found not effective at least once"), summary.get("verified_ineffective_once")),
        ]
        lines += [
            (_("From: %(source)s") % {"source": sources.get(k, k)}, n)
            for k, n in sorted((summary.get("by_source") or {}).items(), key=lambda kv: -kv[1])
        ]
        for label, value in lines:
            xlsx.write_value(ws, row, 0, label, book.bold)
            xlsx.write_value(ws, row, 1, value, book.formats["int"])
            row += 1
        row += 1
    actions = common.action_rows(start, end)
    book.table(
        ws,
        row,
        [
            _("Number"),
            _("Kind"),
            _("Source"),
            _("Title"),
            _("Department"),
            _("Status"),
            _("Opened at"),
            _("Effectiveness"),
        ],
        [
            [a.number, a.kind, a.source, a.title, a.department, a.status, a.opened_at, a.verified]
            for a in actions
        ],
        kinds=[None, None, None, "wrap", None, None, "datetime", None],
        widths=[18, 10, 14, 40, 18, 16, 16, 22],
    )


def _period_sheets(book: Book, view: Mapping[str, Any], heading: list[str]) -> None:
    figures = view["figures"]
    categories = {r.key: r.name for r in view["category_pareto"]}
    causes = {r.key: r.name for r in view["cause_pareto"]}
    _department_sheet(book, view, heading)
    _month_sheet(book, view, heading)
    pareto_sheet(
        book,
        _("By category"),
        figures.category_pareto,
        categories,
        key_label=_("Category"),
        title=_("Complaints by category (Pareto)"),
        heading=heading,
    )
    pareto_sheet(
        book,
        _("By cause"),
        figures.cause_pareto,
        causes,
        key_label=_("Cause"),
        title=_("Complaints by cause (Pareto)"),
        heading=heading,
    )
    by_month_sheet(
        book, _("By estate"), view["estate_by_month"], view["months"], key_label=_("Estate"), heading=heading
    )
    by_month_sheet(
        book,
        _("Category by month"),
        view["category_by_month"],
        view["months"],
        key_label=_("Category"),
        heading=heading,
    )


def _period_bounds(view: Mapping[str, Any]) -> tuple[Any, Any]:
    figures = view["figures"]
    return figures.start, figures.end


def quarterly_xlsx(analysis: Any) -> bytes:
    view = presenters.period_view(analysis.figures)
    heading = heading_lines(common.quarterly_title(), common.quarter_label(analysis.year, analysis.quarter))
    book = Book()
    status = [
        (_("Status"), analysis.get_status_display()),
        (_("Published by"), person(analysis.published_by)),
        (_("Published at"), when_text(analysis.published_at)),
        (_("Figures taken at"), when_text(analysis.drafted_at)),
    ]
    _period_summary(book, view, heading, status=status, text_label=_("Analysis"), text=analysis.analysis)
    _period_sheets(book, view, heading)
    if view["figures"].start:
        _actions_sheet(book, *_period_bounds(view), heading, None)
    return book.close()


def annual_xlsx(summary: Any) -> bytes:
    view = presenters.period_view(summary.figures)
    heading = heading_lines(common.annual_title(), common.year_label(summary.year))
    book = Book()
    status = [
        (_("Status"), summary.get_status_display()),
        (_("Issued by"), person(summary.published_by)),
        (_("Issued at"), when_text(summary.published_at)),
        (_("Figures taken at"), when_text(summary.drafted_at)),
    ]
    ws, row = _period_summary(
        book,
        view,
        heading,
        status=status,
        text_label=_("Summary by the deputy general manager"),
        text=summary.summary,
    )
    reports = view["monthly_reports"] or {}
    if reports:
        xlsx.write_value(ws, row, 0, _("Monthly report discipline"), book.bold)
        for i, (label, key) in enumerate(
            (
                (_("Monthly reports drafted"), "drafted"),
                (_("Submitted by the department head"), "submitted"),
                (_("Reviewed by the deputy general manager"), "reviewed"),
                (_("Reviews that opened actions"), "decided_actions"),
            ),
            start=row + 1,
        ):
            xlsx.write_value(ws, i, 0, label)
            xlsx.write_value(ws, i, 1, reports.get(key), book.formats["int"])
        row += 6
    if view["survey_figures"] is None:
        xlsx.write_value(ws, row, 0, _survey_note(summary.year), book.bold)
    _period_sheets(book, view, heading)
    if view["survey_figures"] is not None:
        _survey_sheet(book, view["survey_figures"], heading)
    if view["survey_review"] is not None:
        _survey_review_sheet(book, view["survey_review"], heading)
    if view["figures"].start:
        _actions_sheet(book, *_period_bounds(view), heading, view["actions"])
    return book.close()


def _survey_review_sheet(book: Book, found: Any, heading: list[str]) -> None:
    """The year's monthly consultations per estate (held, months missed, coverage, pooled rate
    with n and interval), then the half-years signed off, the forums and the suggestions
    decided (S-4 … S-9, I-2): only the parts the year has."""
    ws = book.sheet(_("Consultations and reviews"))
    row = book.heading(ws, heading)
    if found.consultations is not None:
        xlsx.write_value(ws, row, 0, _("Monthly consultations of owners"), book.bold)
        row = book.table(
            ws,
            row + 1,
            [
                _("Estate"),
                _("Consultations held"),
                _("Months missed"),
                _("Households consulted"),
                _("Occupied households"),
                _("Valid answers"),
                _("Satisfaction rate, adjusted (%)"),
                _("95% interval, low (%)"),
                _("95% interval, high (%)"),
            ],
            [
                [
                    e.name,
                    e.held,
                    e.missed_text,
                    e.coverage.consulted,
                    e.coverage.occupied,
                    e.line.valid if e.line else 0,
                    e.line.adjusted if e.line else None,
                    e.line.ci_low if e.line else None,
                    e.line.ci_high if e.line else None,
                ]
                for e in found.consultations.estates
            ],
            kinds=[None, "int", None, "int", "int", "int", "decimal", "decimal", "decimal"],
            widths=[18, 12, 18, 12, 12, 10, 12, 12, 12],
        )
    facts: list[tuple[str, Any]] = []
    if found.half_years:
        facts.append((_("Half-year statistics signed off"), found.half_years["signed_off"]))
        below = "、".join(f"{label} ({n})" for label, n in found.half_years["below_target"])
        if below:
            facts.append((_("Categories below target"), below))
    if found.forums:
        facts += [
            (_("Owners' forums held"), found.forums["held"]),
            (_("Opinions recorded"), found.forums["opinions"]),
            (_("Follow-ups open"), found.forums["open"]),
            (_("Follow-ups overdue"), found.forums["overdue"]),
        ]
    if found.suggestions:
        facts += [
            (_("Suggestions accepted"), found.suggestions["accepted"]),
            (_("Suggestions declined"), found.suggestions["declined"]),
        ]
    for i, (label, value) in enumerate(facts, start=row):
        xlsx.write_value(ws, i, 0, label, book.bold)
        xlsx.write_value(ws, i, 1, value)


def _survey_note(year: int) -> str:
    # The same message as the pack's page and print view (their {% blocktranslate %}).
    return _("No annual satisfaction survey was closed for %(year)s.") % {"year": year}


def _survey_sheet(book: Book, found: Any, heading: list[str]) -> None:
    """The year's annual satisfaction survey (S-7, I-2): the overall figure, then per category
    and estate, every rate with n, interval, return rate, shortfall, penalty, adjusted, target
    and the rule in words (``surveys.wording``, as on the survey's own pages)."""
    ws = book.sheet(_("Satisfaction survey"))
    row = book.heading(ws, [*heading, f"{found.number} {found.title}"])
    headers = [
        _("Breakdown"),
        _("Name"),
        _("Valid answers"),
        _("Satisfaction rate, raw (%)"),
        _("95% interval, low (%)"),
        _("95% interval, high (%)"),
        _("Distributed"),
        _("Returned"),
        _("Return rate (%)"),
        _("Points short of the return-rate threshold"),
        _("Penalty (points)"),
        _("Satisfaction rate, adjusted (%)"),
        _("Target (%)"),
        _("Below target"),
        _("Return-rate rule"),
    ]
    groups = [
        (_("Overall figures"), [found.overall]),
        (_("Category"), found.categories),
        (_("Estate"), found.estates),
    ]
    rows = [
        [
            group,
            line.label,
            line.valid,
            line.raw,
            line.ci_low,
            line.ci_high,
            line.distributed,
            line.returned,
            line.return_rate,
            line.shortfall,
            line.penalty,
            line.adjusted,
            line.target,
            _("Yes") if line.below_target else _("No"),
            line.reason,
        ]
        for group, lines in groups
        for line in lines
    ]
    book.table(ws, row, headers, rows, kinds=[*([None] * 14), "wrap"], widths=[12, 24, *([11] * 12), 60])
