"""Importing rectification items from Excel (SPEC R-1, R-2; decision 0039).

``report_import``: upload an .xlsx; its good rows are recorded in the report and its bad rows
listed with their spreadsheet row numbers and reasons in the user's language, with a workbook
of the bad rows (a reason column added) to fix and upload again. A file that is not a
workbook, is empty or has no header row is refused with a message, never a 500.
``import_template``: the workbook to fill in, headers in the user's language, one example row.
"""

from __future__ import annotations

import io
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from estatedesk.core import xlsx
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.sorting import natural_key
from estatedesk.core.web import company_time
from estatedesk.rectification import entry_reads, importer, selectors
from estatedesk.rectification.importer import COLUMNS, BadRow, Problem
from estatedesk.rectification.models import Category, Report, Source
from estatedesk.rectification.services import imports

FILE_FIELD = "file"
REJECTED_SALT = "rectification.import.rejected"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bad rows shown on the page; all of them are in the workbook of bad rows.
SHOWN_ROWS = 500


def _context(report: Report, **extra: Any) -> dict[str, Any]:
    return {
        "report": report,
        "max_rows": importer.MAX_ROWS,
        "max_mb": importer.MAX_BYTES // (1024 * 1024),
        "headers": importer.template_headers(),
        "template_url": reverse("rectification:import_template") + f"?report={report.pk}",
        "report_url": reverse("rectification:report_detail", args=[report.pk]),
        "entry_url": reverse("rectification:unit_entry", args=[report.pk]),
        "post_url": reverse("rectification:report_import", args=[report.pk]),
        "categories": importer.list_separator().join(str(c.label) for c in Category),
        "sources": importer.list_separator().join(str(c.label) for c in Source),
        **extra,
    }


