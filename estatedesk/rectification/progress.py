"""The rectification progress of a user's scope (SPEC R-5): by estate, batch, team, category
and round, with the totals.

Every figure comes from **one grouped query** over the items the user may see
(``selectors.items_for``), grouped by estate, report, team, department, category and round with
conditional counts; the five tables and the totals are folded from those groups in Python
(``figures.Counts``). The names come from three more queries (estates, reports, departments),
so the page costs the same number of queries for ten items or two hundred thousand
(``tests/rectification/test_progress.py``, ``bench/rectification_progress.py``). The groups are
bounded by reports × teams × categories × rounds, not by the items.

Filters: the estate, the report (batch) and the period the items were reported in (company
days, both ends included). Out of scope ids simply match nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, FloatField, Func, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.params import Params
from estatedesk.core.sorting import natural_key
from estatedesk.org.models import Department, Estate
from estatedesk.rectification import selectors
from estatedesk.rectification.figures import Counts, total
from estatedesk.rectification.models import Category, Item
from estatedesk.rectification.workflow import FIXING_STATUSES, ItemStatus

S = ItemStatus
WITH_PROPERTY = (S.REPORTED, S.PROPERTY_FIXING)
WITH_DEVELOPER = (S.DEVELOPER_REVIEW, S.TEAM_FIXING, S.DEVELOPER_INSPECTION)
AWAITING_RESIDENT = (S.TO_NOTIFY, S.RESIDENT_CHECK)
DIMENSIONS = ("estate", "report", "team", "category", "round")
UNASSIGNED = 0  # the team key of items nobody fixes yet


class DaysBetween(Func):
    """Days (with fractions) from ``start`` to ``end``, computed by the database.

    Django's own datetime subtraction calls a Python function per row on SQLite; julianday is
    SQLite's built-in, and PostgreSQL subtracts timestamps natively."""

    output_field = FloatField()
    arity = 2
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"  # PostgreSQL
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )


@dataclass(frozen=True)
class Filters:
    estate: int | None = None
    report: int | None = None
    reported_from: date | None = None
    reported_to: date | None = None

    def query(self) -> dict[str, str]:
        """As a query string's values (the export links keep the page's filters)."""
        values = {
            "estate": str(self.estate or ""),
            "report": str(self.report or ""),
            "from": self.reported_from.isoformat() if self.reported_from else "",
            "to": self.reported_to.isoformat() if self.reported_to else "",
        }
        return {k: v for k, v in values.items() if v}


def read_filters(params: Params) -> Filters:
    return Filters(
        estate=params.id("estate"),
        report=params.id("report"),
        reported_from=params.day("from"),
        reported_to=params.day("to"),
    )


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    counts: Counts


@dataclass(frozen=True)
class Table:
    key: str  # estate, report, team, category, round
    title: str  # "By estate": the section's heading and the sheet's name
    header: str  # the first column's heading
    rows: list[Row]
    total: Counts


@dataclass
class Progress:
    filters: Filters
    today: date
    tables: list[Table]
    total: Counts
    estates: list[tuple[int, str]] = field(default_factory=list)  # the filter's choices
    reports: list[tuple[int, str]] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _scoped(user: Actor, filters: Filters) -> QuerySet[Item]:
    items = selectors.items_for(user).exclude(status=S.CANCELLED)
    if filters.estate:
        items = items.filter(estate_id=filters.estate)
    if filters.report:
        items = items.filter(report_id=filters.report)
    zone = company_zone()
    if filters.reported_from:
        items = items.filter(reported_at__gte=datetime.combine(filters.reported_from, time.min, tzinfo=zone))
    if filters.reported_to:
        end = datetime.combine(filters.reported_to + timedelta(days=1), time.min, tzinfo=zone)
        items = items.filter(reported_at__lt=end)
    return items


def _groups(items: QuerySet[Item], today: date) -> list[dict[str, Any]]:
    accepted = Q(status=S.ACCEPTED)
    groups: Any = (
        items.order_by()
        .values("estate_id", "report_id", "team_id", "department_id", "category", "round")
        .annotate(
            items=Count("pk"),
            with_property=Count("pk", filter=Q(status__in=WITH_PROPERTY)),
            with_developer=Count("pk", filter=Q(status__in=WITH_DEVELOPER)),
            awaiting_resident=Count("pk", filter=Q(status__in=AWAITING_RESIDENT)),
            accepted=Count("pk", filter=accepted),
            overdue=Count("pk", filter=Q(status__in=FIXING_STATUSES, due_date__lt=today)),
            accepted_first_round=Count("pk", filter=accepted & Q(round=1)),
            days_to_accept=Sum(
                DaysBetween(F("accepted_at"), F("reported_at")),
                filter=accepted & Q(accepted_at__isnull=False),
            ),
        )
    )
    return list(groups)


