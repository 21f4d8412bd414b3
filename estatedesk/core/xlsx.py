"""Excel export of any list (SPEC A-3): one sheet, a header row, written in constant memory.

User text never becomes a formula: XlsxWriter's ``write()`` turns a string starting with
``=`` into a formula, so every string goes through ``write_text`` (a text cell, whatever it
starts with: ``=``, ``+``, ``-``, ``@``), and workbooks are opened with
``strings_to_formulas`` off as a second guard.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from estatedesk.core.exportlog import record_export

WORKBOOK_OPTIONS: dict[str, Any] = {"strings_to_formulas": False, "strings_to_urls": False}


def new_workbook(buffer: io.BytesIO, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        buffer, {**WORKBOOK_OPTIONS, "constant_memory": constant_memory, "in_memory": True}
    )


def write_value(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Numbers as numbers, everything else as a text cell (never a formula or a link)."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response


class NoteRow(list[Any]):
    """A row that says something about the export (it was cut short), not a record: not counted."""


def workbook_response(
    request: HttpRequest, filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """The list as a workbook; the export is recorded (who, which list, filters, rows) for the audit."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, constant_memory=True)
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, str(header), bold)
        sheet.set_column(col, col, 16)
    records = 0
    for row_index, row in enumerate(rows, start=1):
        records += not isinstance(row, NoteRow)
        for col, value in enumerate(row):
            write_value(sheet, row_index, col, value)
    book.close()
    record_export(request, list_name=filename, filters=request.GET, row_count=records)
    return xlsx_response(buffer.getvalue(), filename)
