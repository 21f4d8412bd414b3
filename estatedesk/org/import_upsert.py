"""The write path of the roster import: checked rows in, estates … occupancies upserted.

Speed (a 100,000-unit roster in well under two minutes on SQLite) comes from never asking
the database per row: everything that could match is loaded once into dictionaries, the
differences are worked out in memory, and the writes go out as bulk inserts and updates,
with their history rows written in bulk too (SPEC P-2, history user = the importing user).

Writes are committed in batches of ``BATCH`` records, each in its own short transaction, so
a large import never holds SQLite's single write lock for long and the office can keep
working while it runs. If an import stops half-way, importing the same file again finishes
it: every match is by natural key, so nothing is ever created twice.

Matching and writing go stage by stage (estates, buildings, units, customers, occupancies),
because each stage needs the ids of the records the stage before it created. The import
job that calls ``import_rows`` is in ``import_service``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from estatedesk.core import crypto
from estatedesk.core.actors import Actor, user_of
from estatedesk.org import importer
from estatedesk.org.models import (
    Building,
    Customer,
    CustomerKind,
    Estate,
    EstateKind,
    Occupancy,
    Unit,
    UnitKind,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BATCH = 2000

M = TypeVar("M", bound=models.Model)

CREATED, UPDATED = 2, 1


@dataclass
class Outcome:
    created: int = 0  # rows that added at least one record
    updated: int = 0  # rows that changed records but added none
    unchanged: int = 0
    rejected: int = 0
    summary: dict[str, dict[str, int]] = field(default_factory=dict)


class _Rows:
    """What happened to each row: the strongest of created > updated > unchanged."""

    def __init__(self, rows: Sequence[importer.RosterRow]):
        self.state = dict.fromkeys((r.row for r in rows), 0)

    def mark(self, row: int, what: int) -> None:
        if self.state[row] < what:
            self.state[row] = what

    def counts(self) -> tuple[int, int, int]:
        values = list(self.state.values())
        return values.count(CREATED), values.count(UPDATED), values.count(0)


def _chunks(items: Sequence[M], size: int = BATCH) -> Iterable[Sequence[M]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Stamp:
    """Who, when and why, written on every history row of one import (SPEC P-2)."""

    user: User | None
    reason: str
    at: datetime


def _create(objs: list[M], model: type[M], stamp: _Stamp) -> None:
    for chunk in _chunks(objs):
        with transaction.atomic():
            bulk_create_with_history(
                list(chunk),
                model,
                batch_size=500,
                default_user=stamp.user,
                default_change_reason=stamp.reason,
                default_date=stamp.at,
            )


def _update(objs: list[M], model: type[M], fields: list[str], stamp: _Stamp) -> None:
    for chunk in _chunks(objs):
        with transaction.atomic():
            bulk_update_with_history(
                list(chunk),
                model,
                fields,
                batch_size=500,
                default_user=stamp.user,
                default_change_reason=stamp.reason,
                default_date=stamp.at,
            )


def _fetch(model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """Full instances (history copies every field), only for the records that change."""
    ids = list(ids)
    found: dict[int, M] = {}
    for start in range(0, len(ids), 500):
        found.update(model._default_manager.in_bulk(ids[start : start + 500]))
    return found


def _next_codes(existing: set[str], count: int) -> list[str]:
    codes: list[str] = []
    number = len(existing) + 1
    while len(codes) < count:
        code = f"E{number:03d}"
        if code not in existing:
            codes.append(code)
        number += 1
    return codes


def import_rows(*, actor: Actor, rows: Sequence[importer.RosterRow], reason: str = "") -> Outcome:
    """Upsert the checked rows. Matching: estates by name, buildings by (estate, name), units by
    (building, number), customers by (estate, phone) when a phone is given, else by
    (estate, name, unit); a missing occupancy link is created."""
    stamp = _Stamp(user=user_of(actor), reason=reason, at=timezone.now())
    status = _Rows(rows)
    summary: dict[str, dict[str, int]] = {}

    def note(kind: str, created: int, updated: int) -> None:
        summary[kind] = {"created": created, "updated": updated}

    # --- Estates (few: load them all) ----------------------------------------------------
    estates = {e.name: e for e in Estate.objects.all()}
    first_row: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for r in rows:
        first_row.setdefault(r.estate, r.row)
        if r.estate_kind is not None:
            kinds.setdefault(r.estate, r.estate_kind)
    new_names = [name for name in first_row if name not in estates]
    codes = _next_codes(set(Estate.objects.values_list("code", flat=True)), len(new_names))
    new_estates = [
        Estate(name=name, code=code, kind=kinds.get(name, EstateKind.RESIDENTIAL))
        for name, code in zip(new_names, codes, strict=True)
    ]
    changed_estates = []
    for name, kind in kinds.items():
        estate = estates.get(name)
        if estate is not None and estate.kind != kind:
            estate.kind = kind
            changed_estates.append(estate)
            status.mark(first_row[name], UPDATED)
    _create(new_estates, Estate, stamp)
    _update(changed_estates, Estate, ["kind"], stamp)
    for estate in new_estates:
        estates[estate.name] = estate
        status.mark(first_row[estate.name], CREATED)
    note("estates", len(new_estates), len(changed_estates))
    estate_ids = sorted({estates[name].pk for name in first_row})
    office = {estates[name].pk for name in first_row if estates[name].kind == EstateKind.OFFICE}

    # --- Buildings --------------------------------------------------------------------------
    buildings = {
        (estate_id, name): pk
        for pk, estate_id, name in Building.objects.filter(estate_id__in=estate_ids).values_list(
            "id", "estate_id", "name"
        )
    }
    new_buildings: dict[tuple[int, str], Building] = {}
    for r in rows:
        key = (estates[r.estate].pk, r.building)
        if key not in buildings and key not in new_buildings:
            new_buildings[key] = Building(estate_id=key[0], name=r.building)
            status.mark(r.row, CREATED)
    _create(list(new_buildings.values()), Building, stamp)
    buildings.update({key: b.pk for key, b in new_buildings.items()})
    note("buildings", len(new_buildings), 0)

    # --- Units ------------------------------------------------------------------------------
    # (building id, number) -> [id, floor, area, kind, occupied]
    units: dict[tuple[int, str], list[Any]] = {
        (building_id, number): [pk, floor, area, kind, occupied]
        for pk, building_id, number, floor, area, kind, occupied in Unit.objects.filter(
            estate_id__in=estate_ids
        ).values_list("id", "building_id", "number", "floor", "area", "kind", "occupied")
    }
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    unit_first_row: dict[tuple[int, str], int] = {}
    row_unit: dict[int, tuple[int, str]] = {}
    for r in rows:
        estate_id = estates[r.estate].pk
        key = (buildings[(estate_id, r.building)], r.unit)
        row_unit[r.row] = key
        merged = wanted.setdefault(key, {"estate_id": estate_id})
        unit_first_row.setdefault(key, r.row)
        # The parser rejected rows that disagree, so filling blanks in row order is enough.
        for name, value in (
            ("floor", r.floor),
            ("area", r.area),
            ("kind", r.unit_kind),
            ("occupied", r.occupied),
        ):
            if value is not None and name not in merged:
                merged[name] = value
    new_units: list[Unit] = []
    changes: dict[int, dict[str, Any]] = {}
    for key, merged in wanted.items():
        existing = units.get(key)
        if existing is None:
            default_kind = UnitKind.OFFICE if merged["estate_id"] in office else UnitKind.FLAT
            new_units.append(
                Unit(
                    estate_id=merged["estate_id"],
                    building_id=key[0],
                    number=key[1],
                    floor=merged.get("floor"),
                    area=merged.get("area"),
                    kind=merged.get("kind", default_kind),
                    occupied=merged.get("occupied", False),
                )
            )
            status.mark(unit_first_row[key], CREATED)
            continue
        pk, floor, area, kind, occupied = existing
        diff = {
            name: merged[name]
            for name, current in (("floor", floor), ("area", area), ("kind", kind), ("occupied", occupied))
            if name in merged and merged[name] != current
        }
        if diff:
            changes[pk] = diff
            status.mark(unit_first_row[key], UPDATED)
    changed_units = _fetch(Unit, changes)
    for pk, diff in changes.items():
        for name, value in diff.items():
            setattr(changed_units[pk], name, value)
    _create(new_units, Unit, stamp)
    _update(list(changed_units.values()), Unit, ["floor", "area", "kind", "occupied"], stamp)
    for unit in new_units:
        units[(unit.building_id, unit.number)] = [unit.pk]
    note("units", len(new_units), len(changed_units))

    # --- Customers --------------------------------------------------------------------------
    customer_rows = [r for r in rows if r.customer]
    _import_customers(customer_rows, estates, units, row_unit, office, status, note, stamp)

    created, updated, unchanged = status.counts()
    return Outcome(created=created, updated=updated, unchanged=unchanged, summary=summary)


@dataclass(slots=True)
class _Plan:
    """One customer as the file describes them."""

    first_row: int
    estate_id: int
    pk: int | None
    name: str
    kind: str | None = None
    phone: str = ""
    phone_index: str = ""
    email: str = ""


def _import_customers(
    rows: Sequence[importer.RosterRow],
    estates: dict[str, Estate],
    units: dict[tuple[int, str], list[Any]],
    row_unit: dict[int, tuple[int, str]],
    office: set[int],
    status: _Rows,
    note: Any,
    stamp: _Stamp,
) -> None:
    estate_ids = sorted({estates[r.estate].pk for r in rows})
    # Compared by blind index, so no stored phone has to be decrypted to find a match.
    existing: dict[int, tuple[int, str, str, str, str]] = {}
    by_phone: dict[tuple[int, str], int] = {}
    for pk, estate_id, name, kind, phone_index, email in (
        Customer.objects.filter(estate_id__in=estate_ids)
        .order_by("id")
        .values_list("id", "estate_id", "name", "kind", "phone_index", "email")
    ):
        existing[pk] = (estate_id, name, kind, phone_index, email)
        if phone_index:
            by_phone.setdefault((estate_id, phone_index), pk)
    links: dict[tuple[int, int], tuple[int, str]] = {}
    by_name_unit: dict[tuple[int, str, int], int] = {}
    for pk, unit_id, customer_id, relation in (
        Occupancy.objects.filter(customer__estate_id__in=estate_ids)
        .order_by("id")
        .values_list("id", "unit_id", "customer_id", "relation")
    ):
        links[(unit_id, customer_id)] = (pk, relation)
        if customer_id in existing:
            estate_id, name = existing[customer_id][:2]
            by_name_unit.setdefault((estate_id, name, unit_id), customer_id)

    plans: dict[tuple[Any, ...], _Plan] = {}
    plan_of_customer: dict[int, _Plan] = {}
    claimed_by_phone: set[int] = set()
    row_plan: list[tuple[importer.RosterRow, _Plan, int]] = []
    for r in rows:
        identity = r.customer_identity
        assert identity is not None
        estate_id = estates[r.estate].pk
        unit_id = units[row_unit[r.row]][0]
        plan = plans.get(identity)
        if plan is None:
            phone_index = crypto.blind_index(r.phone) if r.phone else ""
            match = by_phone.get((estate_id, phone_index)) if phone_index else None
            if match is None:
                # Same name at the same unit: the same person, perhaps with a new phone number.
                match = by_name_unit.get((estate_id, r.customer, unit_id))
                if match is not None and phone_index and match in claimed_by_phone:
                    match = None
            if phone_index and match is not None:
                claimed_by_phone.add(match)
            plan = plan_of_customer.get(match) if match is not None else None
            if plan is None:
                plan = _Plan(first_row=r.row, estate_id=estate_id, pk=match, name=r.customer)
                if match is not None:
                    plan_of_customer[match] = plan
            plans[identity] = plan
            if phone_index and not plan.phone:
                plan.phone, plan.phone_index = r.phone, phone_index
        if plan.kind is None and r.customer_type is not None:
            plan.kind = r.customer_type
        if r.email and not plan.email:
            plan.email = r.email
        row_plan.append((r, plan, unit_id))

    def default_kind(estate_id: int) -> str:
        return CustomerKind.OFFICE_TENANT if estate_id in office else CustomerKind.OWNER

    new_customers: list[Customer] = []
    new_plans: list[_Plan] = []
    changes: dict[int, _Plan] = {}
    for plan in {id(p): p for p in plans.values()}.values():
        if plan.pk is None:
            customer = Customer(
                estate_id=plan.estate_id,
                name=plan.name,
                kind=plan.kind or default_kind(plan.estate_id),
                email=plan.email,
            )
            customer.phone, customer.phone_index = plan.phone, plan.phone_index
            new_customers.append(customer)
            new_plans.append(plan)
            status.mark(plan.first_row, CREATED)
            continue
        _estate_id, name, kind, phone_index, email = existing[plan.pk]
        if (
            plan.name != name
            or (plan.kind is not None and plan.kind != kind)
            or (plan.phone_index and plan.phone_index != phone_index)
            or (plan.email and plan.email != email)
        ):
            changes[plan.pk] = plan
            status.mark(plan.first_row, UPDATED)
    changed = _fetch(Customer, changes)
    for pk, plan in changes.items():
        customer = changed[pk]
        customer.name = plan.name
        customer.kind = plan.kind or customer.kind
        if plan.phone_index:
            customer.phone, customer.phone_index = plan.phone, plan.phone_index
        if plan.email:
            customer.email = plan.email
    _create(new_customers, Customer, stamp)
    _update(
        list(changed.values()),
        Customer,
        ["name", "kind", "phone", "phone_index", "email"],
        stamp,
    )
    for plan, customer in zip(new_plans, new_customers, strict=True):
        plan.pk = customer.pk
    note("customers", len(new_customers), len(changed))

    # --- Occupancies ------------------------------------------------------------------------
    new_links: dict[tuple[int, int], Occupancy] = {}
    relation_changes: dict[int, str] = {}
    for r, plan, unit_id in row_plan:
        assert plan.pk is not None
        key = (unit_id, plan.pk)
        relation = r.customer_type or plan.kind or default_kind(plan.estate_id)
        current = links.get(key)
        if current is None:
            if key not in new_links:
                new_links[key] = Occupancy(unit_id=unit_id, customer_id=plan.pk, relation=relation)
                status.mark(r.row, CREATED)
        elif (
            r.customer_type is not None
            and current[1] != r.customer_type
            and current[0] not in relation_changes
        ):
            relation_changes[current[0]] = r.customer_type
            status.mark(r.row, UPDATED)
    changed_links = _fetch(Occupancy, relation_changes)
    for pk, relation in relation_changes.items():
        changed_links[pk].relation = relation
    _create(list(new_links.values()), Occupancy, stamp)
    _update(list(changed_links.values()), Occupancy, ["relation"], stamp)
    note("occupancies", len(new_links), len(changed_links))
