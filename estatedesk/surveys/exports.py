"""The survey report as a workbook (SPEC S-2, S-3, A-3): one named sheet per table of the
results page, each with a frozen header and a filter; rates are percentages with one
decimal (as the page and the API give them), and beside every rate its valid answers, its
95 % interval, the return rate, shortfall, penalty points, the adjusted rate and the rule in
words. The last sheet holds the free-text answers and reasons for dissatisfaction, without
names, phones or units.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from estatedesk.core import xlsx
from estatedesk.surveys.report import Line, Report

__all__ = ["filename", "workbook"]


def filename(report: Report) -> str:
    # ASCII: it goes into a Content-Disposition header unencoded.
    return f"survey-results-{report.survey.number}"


def _figure_headers() -> list[str]:
    return [
        _("Valid answers"),
        _("Satisfied answers"),
        _("Satisfaction rate, raw (%)"),
        _("95% interval, low (%)"),
        _("95% interval, high (%)"),
        _("Mean score"),
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


def _figure_cells(line: Line) -> list[Any]:
    return [
        line.valid,
        line.satisfied,
        line.raw,
        line.ci_low,
        line.ci_high,
        line.mean_score,
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


def _sheet(
    book: Any,
    taken: list[str],
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: dict[str, Any],
    *,
    warn_column: int | None = None,
    warn_rows: Sequence[bool] = (),
) -> None:
    name = xlsx.sheet_name(title, taken)
    taken.append(name)
    sheet = book.add_worksheet(name)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, str(header), formats["head"])
        sheet.set_column(col, col, 14)
    sheet.set_column(len(headers) - 1, len(headers) - 1, 60)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            warn = (
                warn_column is not None and c == warn_column and r - 1 < len(warn_rows) and warn_rows[r - 1]
            )
            xlsx.write_value(sheet, r, c, value, formats["warn"] if warn else None)
    xlsx.filter_table(sheet, 0, len(rows), len(headers))


def workbook(report: Report) -> bytes:
    buffer = io.BytesIO()
    book = xlsx.new_workbook(buffer)
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True, "valign": "top"}),
        "warn": book.add_format({"bold": True, "font_color": "#9C2A00", "bg_color": "#FFE5D0"}),
    }
    taken: list[str] = []
    figure_headers = _figure_headers()
    adjusted_col = figure_headers.index(_("Satisfaction rate, adjusted (%)"))

    def table(title: str, first: list[str], lines: Sequence[Line], cells: Any) -> None:
        _sheet(
            book,
            taken,
            title,
            [*first, *figure_headers],
            [[*cells(line), *_figure_cells(line)] for line in lines],
            formats,
            warn_column=len(first) + adjusted_col,
            warn_rows=[line.below_target for line in lines],
        )

    table(_("Overall figures"), [_("Survey")], [report.overall], lambda line: [line.label])
    table(_("By category"), [_("Category")], report.categories, lambda line: [line.category])
    table(_("By estate"), [_("Estate")], report.estates, lambda line: [line.estate])
    table(
        _("By estate and category"),
        [_("Estate"), _("Category")],
        report.estate_categories,
        lambda line: [line.estate, line.category],
    )
    table(
        _("By building"),
        [_("Estate"), _("Building")],
        report.buildings,
        lambda line: [line.estate, line.building],
    )
    table(
        _("By question"),
        [_("No."), _("Question"), _("Category")],
        report.questions,
        lambda line: [line.number, line.label, line.category],
    )
    _sheet(
        book,
        taken,
        _("Reasons and comments"),
        [_("Estate"), _("Building"), _("No."), _("Question"), _("Rating given"), _("Reason or comment")],
        [
            [
                r.estate,
                r.building,
                r.number or None,
                r.question,
                r.level,
                " / ".join(t for t in (r.reason, r.text) if t),
            ]
            for r in report.reasons
        ],
        formats,
    )
    book.close()
    return buffer.getvalue()