# The summed columns, in ``Counts``' field order.
SUMMED = tuple(f.name for f in fields(Counts))


def _key(dimension: str, group: dict[str, Any]) -> Any:
    if dimension == "team":
        # The developer's team when it has one (an item escalated after our own attempt keeps
        # our department too), else our department, else nobody yet.
        return group["team_id"] or group["department_id"] or UNASSIGNED
    if dimension in ("estate", "report"):
        return group[f"{dimension}_id"]
    return group[dimension]


def _fold(groups: Iterable[dict[str, Any]], dimension: str) -> dict[Any, Counts]:
    """The groups summed by one dimension. Plain lists, not ``Counts`` additions: at 200,000
    items there are thousands of groups and five dimensions."""
    folded: dict[Any, list[Any]] = {}
    for group in groups:
        key = _key(dimension, group)
        sums = folded.get(key)
        if sums is None:
            folded[key] = [group[name] or 0 for name in SUMMED]
        else:
            for i, name in enumerate(SUMMED):
                sums[i] += group[name] or 0
    return {key: Counts(*sums) for key, sums in folded.items()}


def _rows(folded: dict[Any, Counts], label: Callable[[Any], str], order: Callable[[Any], Any]) -> list[Row]:
    return [Row(key, label(key), folded[key]) for key in sorted(folded, key=order)]


def build(user: Actor, filters: Filters) -> Progress:
    """The progress tables of the user's scope under ``filters``: four queries in all."""
    today = company_today()
    items = _scoped(user, filters)
    groups = _groups(items, today)
    in_scope = selectors.items_for(user)
    estates = {
        e.pk: (e.code, e.name)
        for e in Estate.objects.filter(pk__in=in_scope.values("estate_id")).only("id", "code", "name")
    }
    reports = {
        r.pk: (r.estate_id, r.number, r.title)
        for r in selectors.reports_for(user)
        .filter(pk__in=in_scope.values("report_id"))
        .only("id", "estate_id", "number", "title")
    }
    team_keys = {_key("team", g) for g in groups} - {UNASSIGNED}
    departments = {
        d.pk: (d.developer_id is not None, d.name)
        for d in Department.objects.filter(pk__in=team_keys).only("id", "name", "developer_id")
    }
    categories = {value: str(label) for value, label in Category.choices}
    category_order = list(categories)

    def estate_label(pk: int) -> str:
        return estates.get(pk, ("", "—"))[1]

    def report_label(pk: int) -> str:
        _estate, number, title = reports.get(pk, (0, "", "—"))
        return f"{number} {title}".strip()

    def team_label(pk: int) -> str:
        return departments[pk][1] if pk in departments else pgettext("rectification", "Not assigned yet")

    def team_order(pk: int) -> Any:
        developer, name = departments.get(pk, (True, "\uffff"))
        return (pk == UNASSIGNED, developer, natural_key(name))

    tables = [
        Table(
            "estate",
            _("By estate"),
            _("Estate"),
            _rows(
                _fold(groups, "estate"), estate_label, lambda pk: natural_key(estates.get(pk, ("", ""))[0])
            ),
            Counts(),
        ),
        Table(
            "report",
            _("By batch"),
            pgettext("rectification", "Report (batch)"),
            _rows(_fold(groups, "report"), report_label, lambda pk: reports.get(pk, (0, "", ""))[1]),
            Counts(),
        ),
        Table(
            "team",
            _("By team or department"),
            _("Fixed by"),
            _rows(_fold(groups, "team"), team_label, team_order),
            Counts(),
        ),
        Table(
            "category",
            _("By category"),
            _("Category"),
            _rows(
                _fold(groups, "category"),
                lambda value: categories.get(value, value),
                lambda value: category_order.index(value) if value in categories else len(categories),
            ),
            Counts(),
        ),
        Table(
            "round",
            _("By round"),
            pgettext("rectification", "Round"),
            _rows(
                _fold(groups, "round"),
                lambda n: pgettext("rectification", "Round %(number)d") % {"number": n},
                lambda n: n,
            ),
            Counts(),
        ),
    ]
    grand = total(_fold(groups, "round").values())
    tables = [Table(t.key, t.title, t.header, t.rows, grand) for t in tables]
    in_estate = [
        (pk, f"{number} {title}")
        for pk, (estate_id, number, title) in sorted(reports.items(), key=lambda kv: kv[1][1], reverse=True)
        if not filters.estate or estate_id == filters.estate
    ]
    return Progress(
        filters=filters,
        today=today,
        tables=tables,
        total=grand,
        estates=[
            (pk, name) for pk, (_code, name) in sorted(estates.items(), key=lambda kv: natural_key(kv[1][0]))
        ],
        reports=in_estate,
    )
