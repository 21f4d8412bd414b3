"""Estates, buildings, units and customers over the API (SPEC A-2, P-1, D-3).

Same rules as the web pages: reads come from ``selectors.*_for(user)`` so staff see only
their scope, and an id outside it is a 404; estates and buildings are changed by
administrators, units and customers by those who may edit the estate's roster; every write
goes through ``estatedesk.org.services``. Phone numbers are only ever returned masked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyId,
    Id,
    Input,
    JsonInt,
    Paging,
    current_user,
    invalid,
    omissible,
    paginate,
    responses,
    text,
)
from estatedesk.org import selectors, services
from estatedesk.org.channels import Use
from estatedesk.org.models import (
    Building,
    Channel,
    ChannelKind,
    Customer,
    CustomerKind,
    Estate,
    EstateKind,
    Unit,
    UnitKind,
)

router = Router()

SearchText = Annotated[str, text(100)]


def _only_admin(user: Actor) -> None:
    if not policy.is_admin(user):
        raise PermissionDenied(_("Only administrators may change this."))


def _may_edit_roster(user: Actor, estate_id: int | None) -> None:
    """Units and customers: the web interface's rule (administrators, and office leads in their estates)."""
    if policy.role_of(user) in policy.READ_ONLY_ROLES or not policy.can_edit_roster(user, estate_id):
        raise PermissionDenied(_("You may not change records of this estate."))


