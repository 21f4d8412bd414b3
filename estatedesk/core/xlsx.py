"""Excel export of any list (SPEC A-3): one sheet, a header row, written in constant memory.

Every sheet the product writes is named in the reader's language (``sheet_name``: "投诉清单",
not "Sheet1", within Excel's rules), and its table has the header row frozen and a filter
over the data (``filter_table``), here for every list and in ``reports.exports`` for the
report workbooks.

User text never becomes a formula: XlsxWriter's ``write()`` turns a string starting with
``=`` into a formula, so every string goes through ``write_text`` (a text cell, whatever it
starts with: ``=``, ``+``, ``-``, ``@``), and workbooks are opened with
``strings_to_formulas`` off as a second guard.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from estatedesk.core.exportlog import record_export

if TYPE_CHECKING:
    # XlsxWriter is imported when a workbook is made, not when the app starts (decision 0057).
    import xlsxwriter

WORKBOOK_OPTIONS: dict[str, Any] = {"strings_to_formulas": False, "strings_to_urls": False}
# Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\, not starting or
# ending with an apostrophe, not "History" (reserved), unique in the workbook ignoring case.
SHEET_NAME_LENGTH = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_RESERVED_SHEET_NAMES = frozenset({"history"})


def sheet_name(name: Any, taken: Collection[str] = ()) -> str:
    """``name`` (a translated title) made a valid sheet name, unique among ``taken`` (ignoring case)."""
    clean = " ".join(_BAD_SHEET_CHARS.sub(" ", str(name)).split()).strip("'")
    clean = clean[:SHEET_NAME_LENGTH].strip() or "Sheet"
    if clean.lower() in _RESERVED_SHEET_NAMES:
        clean = f"{clean} 1"
    used = {t.lower() for t in taken}
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" {n}"
        candidate, n = clean[: SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix, n + 1
    return candidate


def filter_table(sheet: Any, header_row: int, last_row: int, columns: int) -> None:
    """Freeze everything down to the header row, and put a filter over the header and the data."""
    sheet.freeze_panes(header_row + 1, 0)
    if columns:
        sheet.autofilter(header_row, 0, max(last_row, header_row), columns - 1)


def new_workbook(buffer: io.BytesIO, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    import xlsxwriter  # when a workbook is made, not at start: decision 0057

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
    request: HttpRequest,
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: Any,
    list_name: str | None = None,
    record: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The list as a workbook, its one sheet named ``sheet`` (the list's translated title), the
    header frozen and filtered; the export is recorded (who, which list, filters, rows) for the audit:
    the list under ``list_name`` (else the file's name), with ``record`` — the record a per-record
    list belongs to, e.g. ``{"notice": "TZ-2026-000001"}`` — beside the filters."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, constant_memory=True)
    worksheet = book.add_worksheet(sheet_name(sheet))
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF"})
    for col, header in enumerate(headers):
        worksheet.write_string(0, col, str(header), bold)
        worksheet.set_column(col, col, 16)
    records = last = 0
    for row_index, row in enumerate(rows, start=1):
        if not isinstance(row, NoteRow):
            records += 1
            last = row_index  # a note after the rows stays outside the filter
        for col, value in enumerate(row):
            write_value(worksheet, row_index, col, value)
    filter_table(worksheet, 0, last, len(headers))
    book.close()
    filters = {**request.GET.dict(), **record} if record else request.GET
    record_export(request, list_name=list_name or filename, filters=filters, row_count=records)
    return xlsx_response(buffer.getvalue(), filename)
