"""Reads of the rectification registers (SPEC R-2, R-3): reports with their counts by stage,
a report's items by unit, and the item list with its filters — all scoped by ``selectors``.

Counts are one grouped query for a whole page of reports; the item list pages ids first
(``core.paging``) with its related rows joined, so no page costs a query per row whatever the
number of items (the team's list is benchmarked at 200,000 items).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy, pgettext_lazy

from estatedesk.core.actors import Actor
from estatedesk.core.params import Params
from estatedesk.core.sorting import natural_key
from estatedesk.org.models import Department, DepartmentKind, Estate
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Category, Item, Report, Source
from estatedesk.rectification.workflow import FIXING_STATUSES, OPEN_STATUSES, ItemStatus

WITH_DEVELOPER = (
    ItemStatus.DEVELOPER_REVIEW.value,
    ItemStatus.TEAM_FIXING.value,
    ItemStatus.DEVELOPER_INSPECTION.value,
)
WITH_RESIDENT = (ItemStatus.TO_NOTIFY.value, ItemStatus.RESIDENT_CHECK.value)
# The rounds a filter offers; an item past the last is still listed without that filter.
ROUNDS = tuple(str(n) for n in range(1, 11))

STAGES = (
    ("open", pgettext_lazy("rectification", "Open")),
    ("with_developer", gettext_lazy("With the developer")),
    ("with_resident", gettext_lazy("Awaiting the resident")),
    ("accepted", gettext_lazy("Accepted")),
    ("overdue", gettext_lazy("Overdue")),
)


def overdue_q(today: date) -> Q:
    """Being fixed and past its completion date."""
    return Q(status__in=FIXING_STATUSES, due_date__lt=today)


def stage_counts(items: QuerySet[Item], report_ids: Iterable[int], today: date) -> dict[int, dict[str, int]]:
    """Items by stage for each report: one grouped query, whatever the number of reports."""
    ids = list(report_ids)
    counts = {pk: {k: 0 for k, _label in STAGES} for pk in ids}
    if not ids:
        return counts
    rows = (
        items.filter(report_id__in=ids)
        .order_by()
        .values("report_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            with_developer=Count("pk", filter=Q(status__in=WITH_DEVELOPER)),
            with_resident=Count("pk", filter=Q(status__in=WITH_RESIDENT)),
            accepted=Count("pk", filter=Q(status=ItemStatus.ACCEPTED)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    )
    for row in rows:
        found: dict[str, Any] = dict(row)
        counts[found["report_id"]] = {k: found[k] for k, _label in STAGES}
    return counts


def report_estates(user: Actor) -> list[Estate]:
    """The estates of the reports the user sees (the list's filter)."""
    return list(
        Estate.objects.filter(pk__in=selectors.reports_for(user).values("estate_id")).order_by("code")
    )


def report_rows(user: Actor, estate: int | None) -> QuerySet[Report]:
    reports = selectors.reports_for(user).select_related("estate", "developer", "finding_department")
    if estate is not None:
        reports = reports.filter(estate_id=estate)
    return reports.order_by("-created_at", "-id")


# --- A report's items, by unit ------------------------------------------------------------------


@dataclass
class UnitGroup:
    unit: Any  # a Unit, or None for public areas
    items: list[Item] = field(default_factory=list)


def items_by_unit(user: Actor, report: Report) -> list[UnitGroup]:
    """The report's items the user sees, by unit in reading order (2栋 before 10栋), public areas last."""
    items = (
        selectors.items_for(user)
        .filter(report=report)
        .select_related("unit__building", "team", "department")
        .order_by("unit_id", "reported_at", "id")
    )
    groups: dict[int | None, UnitGroup] = {}
    for item in items:
        group = groups.setdefault(item.unit_id, UnitGroup(item.unit))
        group.items.append(item)
    units = [g for key, g in groups.items() if key is not None]
    units.sort(key=lambda g: (natural_key(g.unit.building.name), natural_key(g.unit.number)))
    return units + ([groups[None]] if None in groups else [])


# --- The item list ------------------------------------------------------------------------------

FILTER_LABELS = {
    "estate": gettext_lazy("estate"),
    "status": gettext_lazy("status"),
    "category": gettext_lazy("category"),
    "source": gettext_lazy("source"),
    "round": gettext_lazy("round"),
    "team": gettext_lazy("rectification team"),
}


def team_choices(user: Actor) -> QuerySet[Department]:
    """The rectification teams whose items the user may see."""
    teams = Department.objects.filter(kind=DepartmentKind.RECTIFICATION_TEAM)
    side = selectors.side_of(user)
    if side == "developer":
        return teams.filter(developer_id__in=selectors.developer_ids(user)).order_by("name")
    if side == "team":
        return teams.filter(pk__in=selectors.team_ids(user)).order_by("name")
    if side == "property":
        if selectors.sees_whole_company(user):
            return teams.order_by("name")
        estates = Estate.objects.filter(pk__in=selectors.estates_for(user).values("pk"))
        return teams.filter(developer__estates__in=estates).distinct().order_by("name")
    return teams.none()


def estate_choices(user: Actor) -> list[tuple[str, str]]:
    if selectors.side_of(user) == "property":
        estates: Iterable[Estate] = selectors.estates_for(user)
    else:
        estates = report_estates(user)
    return [(str(e.pk), e.name) for e in estates]


@dataclass
class ItemFilters:
    values: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    choices: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)

    def fields(self) -> list[tuple[str, Any, list[tuple[str, Any]], str]]:
        return [(k, FILTER_LABELS[k], c, self.values.get(k, "")) for k, c in self.choices.items()]


