"""Rectification reports over the API (SPEC A-2, R-1, R-2), with the permissions of the pages.

Reads come from ``rectification.selectors`` (a report of none of the user's estates — or, for
the developer's people, one holding none of their items — is a 404, like a missing one). The
writes are ``services.items``: ``create_report`` and ``add_items`` (all rows or none; a bad
row is a 422 at ``["body", "items", N, field]``, the row and field the service names as
``items-N-field``).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    Paging,
    current_user,
    invalid,
    paginate,
    responses,
    service_errors,
)
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import InvalidInput
from estatedesk.core.workflow import require
from estatedesk.org.models import Developer, Unit
from estatedesk.rectification import selectors
from estatedesk.rectification.api import output
from estatedesk.rectification.api.schemas import (
    ItemRow,
    ItemsIn,
    ItemSummary,
    ReportFilters,
    ReportIn,
    ReportOut,
    ReportPage,
)
from estatedesk.rectification.services import items as services
from estatedesk.rectification.services.items import ItemInput
from estatedesk.rectification.workflow import ITEM

router = Router(tags=["rectification"])

# The service names a row's field "items-N-field" (or just "field" when there is one row).
ROW_FIELD = re.compile(r"^items-(\d+)-(\w+)$")


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def _report(request: HttpRequest, pk: int) -> Any:
    report = output.reports_of(current_user(request)).filter(pk=pk).first()
    if report is None:
        raise _not_found()
    return report


@router.get("/rectification/reports", response=responses(200, ReportPage, *READ_ERRORS))
def list_rectification_reports(
    request: HttpRequest, filters: Query[ReportFilters], paging: Query[Paging]
) -> Any:
    """The rectification reports you see, newest first: your estates' (the property company),
    or those holding items escalated to your developer or assigned to your team."""
    rows = output.reports_of(current_user(request))
    if filters.estate is not None:
        rows = rows.filter(estate_id=filters.estate)
    page = paginate(rows.order_by("-created_at", "-pk"), paging)
    zone = company_zone()
    page["items"] = [output.report_row(r, zone) for r in page["items"]]
    return page


@router.get("/rectification/reports/{int:report_id}", response=responses(200, ReportOut, *READ_ERRORS, 404))
def get_rectification_report(request: HttpRequest, report_id: Id) -> Any:
    """The report and how many of its items (those you see) are in each status."""
    return output.report_detail(_report(request, report_id), current_user(request))


@router.post("/rectification/reports", response=responses(201, ReportOut, *WRITE_ERRORS))
def create_rectification_report(request: HttpRequest, payload: ReportIn) -> Any:
    """Open a report for one of your estates' handover batches, or for a department's findings
    (then ``finding_department`` is required; it is told the results). The property company's
    customer service and the duty desk."""
    user = current_user(request)
    developer = None
    if payload.developer is not None:
        developer = Developer.objects.filter(pk=payload.developer).first()
        if developer is None:
            raise invalid("developer", _("Choose the developer."))
    department = None
    if payload.finding_department is not None:
        department = (
            selectors.fixing_departments(payload.estate).filter(pk=payload.finding_department).first()
        )
        if department is None:
            raise invalid("finding_department", _("Choose one of the company's own departments."))
    with service_errors([*type(payload).model_fields]):
        report = services.create_report(
            actor=user,
            estate=payload.estate,
            title=payload.title,
            source=payload.source,
            developer=developer,
            finding_department=department,
            notes=payload.notes,
        )
    return Status(201, output.report_detail(_report(request, report.pk), user))


def _at_row(index: int, field: str, message: str) -> ApiError:
    """A 422 where pydantic puts a bad row's field: ``["body", "items", N, field]``."""
    loc: list[str | int] = ["body", "items", index, field]
    return ApiError(422, "invalid", _("Some of the data sent is not valid."), [{"loc": loc, "msg": message}])


def _row_error(exc: InvalidInput, rows: int) -> ApiError | None:
    """The service's ``items-N-field`` (``field`` alone when there is one row) at its row; None
    for a problem with no row (no items at all)."""
    field = exc.field or ""
    match = ROW_FIELD.match(field)
    if match is not None:
        return _at_row(int(match.group(1)), match.group(2), str(exc.message))
    if rows == 1 and field in ItemRow.model_fields:
        return _at_row(0, field, str(exc.message))
    return None


@router.post(
    "/rectification/reports/{int:report_id}/items",
    response=responses(201, list[ItemSummary], *WRITE_ERRORS, 404),
)
def add_rectification_items(request: HttpRequest, report_id: Id, payload: ItemsIn) -> Any:
    """Record several items of the report at once (a unit's inspection): each with its unit
    (by id; none for a public area), where, what, category and source (the report's when left
    out). All or none."""
    user = current_user(request)
    report = _report(request, report_id)
    with service_errors():
        require(
            user, ITEM.get("create")
        )  # a role that may not enter items learns so before its rows are read
    wanted = {row.unit for row in payload.items if row.unit is not None}
    units = Unit.objects.filter(estate_id=report.estate_id).in_bulk(wanted)
    rows = []
    for index, row in enumerate(payload.items):
        unit = units.get(row.unit) if row.unit is not None else None
        if row.unit is not None and unit is None:
            # Another estate's unit, or no such unit: worded as the service words the first.
            raise _at_row(index, "unit", _("This unit is not in the report's estate."))
        rows.append(
            ItemInput(
                location=row.location,
                description=row.description,
                category=row.category,
                unit=unit,
                source=row.source or "",
            )
        )
    with service_errors(["items"]):
        try:
            made = services.add_items(actor=user, report=report.pk, rows=rows)
        except InvalidInput as exc:
            located = _row_error(exc, len(rows))
            if located is None:
                raise
            raise located from exc
    created = output.items_of(user).filter(pk__in=[i.pk for i in made]).order_by("pk")
    return Status(201, output.item_rows(list(created)))
