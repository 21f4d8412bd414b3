"""The half-year statistics as pages, the print view, the workbook and the API show them
(SPEC S-5): read from the figures kept on the record (``HalfYearStatistics.figures``), never
recomputed, so signed-off statistics show what was signed. Labels are in the reader's
language; the lines' summaries stay as written (in the company's language).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from estatedesk.core import xlsx
from estatedesk.core.i18n import month_label
from estatedesk.surveys import half_year
from estatedesk.surveys.half_year import percent_text
from estatedesk.surveys.models import Category, HalfYearLine, HalfYearStatistics, ReasonCode

__all__ = [
    "FigureText",
    "Row",
    "code_labels",
    "filename",
    "issues",
    "line_text",
    "period_text",
    "rows",
    "with_texts",
    "workbook",
]


def category_label(category: str) -> str:
    if not category:
        return _("Other opinions")
    return str(Category(category).label) if category in Category.values else category


def line_text(statistics: HalfYearStatistics, line: HalfYearLine, code_labels: dict[str, str]) -> str:
    """The line's sentence in the reader's language (the stored summary when the figures no
    longer hold it)."""
    return (
        half_year.line_summary(
            line.kind,
            line.category,
            line.reason_code,
            statistics.figures or {},
            category_label(line.category),
            code_labels.get(line.reason_code, ""),
        )
        or line.summary
    )


def code_labels() -> dict[str, str]:
    """Every reason code's label in the reader's language."""
    return {code.code: code.label() for code in ReasonCode.objects.all()}


def with_texts(statistics: HalfYearStatistics, lines: list[HalfYearLine]) -> list[HalfYearLine]:
    """The lines, each with ``text``: its sentence in the reader's language."""
    labels = code_labels()
    for line in lines:
        line.text = line_text(statistics, line, labels)  # type: ignore[attr-defined]
    return lines


def period_text(statistics: HalfYearStatistics) -> str:
    first = 1 if statistics.half == 1 else 7
    return _("%(first)s – %(last)s") % {
        "first": month_label(statistics.year, first),
        "last": month_label(statistics.year, first + 5),
    }


@dataclass(frozen=True)
class FigureText:
    n: int
    rate: float | None
    low: float | None
    high: float | None
    adjusted: float | None
    penalty: float | None
    return_rate: float | None
    below: bool

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> FigureText | None:
        if not data:
            return None
        return cls(
            int(data.get("n") or 0),
            data.get("rate"),
            data.get("low"),
            data.get("high"),
            data.get("adjusted"),
            data.get("penalty"),
            data.get("return_rate"),
            bool(data.get("below")),
        )

    @property
    def rate_text(self) -> str:
        return percent_text(self.rate)

    @property
    def adjusted_text(self) -> str:
        return percent_text(self.adjusted)

    @property
    def interval_text(self) -> str:
        if self.low is None or self.high is None:
            return "—"
        return f"{percent_text(self.low)} – {percent_text(self.high)}"

    @property
    def return_rate_text(self) -> str:
        return percent_text(self.return_rate)


@dataclass(frozen=True)
class Row:
    category: str
    label: str
    target: float | None
    consultation: FigureText | None
    survey: FigureText | None
    below_target: bool

    @property
    def target_text(self) -> str:
        return percent_text(self.target)


def rows(statistics: HalfYearStatistics) -> list[Row]:
    return [
        Row(
            r["category"],
            category_label(r["category"]),
            r.get("target"),
            FigureText.of(r.get("consultation")),
            FigureText.of(r.get("survey")),
            bool(r.get("below_target")),
        )
        for r in (statistics.figures or {}).get("rows", [])
    ]


def issues(statistics: HalfYearStatistics) -> list[dict[str, Any]]:
    return [
        {
            **i,
            "category_label": category_label(i.get("category", "")),
            "share_text": percent_text(i.get("share")),
        }
        for i in (statistics.figures or {}).get("issues", [])
    ]


def filename(statistics: HalfYearStatistics) -> str:
    # ASCII: it goes into a Content-Disposition header unencoded.
    return f"half-year-{statistics.estate.code}-{statistics.year}-H{statistics.half}"


def _figure_cells(fig: FigureText | None) -> list[Any]:
    if fig is None:
        return [None, None, None, None, None, None, None]
    return [
        fig.n,
        fig.rate,
        fig.low,
        fig.high,
        fig.return_rate,
        fig.adjusted,
        _("Yes") if fig.below else _("No"),
    ]


def workbook(statistics: HalfYearStatistics, lines: list[Any]) -> bytes:
    labels = code_labels()
    """Three sheets: the categories (both sources against the target), the lines (with the
    actions opened from them), the issues raised (listed or not)."""
    buffer = io.BytesIO()
    book = xlsx.new_workbook(buffer)
    head = book.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True, "valign": "top"})
    warn = book.add_format({"bold": True, "font_color": "#9C2A00", "bg_color": "#FFE5D0"})
    taken: list[str] = []

    def sheet(title: str, headers: list[str], data: list[list[Any]], flags: list[bool] | None = None) -> None:
        name = xlsx.sheet_name(title, taken)
        taken.append(name)
        ws = book.add_worksheet(name)
        for col, header in enumerate(headers):
            ws.write_string(0, col, str(header), head)
            ws.set_column(col, col, 14)
        for r, row in enumerate(data, start=1):
            for c, value in enumerate(row):
                xlsx.write_value(ws, r, c, value, warn if flags and flags[r - 1] and c == 0 else None)
        xlsx.filter_table(ws, 0, len(data), len(headers))

    source = [
        _("Valid answers"),
        _("Satisfaction rate, raw (%)"),
        _("95% interval, low (%)"),
        _("95% interval, high (%)"),
        _("Return rate (%)"),
        _("Satisfaction rate, adjusted (%)"),
        _("Below target"),
    ]
    table = rows(statistics)
    sheet(
        _("By category"),
        [
            _("Category"),
            _("Target (%)"),
            *[f"{_('Consultations')}: {h}" for h in source],
            *[f"{_('Survey')}: {h}" for h in source],
        ],
        [[r.label, r.target, *_figure_cells(r.consultation), *_figure_cells(r.survey)] for r in table],
        [r.below_target for r in table],
    )
    sheet(
        _("Lines to act on"),
        [_("Kind"), _("Category"), _("Reason code"), _("Households"), _("Summary"), _("Actions opened")],
        [
            [
                line.get_kind_display(),
                category_label(line.category),
                line.reason_code,
                line.households or None,
                line_text(statistics, line, labels),
                ", ".join(a.number for a in line.improvement_actions.all()),
            ]
            for line in lines
        ],
    )
    sheet(
        _("Issues raised"),
        [_("Category"), _("Issue raised"), _("Households"), _("Share of households heard (%)"), _("Listed")],
        [
            [
                i["category_label"],
                i["label"],
                i["households"],
                i.get("share"),
                _("Yes") if i["listed"] else _("No"),
            ]
            for i in issues(statistics)
        ],
    )
    book.close()
    return buffer.getvalue()
