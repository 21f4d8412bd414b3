"""Roster import pages: upload, progress and result, and the template to fill in.

Who may reach them is decided by policy.URL_RULES (administrators import; any staff
member may download the template). The import itself runs in the background
(org/tasks.py); the result page polls a fragment with htmx while it runs.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from estatedesk.core import xlsx
from estatedesk.core.params import Params
from estatedesk.org import import_queue, importer
from estatedesk.org.forms import ImportForm
from estatedesk.org.models import (
    Building,
    Customer,
    CustomerKind,
    Estate,
    EstateKind,
    ImportJob,
    Occupancy,
    Unit,
    UnitKind,
)

ERRORS_PER_PAGE = 200


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            job = import_queue.create_job(
                actor=request.user, upload=form.cleaned_data["file"], language=translation.get_language()
            )
            return redirect("org:import_detail", pk=job.pk)
        status = 422
    jobs = ImportJob.objects.select_related("created_by")[:20]
    return render(request, "org/import_start.html", {"form": form, "jobs": jobs}, status=status)


def _reason(error: dict[str, Any]) -> str:
    # Rendered from the stored msgid in the reader's language; the stored text is the fallback.
    problems = error.get("problems")
    return importer.render_problems(problems) if problems else str(error.get("reason", ""))


def _summary(job: ImportJob) -> list[tuple[str, int, int]]:
    kinds = [
        ("estates", Estate),
        ("buildings", Building),
        ("units", Unit),
        ("customers", Customer),
        ("occupancies", Occupancy),
    ]
    rows = []
    for key, model in kinds:
        counts = job.summary.get(key) if isinstance(job.summary, dict) else None
        if counts:
            rows.append(
                (str(model._meta.verbose_name_plural), counts.get("created", 0), counts.get("updated", 0))
            )
    return rows


def _message(job: ImportJob) -> str:
    problem = job.summary.get("problem") if isinstance(job.summary, dict) else None
    if problem:
        return importer.render(problem["code"], problem.get("params"))
    return job.message


@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if Params(request.GET).choice("download", ("errors",)):
        return _errors_csv(job)
    page = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "page": page,
        "errors": [{"row": e.get("row"), "reason": _reason(e)} for e in page.object_list],
        "summary": _summary(job),
        "message": _message(job),
        "querystring": "",
        "seconds": (job.finished_at - job.started_at).total_seconds()
        if job.finished_at and job.started_at
        else None,
    }
    if getattr(request, "htmx", False):
        return render(request, "org/_import_status.html", context)
    return render(request, "org/import_detail.html", context)


def _errors_csv(job: ImportJob) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Reason")])
    for error in job.errors or []:
        writer.writerow([error.get("row"), _reason(error)])
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
    return response


@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    headers = importer.template_headers()
    example = importer.template_example()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow(example)
        # The BOM makes Excel open the file as UTF-8 instead of guessing the local code page.
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            _template_xlsx(headers, example),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="roster-template.{fmt}"'
    return response


def _template_xlsx(headers: list[str], example: list[Any]) -> bytes:

    buffer = io.BytesIO()
    book = xlsx.new_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(xlsx.sheet_name(_("Roster")))
    text_columns = {"building", "unit", "customer", "phone", "email", "estate"}
    for col, (column, header) in enumerate(zip(importer.COLUMNS, headers, strict=True)):
        sheet.write_string(0, col, header, bold)
        # Text columns stop Excel turning 0101 into 101 and long phone numbers into 1.38E+10.
        sheet.set_column(col, col, 18, text if column.key in text_columns else None)
    for col, value in enumerate(example):
        if isinstance(value, int | float):
            sheet.write_number(1, col, value)
        else:
            sheet.write_string(1, col, str(value))
    xlsx.filter_table(sheet, 0, 1, len(headers))

    help_sheet = book.add_worksheet(xlsx.sheet_name(_("Instructions"), [sheet.name]))
    help_sheet.set_column(0, 0, 20)
    help_sheet.set_column(1, 1, 90, wrap)
    required = {"estate", "building", "unit"}
    allowed = {
        "estate_kind": " / ".join(str(c.label) for c in EstateKind),
        "unit_kind": " / ".join(str(c.label) for c in UnitKind),
        "occupied": f"{_('Yes')} / {_('No')}",
        "customer_type": " / ".join(str(c.label) for c in CustomerKind),
    }
    help_sheet.write_string(0, 0, _("Column"), bold)
    help_sheet.write_string(0, 1, _("How to fill it in"), bold)
    xlsx.filter_table(help_sheet, 0, len(importer.COLUMNS), 2)
    for row, (column, header) in enumerate(zip(importer.COLUMNS, headers, strict=True), start=1):
        notes = [_("Required.") if column.key in required else _("Optional.")]
        if column.key in allowed:
            notes.append(_("One of: %(values)s") % {"values": allowed[column.key]})
        help_sheet.write_string(row, 0, header)
        help_sheet.write_string(row, 1, " ".join(notes))
    row = len(importer.COLUMNS) + 2
    for line in (
        _(
            "One row per unit and customer. A unit without a customer leaves the customer columns empty;"
            " a unit with several customers has one row for each."
        ),
        _("Importing the same file again updates what changed and never creates duplicates."),
        _(
            "Customers are matched by phone number in their estate, or by name and unit when no phone is given."
        ),
    ):
        help_sheet.write_string(row, 1, line)
        row += 1
    book.close()
    return buffer.getvalue()
