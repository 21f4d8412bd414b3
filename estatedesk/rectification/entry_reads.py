"""What the entry pages read (SPEC R-1, R-2): the report the user may enter items into, its
estate's buildings and units in reading order, and a unit's items in the report.

Only the property company's people who enter items (``workflow.ENTRY_ROLES``) use these pages;
anyone else is refused by role before any look-up (403, the same for every id), and a report
out of the user's scope, or a unit outside the report's estate, is "not found" (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.sorting import natural_key
from estatedesk.org.models import Building, Unit
from estatedesk.org.selectors import search_units
from estatedesk.rectification import importer, selectors
from estatedesk.rectification.models import Item, Report
from estatedesk.rectification.workflow import ENTRY_ROLES


def may_enter(user: Actor) -> bool:
    return policy.role_of(user) in ENTRY_ROLES and selectors.side_of(user) == "property"


def entry_report(user: Actor, pk: int) -> Report:
    """The report, for someone who enters items: 403 by role first, then 404 out of scope."""
    if not may_enter(user):
        raise PermissionDenied
    report = selectors.reports_for(user).select_related("estate").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def unit_of(report: Report, unit_id: int) -> Unit:
    unit = Unit.objects.select_related("building").filter(pk=unit_id, estate_id=report.estate_id).first()
    if unit is None:
        raise Http404
    return unit


@dataclass
class UnitCell:
    unit: Unit
    items: int  # this report's items of the unit


@dataclass
class BuildingGroup:
    building: Building
    units: list[UnitCell] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(cell.items for cell in self.units)


def units_by_building(report: Report, q: str = "") -> list[BuildingGroup]:
    """The estate's buildings with their units, both in natural order (2栋 before 10栋), with item counts."""
    units = Unit.objects.filter(estate_id=report.estate_id).select_related("building")
    if q:
        units = search_units(units.select_related("estate"), q)
    counts = dict(
        Item.objects.filter(report=report, unit__isnull=False)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    groups: dict[int, BuildingGroup] = {}
    for unit in units:
        group = groups.setdefault(unit.building_id, BuildingGroup(unit.building))
        group.units.append(UnitCell(unit, counts.get(unit.pk, 0)))
    for group in groups.values():
        group.units.sort(key=lambda cell: natural_key(cell.unit.number))
    return sorted(groups.values(), key=lambda g: natural_key(g.building.name))


def building_names(report: Report) -> list[str]:
    names = Building.objects.filter(estate_id=report.estate_id).values_list("name", flat=True)
    return sorted(names, key=natural_key)


def items_here(report: Report, unit: Unit | None) -> QuerySet[Item]:
    """The report's items of the unit (of no unit: public areas), oldest first, with their photo counts."""
    items = Item.objects.filter(report=report)
    items = items.filter(unit=unit) if unit is not None else items.filter(unit__isnull=True)
    return items.annotate(photo_count=Count("photos", filter=Q(photos__stage="reported"))).order_by(
        "reported_at", "id"
    )


def item_row(item_id: int) -> Item:
    return Item.objects.annotate(photo_count=Count("photos", filter=Q(photos__stage="reported"))).get(
        pk=item_id
    )


def public_count(report: Report) -> int:
    return Item.objects.filter(report=report, unit__isnull=True).count()


def unit_index(report: Report) -> importer.UnitIndex:
    """The report's estate, unit by unit, for the importer."""
    index = importer.UnitIndex()
    units = Unit.objects.filter(estate_id=report.estate_id).select_related("building").order_by("pk")
    for unit in units.iterator(chunk_size=2000):
        index.add(unit.building.name, unit.number, unit)
    return index


def recorded_items(report: Report) -> dict[tuple[object, ...], str]:
    """The report's items by ``importer.item_key``, so a row recorded already is refused as such."""
    rows = Item.objects.filter(report=report).values_list("unit_id", "location", "description", "number")
    return {importer.item_key(unit, location, text): number for unit, location, text, number in rows}
