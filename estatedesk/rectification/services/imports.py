"""Recording the good rows of a spreadsheet of rectification items (SPEC R-1, R-2; decision 0039).

``rectification.importer`` reads the file into good rows (``ItemInput``) and bad rows; the
view hands the good ones here, where they are recorded through ``items.add_items`` (the one
write path for items), in one transaction. Good rows are recorded even when other rows are
bad: the user fixes the bad rows (a workbook of them, with a reason column, is offered) and
uploads only those again; an item already in the report is refused by the importer, so
uploading the whole file again records nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from estatedesk.core import uploads
from estatedesk.core.actors import Actor
from estatedesk.core.errors import InvalidInput
from estatedesk.rectification.models import Item, Report
from estatedesk.rectification.services.items import ItemInput, add_items


def record_rows(
    *, actor: Actor, report: Report | int, rows: Sequence[ItemInput]
) -> tuple[list[Item], dict[int, str]]:
    """The items recorded, and the rows the service still refused (position in ``rows`` → message).

    The importer checks what the service checks, so a refusal here is rare (a unit removed
    meanwhile); each names its row (``items-N-field``), which is set aside, and the rest are
    tried again. Anything else (no permission, not found) is raised as it is."""
    pending = list(enumerate(rows))
    refused: dict[int, str] = {}
    while pending:
        try:
            with uploads.discard_on_failure():
                return add_items(actor=actor, report=report, rows=[row for _i, row in pending]), refused
        except InvalidInput as error:
            index = _row_index(error.field or "", len(pending))
            if index is None:
                raise
            position, _row = pending.pop(index)
            refused[position] = str(error.message)
    return [], refused


def _row_index(field_name: str, count: int) -> int | None:
    if count == 1:
        return 0 if field_name != "items" else None
    prefix, _sep, rest = field_name.partition("-")
    number = rest.partition("-")[0]
    if prefix == "items" and number.isdigit() and int(number) < count:
        return int(number)
    return None
