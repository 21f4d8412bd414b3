"""Importing a spreadsheet of rectification items into a report (SPEC R-1, R-2; decision 0039).

``rectification.importer`` reads the file into good rows and bad rows; here the good rows
are recorded through ``items.add_items`` (the one write path for items) and the bad ones are
handed back with their spreadsheet row numbers and reasons. Good rows are recorded even when
other rows are bad: the user fixes the bad rows (a workbook of them, with a reason column, is
offered) and uploads only those again; an item already in the report is refused as such, so
uploading the whole file again records nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from estatedesk.core import uploads
from estatedesk.core.actors import Actor
from estatedesk.core.errors import InvalidInput, NotFound
from estatedesk.core.workflow import require
from estatedesk.org.models import Unit
from estatedesk.rectification import importer, selectors
from estatedesk.rectification.importer import BadRow, GoodRow, Problem, UnitIndex
from estatedesk.rectification.models import Item, Report
from estatedesk.rectification.services.items import add_items
from estatedesk.rectification.workflow import ITEM


@dataclass
class ImportResult:
    recorded: list[Item] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    file_error: Problem | None = None


def unit_index(report: Report) -> UnitIndex:
    """The report's estate, unit by unit, for the importer."""
    index = UnitIndex()
    units = Unit.objects.filter(estate_id=report.estate_id).select_related("building").order_by("pk")
    for unit in units.iterator(chunk_size=2000):
        index.add(unit.building.name, unit.number, unit)
    return index


def recorded_items(report: Report) -> dict[tuple[object, ...], str]:
    """The report's items by ``importer.item_key``, to refuse a row recorded already."""
    rows = Item.objects.filter(report=report).values_list("unit_id", "location", "description", "number")
    return {importer.item_key(unit, location, text): number for unit, location, text, number in rows}


def import_file(*, actor: Actor, report: Report | int, data: bytes) -> ImportResult:
    """Read the workbook, record its good rows in the report, and hand back the bad ones."""
    require(actor, ITEM.get("create"))
    found = selectors.reports_for(actor).filter(pk=report if isinstance(report, int) else report.pk).first()
    if found is None or selectors.side_of(actor) != "property":
        raise NotFound(_("Not found, or not yours to see."))
    parsed = importer.parse_file(data, unit_index(found), recorded_items(found))
    if parsed.file_error is not None:
        return ImportResult(file_error=parsed.file_error)
    recorded, refused = record_rows(actor=actor, report=found, rows=parsed.good)
    bad = sorted([*parsed.bad, *refused], key=lambda row: row.row)
    return ImportResult(recorded=recorded, bad=bad)


def record_rows(*, actor: Actor, report: Report, rows: list[GoodRow]) -> tuple[list[Item], list[BadRow]]:
    """Record the rows in one transaction; a row the service still refuses is moved to the bad ones.

    The importer checks what the service checks, so a refusal here is rare (a unit removed
    meanwhile); each refusal names its row (``items-N-field``) and the rest are tried again."""
    pending = list(rows)
    refused: list[BadRow] = []
    while pending:
        try:
            with uploads.discard_on_failure():
                return add_items(actor=actor, report=report, rows=[r.item for r in pending]), refused
        except InvalidInput as error:
            index = _row_index(error.field or "", len(pending))
            if index is None:
                raise
            row = pending.pop(index)
            refused.append(BadRow(row.row, [Problem(str(error.message))], row.cells))
    return [], refused


def _row_index(field_name: str, count: int) -> int | None:
    if count == 1:
        return 0
    prefix, _sep, rest = field_name.partition("-")
    number = rest.partition("-")[0]
    if prefix == "items" and number.isdigit() and int(number) < count:
        return int(number)
    return None
