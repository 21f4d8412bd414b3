"""Excel export of any list (SPEC A-3): one sheet, a header row, written in constant memory."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone


def workbook_response(filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF"})
    for col, header in enumerate(headers):
        sheet.write(0, col, str(header), bold)
        sheet.set_column(col, col, 16)
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            sheet.write(row_index, col, value if isinstance(value, int | float) else str(value))
    book.close()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response
