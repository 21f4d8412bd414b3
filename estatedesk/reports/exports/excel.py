"""Reports as Excel workbooks with native charts (SPEC A-3, K-12, K-13, K-15, I-2).

One workbook per report, one sheet per table. Numbers are numbers and percentages are
fractions with a % format, so the reader can sort, sum and chart them; the Pareto sheets
carry a native Excel chart (columns plus the cumulative share on a secondary 0–100 % axis)
and the month sheets a native line chart.

Every text cell goes through ``core.xlsx.write_value`` (a string cell, never a formula or a
link, whatever it starts with), and the workbook is opened with ``core.xlsx.WORKBOOK_OPTIONS``:
a complaint, a name or an analysis starting with "=" stays text (CSV/formula injection).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estatedesk.core import xlsx
from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.org.models import Staff
from estatedesk.reports import measures, presenters
from estatedesk.reports.charts import CUMULATIVE, TRIVIAL, VITAL
from estatedesk.reports.exports import common
from estatedesk.reports.snapshots import MonthSnapshot, ParetoEntry

PERCENT = "0.0%"
HOURS = '0.0" h"'
HOURS_CHANGE = '+0.0" h";-0.0" h";0.0" h"'
POINTS = '+0.0" pp";-0.0" pp";0.0" pp"'
CHANGE = "+0;-0;0"


class Book:
    """A workbook with the formats every report uses and helpers that write only through write_value."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsx.new_workbook(self.buffer)
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True})
        self.header = add(
            {"bold": True, "bg_color": "#E9ECEF", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.text = add({"valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.formats = {
            "percent": add({"num_format": PERCENT}),
            "hours": add({"num_format": HOURS}),
            "hours_change": add({"num_format": HOURS_CHANGE}),
            "points": add({"num_format": POINTS}),
            "change": add({"num_format": CHANGE}),
            "int": add({"num_format": "0"}),
            "decimal": add({"num_format": "0.0"}),  # a rate already in percent (92.5)
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
        }
        self._names: set[str] = set()
        self._filtered: set[str] = set()

    def sheet(self, name: str) -> Any:
        """A sheet named in the active language, within Excel's rules (``core.xlsx.sheet_name``)."""
        candidate = xlsx.sheet_name(name, self._names)
        self._names.add(candidate)
        return self.book.add_worksheet(candidate)

    def filter(self, ws: Any, header_row: int, last_row: int, columns: int) -> None:
        """The sheet's first table gets the frozen header and the filter (Excel allows one per sheet)."""
        if ws.name in self._filtered:
            return
        self._filtered.add(ws.name)
        xlsx.filter_table(ws, header_row, last_row, columns)

    def heading(self, ws: Any, lines: Sequence[str]) -> int:
        """Title lines at the top of a sheet; returns the next free row."""
        for row, line in enumerate(lines):
            xlsx.write_value(ws, row, 0, line, self.title if row == 0 else self.bold)
        return len(lines) + 1

    def table(
        self,
        ws: Any,
        row: int,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        kinds: Sequence[str | None] = (),
        widths: Sequence[float] = (),
    ) -> int:
        """A header row and data rows from ``row``; ``kinds`` picks a number format per column."""
        for col, header in enumerate(headers):
            xlsx.write_value(ws, row, col, header, self.header)
        self.filter(ws, row, row + len(rows), len(headers))
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        for r, values in enumerate(rows, start=row + 1):
            for col, value in enumerate(values):
                kind = kinds[col] if col < len(kinds) else None
                if isinstance(value, str):
                    xlsx.write_value(ws, r, col, value, self.wrap if kind == "wrap" else self.text)
                elif kind == "datetime" and value is not None:
                    ws.write_datetime(r, col, local_time(value), self.formats["datetime"])
                else:
                    xlsx.write_value(ws, r, col, value, self.formats.get(kind or ""))
        return row + len(rows) + 2

    def text_block(self, ws: Any, row: int, label: str, text: str) -> int:
        xlsx.write_value(ws, row, 0, label, self.bold)
        if text:
            ws.merge_range(row + 1, 0, row + 1, 5, "", self.wrap)
            xlsx.write_value(ws, row + 1, 0, text, self.wrap)
            ws.set_row(row + 1, min(409, 15 * (text.count("\n") + 2 + len(text) // 70)))
        return row + 3

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def local_time(value: Any) -> Any:
    """Excel has no time zones: write the company's wall-clock time."""
    if timezone.is_aware(value):
        return timezone.localtime(value, company_zone()).replace(tzinfo=None)
    return value


def when_text(value: Any) -> str:
    return local_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


def person(staff: Staff | None) -> str:
    return staff.display_name if staff is not None else ""


def heading_lines(title: str, period: str, department: str = "") -> list[str]:
    lines = [CompanySettings.load().name, title, period]
    if department:
        lines.append(department)
    return [line for line in lines if line]


# --- Pareto and breakdown sheets -------------------------------------------------------------


def pareto_sheet(
    book: Book,
    name: str,
    rows: Sequence[ParetoEntry],
    names: Mapping[str, str],
    *,
    key_label: str,
    title: str,
    heading: Sequence[str],
) -> Any:
    """Largest first ("Other" last) with count, share, cumulative share (the last exactly 100 %), vital few,
    and a native Pareto chart beside the table."""
    ws = book.sheet(name)
    row = book.heading(ws, [*heading, title])
    # The rows stand in stats.pareto order (largest first, "Other" last); sorting again by
    # count would pull "Other" forward.
    ordered = list(rows)
    data = []
    for r in ordered:
        total = r.total or 1
        cumulative = 1.0 if r is ordered[-1] else r.cumulative_count / total
        data.append(
            [
                names.get(r.key, r.key),
                r.count,
                r.count / total,
                r.cumulative_count,
                cumulative,
                _("Yes") if r.vital else "",
            ]
        )
    headers = [
        key_label,
        _("Complaints"),
        _("Share"),
        _("Cumulative count"),
        _("Cumulative share"),
        _("Vital few"),
    ]
    first = row + 1
    book.table(
        ws,
        row,
        headers,
        data,
        kinds=[None, "int", "percent", "int", "percent", None],
        widths=[28, 11, 9, 12, 12, 9],
    )
    if data:
        _pareto_chart(book, ws, first, first + len(data) - 1, [r.vital for r in ordered], title)
    return ws


def _pareto_chart(book: Book, ws: Any, first: int, last: int, vital: Sequence[bool], title: str) -> None:
    columns = book.book.add_chart({"type": "column"})
    columns.add_series(
        {
            "name": [ws.name, first - 1, 1],
            "categories": [ws.name, first, 0, last, 0],
            "values": [ws.name, first, 1, last, 1],
            "fill": {"color": VITAL},
            "points": [{"fill": {"color": VITAL if v else TRIVIAL}} for v in vital],
            "gap": 60,
        }
    )
    line = book.book.add_chart({"type": "line"})
    line.add_series(
        {
            "name": [ws.name, first - 1, 4],
            "categories": [ws.name, first, 0, last, 0],
            "values": [ws.name, first, 4, last, 4],
            "y2_axis": True,
            "line": {"color": CUMULATIVE, "width": 1.75},
            "marker": {
                "type": "circle",
                "size": 5,
                "fill": {"color": CUMULATIVE},
                "border": {"color": CUMULATIVE},
            },
        }
    )
    columns.combine(line)
    columns.set_title({"name": title, "name_font": {"size": 11}})
    columns.set_y_axis({"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#DEE2E6"}}})
    line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%", "major_unit": 0.2})
    columns.set_legend({"position": "bottom"})
    columns.set_size({"width": 620, "height": 340})
    ws.insert_chart(1, 7, columns)


def breakdown_sheet(
    book: Book, name: str, rows: Sequence[presenters.BreakdownRow], *, key_label: str, heading: Sequence[str]
) -> Any:
    ws = book.sheet(name)
    row = book.heading(ws, heading)
    total = sum(r.count for r in rows)
    book.table(
        ws,
        row,
        [key_label, _("Complaints"), _("Share")],
        [[r.name, r.count, common.ratio(r.count, total)] for r in rows],
        kinds=[None, "int", "percent"],
        widths=[30, 11, 9],
    )
    return ws


def by_month_sheet(
    book: Book,
    name: str,
    rows: Sequence[presenters.ByMonthRow],
    months: Sequence[str],
    *,
    key_label: str,
    heading: Sequence[str],
) -> Any:
    ws = book.sheet(name)
    row = book.heading(ws, heading)
    book.table(
        ws,
        row,
        [key_label, *months, _("Total")],
        [[r.name, *r.counts, r.total] for r in rows],
        kinds=[None, *(["int"] * (len(months) + 1))],
        widths=[28, *([9] * (len(months) + 1))],
    )
    return ws


# --- monthly -------------------------------------------------------------------------------

_MONTHLY_COUNTS = (
    "received",
    "valid",
    "invalid",
    "undecided",
    "grievances",
    "enquiries",
    "reopened",
    "open_at_end",
    "open_from_earlier",
    "repeat_complainants",
)
RATES = tuple(rate.name for rate in measures.RATES)


def count_labels() -> dict[str, str]:
    """Every headline measure's name, in the active language (``measures.LABELS``)."""
    return {name: str(label) for name, label in measures.LABELS.items()}


def _monthly_value(figures: MonthSnapshot | None, name: str) -> tuple[float | None, str]:
    """(number, basis text) of one headline measure; hours for reply times."""
    if figures is None:
        return None, ""
    if name in RATES:
        rate = figures.rate(name)
        return rate.value, str(rate)
    if name in ("median", "p90"):
        seconds = getattr(figures.reply_times, name)
        return (None if seconds is None else seconds / 3600), ""
    return figures.count(name), ""


def change(now: float | None, before: float | None, name: str) -> float | None:
    if now is None or before is None:
        return None
    if name in RATES:
        return round(100 * (now - before), 1)  # percentage points
    return now - before


def _kind(name: str) -> str:
    return "percent" if name in RATES else "hours" if name in ("median", "p90") else "int"


def _change_kind(name: str) -> str:
    return "points" if name in RATES else "hours_change" if name in ("median", "p90") else "change"


def _monthly_summary(book: Book, report: Any, view: Mapping[str, Any], heading: list[str]) -> None:
    ws = book.sheet(_("Summary"))
    row = book.heading(ws, heading)
    figures = view["figures"]
    previous, last_year = presenters.comparison_figures(report)
    labels = count_labels()
    rows = []
    kinds_by_row = []
    for name in (*_MONTHLY_COUNTS, *RATES, "median", "p90"):
        now, basis = _monthly_value(figures, name)
        before, _basis = _monthly_value(previous, name)
        then, _basis = _monthly_value(last_year, name)
        rows.append(
            [labels[name], now, before, change(now, before, name), then, change(now, then, name), basis]
        )
        kinds_by_row.append(name)
    headers = [
        _("Measure"),
        view["period"],
        view["previous_period"],
        pgettext("difference between two periods", "Change"),
        view["last_year_period"],
        pgettext("difference between two periods", "Change"),
        _("Counted"),
    ]
    for col, header in enumerate(headers):
        xlsx.write_value(ws, row, col, header, book.header)
    book.filter(ws, row, row + len(rows), len(headers))
    for r, (values, name) in enumerate(zip(rows, kinds_by_row, strict=True), start=row + 1):
        value_format, change_format = book.formats[_kind(name)], book.formats[_change_kind(name)]
        for col, value in enumerate(values):
            fmt = book.text if col in (0, 6) else change_format if col in (3, 5) else value_format
            xlsx.write_value(ws, r, col, value, fmt)
    for col, width in enumerate([30, 12, 12, 10, 12, 10, 12]):
        ws.set_column(col, col, width)
    row += len(rows) + 2
    status = [
        (_("Status"), report.get_status_display()),
        (_("Submitted by"), person(report.submitted_by)),
        (_("Submitted at"), when_text(report.submitted_at)),
        (_("Figures taken at"), when_text(report.drafted_at)),
    ]
    if report.decision:
        status += [
            (_("Review decision"), report.get_decision_display()),
            (_("Reviewed by"), person(report.reviewed_by)),
            (_("Reviewed at"), when_text(report.reviewed_at)),
        ]
    for label, value in status:
        xlsx.write_value(ws, row, 0, label, book.bold)
        xlsx.write_value(ws, row, 1, value)
        row += 1
    row = book.text_block(ws, row + 1, _("Analysis by the department head"), report.analysis)
    if report.review_note:
        book.text_block(ws, row, _("Review remarks"), report.review_note)


def monthly_xlsx(report: Any) -> bytes:
    view = presenters.monthly_view(report)
    heading = heading_lines(common.monthly_title(), view["period"], view["department"])
    book = Book()
    _monthly_summary(book, report, view, heading)
    figures = view["figures"]
    categories = {r.key: r.name for r in view["category_pareto"]}
    causes = {r.key: r.name for r in view["cause_pareto"]}
    pareto_sheet(
        book,
        _("By category"),
        figures.category_pareto,
        categories,
        key_label=_("Category"),
        title=_("Complaints by category (Pareto)"),
        heading=heading,
    )
    ws = pareto_sheet(
        book,
        _("By cause"),
        figures.cause_pareto,
        causes,
        key_label=_("Cause"),
        title=_("Complaints by cause (Pareto)"),
        heading=heading,
    )
    unassessed = figures.by_cause.get("", 0)
    if unassessed:
        last = ws.dim_rowmax or 0
        xlsx.write_value(ws, last + 2, 0, _("Not yet assessed (not in the Pareto)"), book.bold)
        xlsx.write_value(ws, last + 2, 1, unassessed)
    breakdown_sheet(book, _("By estate"), view["by_estate"], key_label=_("Estate"), heading=heading)
    breakdown_sheet(book, _("By channel"), view["by_channel"], key_label=_("Channel"), heading=heading)
    _repeat_sheet(book, view["repeat_complainants"], heading)
    if view["consultations"] is not None:
        _consultation_sheet(book, view["consultations"], heading)
    return book.close()


def _consultation_sheet(book: Book, found: Any, heading: list[str]) -> None:
    """The management office's monthly consultations (S-4, K-14): the flags, each consultation
    with its method, topics and households, its rate per topic with n and interval, and the
    year's coverage so far."""
    ws = book.sheet(_("Monthly consultations"))
    row = book.heading(ws, [*heading, found.estate])
    for text in found.flag_texts:
        xlsx.write_value(ws, row, 0, text, book.bold)
        row += 1
    rows = [
        [
            c.number,
            c.method_label,
            c.topic_labels,
            c.asked,
            c.answered,
            line.label,
            line.valid,
            line.raw,
            line.adjusted,
            line.ci_low,
            line.ci_high,
            _("Yes") if line.below_target else _("No"),
        ]
        for c in found.consultations
        for line in c.by_topic or [c.overall]
    ]
    row = book.table(
        ws,
        row + 1,
        [
            _("Number"),
            _("Method"),
            _("Topics"),
            _("Households asked"),
            _("Households answered"),
            _("Topic"),
            _("Valid answers"),
            _("Satisfaction rate, raw (%)"),
            _("Satisfaction rate, adjusted (%)"),
            _("95% interval, low (%)"),
            _("95% interval, high (%)"),
            _("Below target"),
        ],
        rows,
        kinds=[
            None,
            None,
            "wrap",
            "int",
            "int",
            None,
            "int",
            "decimal",
            "decimal",
            "decimal",
            "decimal",
            None,
        ],
        widths=[14, 16, 24, 10, 10, 16, 10, 12, 12, 12, 12, 10],
    )
    xlsx.write_value(ws, row, 0, _("Households consulted this year so far"), book.bold)
    xlsx.write_value(ws, row, 1, found.coverage.consulted)
    xlsx.write_value(ws, row + 1, 0, _("Occupied households"), book.bold)
    xlsx.write_value(ws, row + 1, 1, found.coverage.occupied)


def _repeat_sheet(book: Book, repeats: Sequence[presenters.RepeatRow], heading: list[str]) -> None:
    ws = book.sheet(_("Repeat complainants"))
    row = book.heading(ws, heading)
    xlsx.write_value(
        ws, row - 1, 0, _("Complainants are not named here: open the complaints to see who they are.")
    )
    book.table(
        ws,
        row,
        [_("Complainant"), _("Complaints"), _("Complaint numbers")],
        [[r.label, r.count, ", ".join(c.number for c in r.complaints)] for r in repeats],
        kinds=[None, "int", "wrap"],
        widths=[16, 11, 60],
    )