@company_time
@require_http_methods(["GET", "POST"])
def report_import(request: HttpRequest, pk: int) -> HttpResponse:
    report = entry_reads.entry_report(request.user, pk)
    if request.method != "POST":
        return render(request, "rectification/entry/import.html", _context(report))
    if request.POST.get("action") == "rejected":
        return _rejected_workbook(request, report)
    upload = request.FILES.get(FILE_FIELD)
    if upload is None:
        return _refused(request, report, _("Choose the Excel file (.xlsx) to import."))
    if upload.size is not None and upload.size > importer.MAX_BYTES:
        problem = importer.problem(importer.E_TOO_BIG, limit=importer.MAX_BYTES // (1024 * 1024))
        return _refused(request, report, problem.render())
    data = upload.read(importer.MAX_BYTES + 1)
    parsed = importer.parse_file(data, entry_reads.unit_index(report), entry_reads.recorded_items(report))
    if parsed.file_error is not None:
        return _refused(request, report, parsed.file_error.render())
    try:
        recorded, refused = imports.record_rows(
            actor=request.user, report=report, rows=[row.item for row in parsed.good]
        )
    except ServiceError as error:
        return _refused(request, report, str(error.message), status=error.status)
    rows = [
        *parsed.bad,
        *(
            BadRow(parsed.good[i].row, [Problem(message)], parsed.good[i].cells)
            for i, message in refused.items()
        ),
    ]
    bad = [
        {"row": row.row, "reason": row.reason, "cells": [row.cells.get(c.key, "") for c in COLUMNS]}
        for row in sorted(rows, key=lambda row: row.row)
    ]
    context = _context(
        report,
        recorded=recorded,
        bad=bad[:SHOWN_ROWS],
        bad_count=len(bad),
        more_bad=max(len(bad) - SHOWN_ROWS, 0),
        rejected=signing.dumps(bad, salt=REJECTED_SALT, compress=True) if bad else "",
        done=True,
    )
    status = 422 if bad and not recorded else 200
    return render(request, "rectification/entry/import.html", context, status=status)


def _refused(request: HttpRequest, report: Report, message: str, status: int = 422) -> HttpResponse:
    context = _context(report, file_error=message)
    return render(request, "rectification/entry/import.html", context, status=status)


def _rejected_workbook(request: HttpRequest, report: Report) -> HttpResponse:
    """The bad rows of the last upload (signed by us on the result page), with their reasons, to fix."""
    try:
        rows = signing.loads(request.POST.get("rows", ""), salt=REJECTED_SALT)
    except signing.BadSignature:
        return _refused(
            request, report, _("The list of rejected rows could not be read; import the file again.")
        )
    buffer = io.BytesIO()
    book = xlsx.new_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    red = book.add_format({"font_color": "#B02A37", "text_wrap": True})
    sheet = book.add_worksheet(xlsx.sheet_name(_("Rows to fix")))
    headers = [*importer.template_headers(), _("Why it was not imported"), _("Row in the uploaded file")]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, 40 if col in (4, len(COLUMNS)) else 14)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row["cells"]):
            xlsx.write_value(sheet, number, col, str(value))
        xlsx.write_value(sheet, number, len(COLUMNS), str(row["reason"]), red)
        xlsx.write_value(sheet, number, len(COLUMNS) + 1, int(row["row"]))
    xlsx.filter_table(sheet, 0, len(rows), len(headers))
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report.number}-rows-to-fix.xlsx"'
    return response


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The workbook to fill in; with ``?report=`` its example row names a real unit of the report's estate."""
    building, unit = _example_unit(request)
    buffer = io.BytesIO()
    book = xlsx.new_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(xlsx.sheet_name(_("Rectification items")))
    headers = importer.template_headers()
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        # Text columns: Excel would turn the unit 0101 into 101.
        sheet.set_column(col, col, 40 if COLUMNS[col].key == "description" else 16, text)
    for col, value in enumerate(importer.template_example(building, unit)):
        sheet.write_string(1, col, value)
    xlsx.filter_table(sheet, 0, 1, len(headers))

    notes = book.add_worksheet(xlsx.sheet_name(_("Instructions"), [sheet.name]))
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 90, wrap)
    notes.write_string(0, 0, _("Column"), bold)
    notes.write_string(0, 1, _("How to fill it in"), bold)
    how = {
        "building": _(
            "The building's name as in EstateDesk. Leave building and unit empty for a public area."
        ),
        "unit": _("The unit number. Leave building and unit empty for a public area."),
        "location": _("Required. The room or part, e.g. master bedroom; for a public area, e.g. 3栋大堂."),
        "category": _("Required. One of: %(values)s")
        % {"values": " / ".join(str(c.label) for c in Category)},
        "description": _("Required. What is wrong, at most %(count)s characters.")
        % {"count": importer.COLUMN_BY_KEY["description"].max_length},
        "source": _("Optional (the report's source when empty). One of: %(values)s")
        % {"values": " / ".join(str(c.label) for c in Source)},
    }
    for row, (column, header) in enumerate(zip(COLUMNS, headers, strict=True), start=1):
        notes.write_string(row, 0, header)
        notes.write_string(row, 1, how[column.key])
    notes.write_string(
        len(COLUMNS) + 2,
        1,
        _("At most %(rows)s items in one file. Photos are added on the item's page or on the phone.")
        % {"rows": importer.MAX_ROWS},
    )
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="rectification-items-template.xlsx"'
    return response


def _example_unit(request: HttpRequest) -> tuple[str, str]:
    report_id = Params(request.GET).id("report")
    if report_id is None or not entry_reads.may_enter(request.user):
        return "", ""
    report = selectors.reports_for(request.user).filter(pk=report_id).first()
    if report is None:
        return "", ""
    groups = entry_reads.units_by_building(report)
    if not groups or not groups[0].units:
        return "", ""
    first = min(groups[0].units, key=lambda cell: natural_key(cell.unit.number)).unit
    return groups[0].building.name, first.number
