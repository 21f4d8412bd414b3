"""Reads of the organisation, always through the user's scope (SPEC P-1)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.db.models import Count, Q, QuerySet

from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.prepared import Prepared
from estatedesk.org.models import (
    Building,
    CommitteeMember,
    Customer,
    Department,
    Developer,
    Estate,
    PrivacyNotice,
    Staff,
    Unit,
)


def estates_for(user: Actor | None) -> QuerySet[Estate]:
    return policy.scope_by_estate(user, Estate.objects.all(), field="id")


# One record by id, compiled once per process (``core.prepared``): the API's create asks for
# the estate, customer and unit it is given on every request (decision 0070).
_ESTATE = Prepared(lambda *, pk: Estate.objects.filter(pk=pk)[:1], pk=-424_242)
_CUSTOMER = Prepared(
    lambda *, estate_id, pk: Customer.objects.select_related("estate").filter(estate_id=estate_id, pk=pk)[:1],
    estate_id=-424_242,
    pk=-525_252,
)
_UNIT = Prepared(
    lambda *, estate_id, pk: Unit.objects.select_related("building", "estate").filter(
        estate_id=estate_id, pk=pk
    )[:1],
    estate_id=-424_242,
    pk=-525_252,
)


def estate_for(user: Actor | None, pk: int) -> Estate | None:
    """``estates_for(user).filter(pk=pk).first()``: the estate, if the user's scope holds it."""
    ids = policy.estate_ids(user)
    if ids is not None and pk not in ids:
        return None
    return _ESTATE.first(pk=pk)


def customer_in(estate: Estate, pk: int) -> Customer | None:
    """The customer of an estate already checked to be in the user's scope (``estate_for``):
    ``customers_for(user).filter(estate=estate, pk=pk).first()``."""
    return _CUSTOMER.first(estate_id=estate.pk, pk=pk)


def unit_in(estate: Estate, pk: int) -> Unit | None:
    """The unit of an estate already in the user's scope: ``units_for(user).filter(estate=…, pk=pk)``."""
    return _UNIT.first(estate_id=estate.pk, pk=pk)


def buildings_for(user: Actor | None) -> QuerySet[Building]:
    return policy.scope_by_estate(user, Building.objects.select_related("estate"))


def units_for(user: Actor | None) -> QuerySet[Unit]:
    return policy.scope_by_estate(user, Unit.objects.select_related("building", "estate"))


def customers_for(user: Actor | None) -> QuerySet[Customer]:
    return policy.scope_by_estate(user, Customer.objects.select_related("estate"))


def committee_for(user: Actor | None) -> QuerySet[CommitteeMember]:
    return policy.scope_by_estate(user, CommitteeMember.objects.select_related("estate", "customer"))


def departments_for(user: Actor | None) -> QuerySet[Department]:
    return policy.scope_departments(user, Department.objects.select_related("estate", "developer"))


def developers_for(user: Actor | None) -> QuerySet[Developer]:
    return Developer.objects.all() if policy.is_staff_member(user) else Developer.objects.none()


def staff_for(user: Actor | None) -> QuerySet[Staff]:
    return policy.scope_staff(user, Staff.objects.select_related("user"))


_UNIT_QUERY = re.compile(r"^\s*(?P<building>[^\s\-/]+)\s*[-/\s]\s*(?P<number>\S+)\s*$")


# Building words that differ between the scripts: a Traditional-script user types 3棟 for 3栋.
_BUILDING_WORDS = {"栋": "棟", "号楼": "號樓", "座": "座"}


def _script_variants(building: str) -> set[str]:
    variants = {building}
    for simplified, traditional in _BUILDING_WORDS.items():
        variants.add(building.replace(simplified, traditional))
        variants.add(building.replace(traditional, simplified))
    return variants


def search_units(queryset: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    """'3-1201', '3 1201', '3栋/1201' find building 3 unit 1201; a single word matches either."""
    q = (q or "").strip()
    if not q:
        return queryset
    match = _UNIT_QUERY.match(q)
    if match:
        return _building_and_number(queryset, sorted(_script_variants(match["building"])), match["number"])
    return _one_word(queryset, q)


def _building_and_number(queryset: QuerySet[Unit], buildings: list[str], number: str) -> QuerySet[Unit]:
    names = Q()
    for building in buildings:
        names |= Q(building__name__iexact=building) | Q(building__name__istartswith=building)
    return queryset.filter(names, number__iexact=number)


def _one_word(queryset: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    return queryset.filter(Q(number__iexact=q) | Q(building__name__iexact=q) | Q(estate__name__icontains=q))


@cache
def _estate_units(spellings: int, limit: int) -> Prepared[Unit]:
    """The portal form's search of one estate's units (with their buildings), compiled once per
    process and shape (``core.prepared``): the building's spellings as b0, b1, … and the
    number, or one word q (``spellings`` 0); ``limit`` rows."""

    def build(**values: Any) -> QuerySet[Unit]:
        units = Unit.objects.filter(estate_id=values["estate_id"]).select_related("building")
        if "q" in values:
            return _one_word(units, values["q"])[:limit]
        buildings = [values[f"b{i}"] for i in range(spellings)]
        return _building_and_number(units, buildings, values["number"])[:limit]

    # Text samples with an underscore: found again after the LIKE escaping (core.prepared).
    samples: dict[str, Any] = {"estate_id": -424_242}
    if spellings:
        samples |= {f"b{i}": f"\x01b_{i}\x01" for i in range(spellings)}
        samples["number"] = "\x01n_\x01"
    else:
        samples["q"] = "\x01q_\x01"
    return Prepared(build, **samples)


def estate_units_matching(estate_id: int, text: str, limit: int) -> list[Unit]:
    """``search_units(Unit.objects.filter(estate_id=…), text).select_related("building")[:limit]``
    for a text that is not empty."""
    q = text.strip()
    match = _UNIT_QUERY.match(q)
    values: dict[str, Any] = {"estate_id": estate_id}
    if match:
        buildings = sorted(_script_variants(match["building"]))
        values |= {f"b{i}": b for i, b in enumerate(buildings)}
        values["number"] = match["number"]
        spellings = len(buildings)
    else:
        values["q"] = q
        spellings = 0
    return list(_estate_units(spellings, limit).rows(**values))


def search_customers(queryset: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """A name (part of it) or a full phone number, matched through its blind index."""
    q = (q or "").strip()
    if not q:
        return queryset
    if crypto.is_valid_phone(q):
        return queryset.filter(phone_index=crypto.blind_index(q))
    return queryset.filter(name__icontains=q)


def estate_summary(estate: Estate) -> dict[str, int]:
    units = estate.units.aggregate(total=Count("id"), occupied=Count("id", filter=Q(occupied=True)))
    return {
        "buildings": estate.buildings.count(),
        "units": units["total"],
        "occupied": units["occupied"],
        "customers": estate.customers.count(),
    }


def privacy_notices() -> QuerySet[PrivacyNotice]:
    """Every version of the portal's privacy notice, newest first. Company-wide and public
    text: every staff member may read every version (complaints point at them)."""
    return PrivacyNotice.objects.order_by("-version")
