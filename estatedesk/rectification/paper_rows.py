"""The rectification papers' rows (SPEC R-2, R-5, K-16), defined once for the print view, the
PDF and the workbook: the report's table (项目整改报告, §7.5.2) with its summary, and a unit's
acceptance sheet for the resident (住户验收单, §7.5.4).

Reads only, scoped by the reader: the report through ``selectors.reports_for`` and its items
through ``selectors.items_for``, so the developer's customer service and its teams see only
their items of the report. The unit's sheet is the property company's paper: only the property
side reads it (``sheet_items``), everyone else finds nothing (404, decision 0041).

Items come in the order people walk an estate: by unit as it reads (``core.sorting.natural_key``:
3栋-201 before 3栋-1001, 2栋 before 10栋), then by item number; items of no unit (public areas)
last. Labels are in the reader's language; what people wrote stays as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_zone, now
from estatedesk.core.params import MAX_ID
from estatedesk.core.sorting import natural_key
from estatedesk.org.models import Unit
from estatedesk.rectification import selectors
from estatedesk.rectification.display import due_of
from estatedesk.rectification.models import AcceptanceMethod, Category, Item, Report, Route, Source
from estatedesk.rectification.workflow import OPEN_STATUSES, ItemStatus
from estatedesk.workcal.due import DueState

__all__ = [
    "COLUMNS",
    "SHEET_COLUMNS",
    "Column",
    "Row",
    "Summary",
    "report_for",
    "report_rows",
    "sheet_items",
    "sheet_rows",
    "summarise",
    "unit_for",
]

# On the resident's sheet: items ready for the resident's inspection or past it.
AT_RESIDENT = (ItemStatus.TO_NOTIFY.value, ItemStatus.RESIDENT_CHECK.value, ItemStatus.ACCEPTED.value)


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # lazy: read in the reader's language when the paper is made


# The report's columns, in this order on paper and in the workbook.
COLUMNS: tuple[Column, ...] = (
    Column("no", _("No.")),
    Column("number", _("Item number")),
    Column("unit", _("Unit")),
    Column("location", _("Location")),
    Column("description", _("Description")),
    Column("category", _("Category")),
    Column("source", _("Source")),
    Column("fixed_by", _("Fixed by")),
    Column("measure", pgettext_lazy("rectification", "Measure")),
    Column("due_date", _("Completion date")),
    Column("round", _("Round")),
    Column("status", _("Status")),
    Column("accepted_on", _("Accepted on")),
    Column("method", _("Acceptance")),
)

# The resident's sheet: what the resident checks, then boxes to fill in by hand.
SHEET_COLUMNS: tuple[Column, ...] = (
    Column("no", _("No.")),
    Column("location", _("Location")),
    Column("description", _("Description")),
    Column("measure", pgettext_lazy("rectification", "Measure")),
    Column("round", _("Round")),
)


@dataclass(frozen=True)
class Row:
    """One item as the papers print it."""

    no: int
    number: str
    unit: str
    location: str
    description: str
    category: str
    source: str
    fixed_by: str
    measure: str
    due_date: date | None
    round: int
    status: str
    status_value: str
    accepted_on: date | None
    method: str
    overdue: bool

    @property
    def accepted(self) -> bool:
        return self.status_value == ItemStatus.ACCEPTED

    @property
    def at_resident(self) -> bool:
        return self.status_value in AT_RESIDENT

    def values(self, columns: Sequence[Column] = COLUMNS) -> list[Any]:
        """The row's cells in ``columns``' order (dates as YYYY-MM-DD text, blank when none)."""
        cells = []
        for column in columns:
            value = getattr(self, column.key)
            cells.append(value.isoformat() if isinstance(value, date) else value)
        return cells


@dataclass(frozen=True)
class Summary:
    total: int
    accepted: int
    first_round: int  # accepted in the first round
    open: int
    overdue: int
    cancelled: int


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def fixed_by(item: Item) -> str:
    """Who fixes it: our department, or the developer's team (the developer until a team is set)."""
    colon = pgettext("label: value", ": ")
    if item.route == Route.PROPERTY and item.department is not None:
        return f"{Route.PROPERTY.label}{colon}{item.department.name}"
    if item.route == Route.DEVELOPER:
        name = item.team.name if item.team is not None else (item.developer.name if item.developer else "")
        return f"{Route.DEVELOPER.label}{colon}{name}" if name else str(Route.DEVELOPER.label)
    return ""