def filter_items(user: Actor, query: Any, today: date) -> tuple[QuerySet[Item], ItemFilters]:
    """The item list's filters (shared by the page, the export and a refused bulk action)."""
    params = Params(query)
    result = ItemFilters(
        choices={
            "estate": estate_choices(user),
            "status": list(ItemStatus.choices),
            "category": list(Category.choices),
            "source": list(Source.choices),
            "round": [(r, r) for r in ROUNDS],
            "team": [(str(t.pk), t.name) for t in team_choices(user)],
        }
    )
    items = selectors.items_for(user)
    column = {"estate": "estate_id", "team": "team_id"}
    for key, choices in result.choices.items():
        value = params.choice(key, (v for v, _label in choices), FILTER_LABELS[key])
        if value:
            result.values[key] = value
            items = items.filter(**{column.get(key, key): value})
    report = params.id("report")
    if report is not None:
        result.values["report"] = str(report)
        items = items.filter(report_id=report)
    if params.flag("overdue"):
        result.values["overdue"] = "1"
        items = items.filter(overdue_q(today))
    text = params.text("q")
    if text:
        result.values["q"] = text
        items = items.filter(Q(number__iexact=text) | Q(location__icontains=text))
    result.notes = params.notes
    return items, result


def ordered(items: QuerySet[Item], side: str, today: date) -> QuerySet[Item]:
    """Overdue first, then soonest due, for those who fix; newest first for the property company."""
    if side in ("developer", "team"):
        late = Case(When(overdue_q(today), then=Value(0)), default=Value(1), output_field=IntegerField())
        return items.order_by(late, F("due_date").asc(nulls_last=True), "-id")
    return items.order_by("-reported_at", "-id")


def with_rows(items: QuerySet[Item]) -> QuerySet[Item]:
    """What a row shows, joined: no query per row."""
    return items.select_related("estate", "report", "unit__building", "team", "department", "developer")


def report_title(user: Actor, report_id: str) -> Report | None:
    """The report a filtered list names, if the user sees it (for the list's heading)."""
    if not report_id:
        return None
    return selectors.reports_for(user).filter(pk=int(report_id)).first()