def _pick(queryset: QuerySet[Any], pk: int, field: str, message: str) -> Any:
    """A referenced record from the user's scope; unknown and out-of-scope ids read the same."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise invalid(field, message)
    return obj


def _apply(instance: Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(instance, name, value)


# --- Estates -----------------------------------------------------------------------------


class EstateOut(Schema):
    id: int
    name: str
    code: str
    kind: EstateKind
    address: str
    service_phone: str
    office_hours: str
    active: bool


class EstateIn(Input):
    name: Annotated[str, text(100, required=True)]
    code: Annotated[str, text(20, required=True)]
    kind: EstateKind = EstateKind.RESIDENTIAL
    address: Annotated[str, text(255)] = ""
    service_phone: Annotated[str, text(30)] = Field(
        "", description="The management office's number for residents, shown on the resident portal."
    )
    office_hours: Annotated[str, text(200)] = Field(
        "", description="e.g. '08:30-12:00,13:30-17:30'; empty for the company's default"
    )
    active: StrictBool = True


class EstatePatch(Input):
    name: Annotated[str, text(100, required=True)] = omissible()
    code: Annotated[str, text(20, required=True)] = omissible()
    kind: EstateKind = omissible()
    address: Annotated[str, text(255)] = omissible()
    service_phone: Annotated[str, text(30)] = omissible()
    office_hours: Annotated[str, text(200)] = omissible()
    active: StrictBool = omissible()


class EstatePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EstateOut]


class EstateFilters(Schema):
    q: SearchText = Field("", description="Part of the name, or the exact code.")
    active: bool | None = None


@router.get("/estates/", response=responses(200, EstatePage, *READ_ERRORS), tags=["estates"])
def list_estates(request: HttpRequest, filters: Query[EstateFilters], paging: Query[Paging]) -> Any:
    queryset = selectors.estates_for(current_user(request))
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q) | queryset.filter(code__iexact=filters.q)
    if filters.active is not None:
        queryset = queryset.filter(active=filters.active)
    return paginate(queryset, paging)


@router.get("/estates/{estate_id}/", response=responses(200, EstateOut, *READ_ERRORS, 404), tags=["estates"])
def get_estate(request: HttpRequest, estate_id: Id) -> Any:
    return get_object_or_404(selectors.estates_for(current_user(request)), pk=estate_id)


@router.post("/estates/", response=responses(201, EstateOut, *WRITE_ERRORS), tags=["estates"])
def create_estate(request: HttpRequest, payload: EstateIn) -> Any:
    user = current_user(request)
    _only_admin(user)
    estate = Estate(**payload.model_dump())
    return Status(201, services.save_record(actor=user, instance=estate))


@router.patch(
    "/estates/{estate_id}/", response=responses(200, EstateOut, *WRITE_ERRORS, 404), tags=["estates"]
)
def update_estate(request: HttpRequest, estate_id: Id, payload: EstatePatch) -> Any:
    user = current_user(request)
    estate = get_object_or_404(selectors.estates_for(user), pk=estate_id)
    _only_admin(user)
    _apply(estate, payload.model_dump(exclude_unset=True))
    return services.save_record(actor=user, instance=estate)


# --- Buildings ---------------------------------------------------------------------------


class BuildingOut(Schema):
    id: int
    estate: int
    estate_name: str
    name: str
    floors: int | None

    @staticmethod
    def resolve_estate(obj: Building) -> int:
        return obj.estate_id

    @staticmethod
    def resolve_estate_name(obj: Building) -> str:
        return obj.estate.name


Floors = Annotated[JsonInt, Field(ge=0, le=32767)]


class BuildingIn(Input):
    estate: BodyId
    name: Annotated[str, text(50, required=True)]
    floors: Floors | None = None


class BuildingPatch(Input):
    name: Annotated[str, text(50, required=True)] = omissible()
    floors: Floors | None = None


class BuildingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[BuildingOut]


class BuildingFilters(Schema):
    estate: Id | None = None
    q: SearchText = Field("", description="Part of the building's name.")


@router.get("/buildings/", response=responses(200, BuildingPage, *READ_ERRORS), tags=["buildings"])
def list_buildings(request: HttpRequest, filters: Query[BuildingFilters], paging: Query[Paging]) -> Any:
    queryset = selectors.buildings_for(current_user(request))
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q)
    return paginate(queryset, paging)


@router.get(
    "/buildings/{building_id}/", response=responses(200, BuildingOut, *READ_ERRORS, 404), tags=["buildings"]
)
def get_building(request: HttpRequest, building_id: Id) -> Any:
    return get_object_or_404(selectors.buildings_for(current_user(request)), pk=building_id)


@router.post("/buildings/", response=responses(201, BuildingOut, *WRITE_ERRORS), tags=["buildings"])
def create_building(request: HttpRequest, payload: BuildingIn) -> Any:
    user = current_user(request)
    _only_admin(user)
    estate = _pick(selectors.estates_for(user), payload.estate, "estate", _("There is no such estate."))
    building = Building(estate=estate, name=payload.name, floors=payload.floors)
    return Status(201, services.save_record(actor=user, instance=building))


@router.patch(
    "/buildings/{building_id}/", response=responses(200, BuildingOut, *WRITE_ERRORS, 404), tags=["buildings"]
)
def update_building(request: HttpRequest, building_id: Id, payload: BuildingPatch) -> Any:
    user = current_user(request)
    building = get_object_or_404(selectors.buildings_for(user), pk=building_id)
    _only_admin(user)
    _apply(building, payload.model_dump(exclude_unset=True))
    return services.save_record(actor=user, instance=building)


# --- Units -------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    estate: int
    estate_name: str
    building: int
    building_name: str
    number: str
    label: str = Field(description="Building and number, e.g. '3栋-1201'.")
    floor: int | None
    area: float | None = Field(description="Area in m².")
    kind: UnitKind
    occupied: bool

    @staticmethod
    def resolve_estate(obj: Unit) -> int:
        return obj.estate_id

    @staticmethod
    def resolve_estate_name(obj: Unit) -> str:
        return obj.estate.name

    @staticmethod
    def resolve_building(obj: Unit) -> int:
        return obj.building_id

    @staticmethod
    def resolve_building_name(obj: Unit) -> str:
        return obj.building.name

    @staticmethod
    def resolve_area(obj: Unit) -> float | None:
        return None if obj.area is None else float(obj.area)


Floor = Annotated[JsonInt, Field(ge=-32768, le=32767)]
Area = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]
UnitNumber = Annotated[str, text(30, required=True)]


class UnitIn(Input):
    building: BodyId
    estate: BodyId | None = Field(None, description="Optional; if given, the building must belong to it.")
    number: UnitNumber
    floor: Floor | None = None
    area: Area | None = None
    kind: UnitKind = UnitKind.FLAT
    occupied: StrictBool = False


class UnitPatch(Input):
    building: BodyId = omissible("Another building of the same estate.")
    number: UnitNumber = omissible()
    floor: Floor | None = None
    area: Area | None = None
    kind: UnitKind = omissible()
    occupied: StrictBool = omissible()


class UnitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UnitOut]


class UnitFilters(Schema):
    estate: Id | None = None
    building: Id | None = None
    occupied: bool | None = None
    q: SearchText = Field("", description="Building and number, e.g. '3-1201', or one word.")


@router.get("/units/", response=responses(200, UnitPage, *READ_ERRORS), tags=["units"])
def list_units(request: HttpRequest, filters: Query[UnitFilters], paging: Query[Paging]) -> Any:
    queryset = selectors.units_for(current_user(request))
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    if filters.building is not None:
        queryset = queryset.filter(building_id=filters.building)
    if filters.occupied is not None:
        queryset = queryset.filter(occupied=filters.occupied)
    return paginate(selectors.search_units(queryset, filters.q), paging)


@router.get("/units/{unit_id}/", response=responses(200, UnitOut, *READ_ERRORS, 404), tags=["units"])
def get_unit(request: HttpRequest, unit_id: Id) -> Any:
    return get_object_or_404(selectors.units_for(current_user(request)), pk=unit_id)


@router.post("/units/", response=responses(201, UnitOut, *WRITE_ERRORS), tags=["units"])
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    user = current_user(request)
    _may_edit_roster(user, None)
    building = _pick(
        selectors.buildings_for(user), payload.building, "building", _("There is no such building.")
    )
    if payload.estate is not None:
        _pick(selectors.estates_for(user), payload.estate, "estate", _("There is no such estate."))
        if building.estate_id != payload.estate:
            raise invalid("building", _("This building belongs to another estate."))
    _may_edit_roster(user, building.estate_id)
    unit = Unit(
        building=building, estate_id=building.estate_id, **payload.model_dump(exclude={"building", "estate"})
    )
    return Status(201, services.save_record(actor=user, instance=unit))


@router.patch("/units/{unit_id}/", response=responses(200, UnitOut, *WRITE_ERRORS, 404), tags=["units"])
def update_unit(request: HttpRequest, unit_id: Id, payload: UnitPatch) -> Any:
    user = current_user(request)
    unit = get_object_or_404(selectors.units_for(user), pk=unit_id)
    _may_edit_roster(user, unit.estate_id)
    data = payload.model_dump(exclude_unset=True)
    if "building" in data:
        building = _pick(
            selectors.buildings_for(user), data.pop("building"), "building", _("There is no such building.")
        )
        if building.estate_id != unit.estate_id:
            # Its customers and history belong to this estate; moving it would split them.
            raise invalid("building", _("A unit can only move to another building of the same estate."))
        unit.building = building
    _apply(unit, data)
    return services.save_record(actor=user, instance=unit)


# --- Customers ---------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    estate: int
    estate_name: str
    name: str = Field(description="Masked (王*明) for users who may not see contact names.")
    name_masked: bool
    kind: CustomerKind
    phone_masked: str = Field(description="Always masked, e.g. 138****1234; empty when there is none.")
    email: str
    contact_person: str
    notes: str
    units: list[int]


def _mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    return (local[:1] + "***" + at + domain) if value else ""


def _customer_out(customer: Customer, user: Actor) -> dict[str, Any]:
    names = policy.can_see_contact_names(user)
    return {
        "id": customer.pk,
        "estate": customer.estate_id,
        "estate_name": customer.estate.name,
        "name": customer.name if names else crypto.mask_name(customer.name),
        "name_masked": not names,
        "kind": customer.kind,
        "phone_masked": crypto.mask_phone(customer.phone),
        "email": customer.email if names else _mask_email(customer.email),
        "contact_person": customer.contact_person if names else crypto.mask_name(customer.contact_person),
        "notes": customer.notes,
        "units": [o.unit_id for o in customer.occupancies.all()],
    }


Phone = Annotated[str, text(30)]
UnitIds = Annotated[list[BodyId], Field(max_length=200)]


class CustomerIn(Input):
    estate: BodyId
    name: Annotated[str, text(100, required=True)]
    kind: CustomerKind = CustomerKind.OWNER
    phone: Phone = Field("", description="7 to 15 digits; stored encrypted, never returned in full.")
    email: Annotated[str, text(254)] = ""
    contact_person: Annotated[str, text(100)] = ""
    notes: Annotated[str, text(5000)] = ""
    units: UnitIds = Field(
        default_factory=list, description="Ids of the customer's units in the same estate."
    )


class CustomerPatch(Input):
    name: Annotated[str, text(100, required=True)] = omissible()
    kind: CustomerKind = omissible()
    phone: Phone = omissible("Empty string removes the number; leave out to keep it.")
    email: Annotated[str, text(254)] = omissible()
    contact_person: Annotated[str, text(100)] = omissible()
    notes: Annotated[str, text(5000)] = omissible()
    units: UnitIds = omissible("Replaces the customer's units; leave out to keep them.")


class CustomerPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CustomerOut]


class CustomerFilters(Schema):
    estate: Id | None = None
    kind: CustomerKind | None = None
    q: SearchText = Field("", description="Part of the name, or a full phone number.")


def _customers(user: Actor) -> QuerySet[Customer]:
    return selectors.customers_for(user).prefetch_related("occupancies")


def _check_phone(phone: str | None) -> None:
    if phone and not crypto.is_valid_phone(phone):
        raise invalid("phone", _("Enter a phone number of 7 to 15 digits, for example 13812341234."))


def _pick_units(user: Actor, ids: list[int], estate_id: int) -> list[Unit]:
    units = list(selectors.units_for(user).filter(pk__in=ids, estate_id=estate_id))
    missing = sorted(set(ids) - {u.pk for u in units})
    if missing:
        raise invalid(
            "units",
            _("These units are not in the customer's estate: %(ids)s")
            % {"ids": ", ".join(map(str, missing))},
        )
    return units


@router.get("/customers/", response=responses(200, CustomerPage, *READ_ERRORS), tags=["customers"])
def list_customers(request: HttpRequest, filters: Query[CustomerFilters], paging: Query[Paging]) -> Any:
    user = current_user(request)
    queryset = _customers(user)
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    page = paginate(selectors.search_customers(queryset, filters.q), paging)
    page["items"] = [_customer_out(c, user) for c in page["items"]]
    return page


@router.get(
    "/customers/{customer_id}/", response=responses(200, CustomerOut, *READ_ERRORS, 404), tags=["customers"]
)
def get_customer(request: HttpRequest, customer_id: Id) -> Any:
    user = current_user(request)
    return _customer_out(get_object_or_404(_customers(user), pk=customer_id), user)


@router.post("/customers/", response=responses(201, CustomerOut, *WRITE_ERRORS), tags=["customers"])
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    user = current_user(request)
    _may_edit_roster(user, None)
    estate = _pick(selectors.estates_for(user), payload.estate, "estate", _("There is no such estate."))
    _may_edit_roster(user, estate.pk)
    _check_phone(payload.phone)
    units = _pick_units(user, payload.units, estate.pk)
    customer = Customer(estate=estate, **payload.model_dump(exclude={"estate", "phone", "units"}))
    customer = services.save_customer(actor=user, customer=customer, phone=payload.phone, units=units)
    return Status(201, _customer_out(_customers(user).get(pk=customer.pk), user))


@router.patch(
    "/customers/{customer_id}/", response=responses(200, CustomerOut, *WRITE_ERRORS, 404), tags=["customers"]
)
def update_customer(request: HttpRequest, customer_id: Id, payload: CustomerPatch) -> Any:
    user = current_user(request)
    customer = get_object_or_404(_customers(user), pk=customer_id)
    _may_edit_roster(user, customer.estate_id)
    data = payload.model_dump(exclude_unset=True)
    phone = data.pop("phone", None)
    _check_phone(phone)
    unit_ids = data.pop("units", None)
    units = None if unit_ids is None else _pick_units(user, unit_ids, customer.estate_id)
    _apply(customer, data)
    services.save_customer(actor=user, customer=customer, phone=phone, units=units)
    return _customer_out(_customers(user).get(pk=customer.pk), user)


# --- Communication channels (C-1) --------------------------------------------------------


class ChannelOut(Schema):
    code: str = Field(description="What records and request bodies carry, e.g. 'phone'.")
    name: str = Field(description="In the request's language.")
    kind: ChannelKind = Field(description="'online': delivered by EstateDesk; 'offline': recorded by staff.")
    uses: list[Use] = Field(
        description="What it may be used for: 'for_complaints', 'for_notices', 'for_log'."
    )
    active: bool = Field(description="Switched off: no longer accepted on new records; old ones keep it.")


@router.get("/channels", response=responses(200, list[ChannelOut], *READ_ERRORS), tags=["channels"])
def list_channels(request: HttpRequest) -> Any:
    """The administrators' list of channels in their order, switched-off ones included."""
    current_user(request)
    return [
        {
            "code": row.code,
            "name": row.name_in(get_language()),
            "kind": row.kind,
            "uses": [use for use in Use if getattr(row, use.value)],
            "active": row.active,
        }
        for row in Channel.objects.order_by("order", "code")
    ]