def _day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment, company_zone()).date() if moment is not None else None


def _sort_key(item: Item) -> tuple[Any, ...]:
    if item.unit is None:
        return (1, [], natural_key(item.location), natural_key(item.number))
    return (0, natural_key(item.unit.label), natural_key(item.location), natural_key(item.number))


def _rows(items: Iterable[Item]) -> list[Row]:
    at, zone = now(), company_zone()
    rows = []
    for no, item in enumerate(sorted(items, key=_sort_key), start=1):
        rows.append(
            Row(
                no=no,
                number=item.number,
                unit=item.unit.label if item.unit is not None else str(Category.PUBLIC_AREAS.label),
                location=item.location,
                description=item.description,
                category=_label(Category, item.category),
                source=_label(Source, item.source),
                fixed_by=fixed_by(item),
                measure=item.measure,
                due_date=item.due_date,
                round=item.round,
                status=_label(ItemStatus, item.status),
                status_value=item.status,
                accepted_on=_day(item.accepted_at) if item.status == ItemStatus.ACCEPTED else None,
                method=_label(AcceptanceMethod, item.acceptance_method) if item.acceptance_method else "",
                overdue=due_of(item, at, zone) == DueState.OVERDUE,
            )
        )
    return rows


def _with_parts(items: QuerySet[Item]) -> QuerySet[Item]:
    return items.select_related("unit__building", "department", "team", "developer")


# --- The report (项目整改报告) ------------------------------------------------------------------


def report_for(user: Actor, pk: int) -> Report:
    """The report, if the reader may see it; else 404 like a missing one."""
    report = (
        selectors.reports_for(user)
        .select_related("estate", "developer", "finding_department", "created_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_rows(user: Actor, report: Report) -> list[Row]:
    """The report's items the reader may see: all of them for the property company, the
    developer's (or the team's) own for the developer's people."""
    return _rows(_with_parts(selectors.items_for(user).filter(report=report)))


def summarise(rows: Sequence[Row]) -> Summary:
    return Summary(
        total=len(rows),
        accepted=sum(r.accepted for r in rows),
        first_round=sum(r.accepted and r.round == 1 for r in rows),
        open=sum(r.status_value in OPEN_STATUSES for r in rows),
        overdue=sum(r.overdue for r in rows),
        cancelled=sum(r.status_value == ItemStatus.CANCELLED for r in rows),
    )


# --- The resident's acceptance sheet (住户验收单) ------------------------------------------------


def sheet_items(user: Actor, report: Report, unit_id: int) -> QuerySet[Item]:
    """The unit's items of the report, for the property side only (none for anyone else)."""
    # A unit id past 64 bits matches nothing (SQLite cannot even compare it through the foreign key).
    if selectors.side_of(user) != "property" or not 0 < unit_id <= MAX_ID:
        return Item.objects.none()
    return (
        selectors.items_for(user).filter(report=report, unit_id=unit_id).exclude(status=ItemStatus.CANCELLED)
    )


def unit_for(user: Actor, report: Report, unit_id: int) -> Unit:
    """The unit, when the reader is on the property side and the unit has items in the report."""
    if not sheet_items(user, report, unit_id).exists():
        raise Http404
    return Unit.objects.select_related("building", "estate").get(pk=unit_id)


def sheet_rows(user: Actor, report: Report, unit_id: int, *, with_open: bool) -> list[Row]:
    """The items the resident inspects (ready, waiting or accepted); with ``with_open`` also
    those still being rectified, which the sheet marks as not ready."""
    items = sheet_items(user, report, unit_id)
    if not with_open:
        items = items.filter(status__in=AT_RESIDENT)
    return _rows(_with_parts(items))
