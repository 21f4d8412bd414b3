"""The progress tables as an Excel workbook (SPEC R-5, A-3): one sheet per table, named in the
reader's language ("按小区", not "Sheet1"), the header frozen and filtered, the total last
(outside the filter, so sorting keeps it at the bottom). Rates are numbers formatted as
percentages; a rate over nothing is left empty."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estatedesk.core.xlsx import filter_table, new_workbook, sheet_name, write_value
from estatedesk.rectification.figures import Counts
from estatedesk.rectification.progress import Progress


def headers(first: str) -> list[str]:
    return [
        first,
        _("Items"),
        pgettext("rectification", "Open"),
        _("With the property company"),
        _("With the developer"),
        _("Awaiting the resident"),
        _("Accepted"),
        _("Overdue"),
        _("First-round pass rate"),
        _("Average days to acceptance"),
    ]


def values(label: str, counts: Counts) -> list[Any]:
    rate = counts.first_round_pass_rate
    days = counts.average_days
    return [
        label,
        counts.items,
        counts.open,
        counts.with_property,
        counts.with_developer,
        counts.awaiting_resident,
        counts.accepted,
        counts.overdue,
        None if rate is None else rate / 100,
        None if days is None else round(days, 1),
    ]


def workbook(progress: Progress) -> bytes:
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF"})
    percent = book.add_format({"num_format": "0.0%"})
    one_decimal = book.add_format({"num_format": "0.0"})
    total_row = book.add_format({"bold": True, "top": 1})
    taken: list[str] = []
    for table in progress.tables:
        name = sheet_name(table.title, taken)
        taken.append(name)
        sheet = book.add_worksheet(name)
        columns = headers(table.header)
        for col, header in enumerate(columns):
            sheet.write_string(0, col, header, bold)
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, len(columns) - 1, 12)
        sheet.set_column(len(columns) - 2, len(columns) - 2, 12, percent)
        sheet.set_column(len(columns) - 1, len(columns) - 1, 12, one_decimal)
        for index, row in enumerate(table.rows, start=1):
            for col, value in enumerate(values(row.label, row.counts)):
                write_value(sheet, index, col, value)
        last = len(table.rows)
        filter_table(sheet, 0, last, len(columns))
        for col, value in enumerate(values(_("Total"), table.total)):
            fmt = (
                percent if col == len(columns) - 2 else one_decimal if col == len(columns) - 1 else total_row
            )
            write_value(sheet, last + 1, col, value, fmt)
    book.close()
    return buffer.getvalue()
