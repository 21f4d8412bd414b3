from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.clientaddr import client_ip
from estatedesk.core.crud import Column, Filter, Register, get_scoped, page_views, render_detail
from estatedesk.core.i18n import join_list
from estatedesk.core.models import CompanySettings
from estatedesk.org import exports, forms, selectors, services
from estatedesk.org.models import (
    Building,
    CommitteeMember,
    Customer,
    CustomerKind,
    Department,
    Developer,
    Estate,
    Staff,
    Unit,
)
from estatedesk.records.services import log_personal_data_access


def _display(name: str):
    return lambda obj, request: getattr(obj, f"get_{name}_display")()


def _attr(path: str):
    def value(obj: Any, request: Any) -> Any:
        for part in path.split("."):
            obj = getattr(obj, part, None) if obj is not None else None
        return "—" if obj in (None, "") else obj

    return value


def _yes_no(name: str):
    return lambda obj, request: _("Yes") if getattr(obj, name) else _("No")


def person_name(obj: Customer | CommitteeMember, request: HttpRequest) -> str:
    """Customers and committee members are residents: auditors see their names masked (D-3)."""
    return obj.name if policy.can_see_contact_names(request.user) else crypto.mask_name(obj.name)


customer_name = person_name


def committee_label(obj: CommitteeMember, request: HttpRequest) -> str:
    return _("%(name)s (%(role)s)") % {"name": person_name(obj, request), "role": obj.position}


def _admin_only(user: Actor, obj: Any = None) -> bool:
    return policy.is_admin(user)


def _roster_create(user: Actor) -> bool:
    return policy.can_edit_roster(user, None)


def _roster_edit(user: Actor, obj: Any) -> bool:
    return policy.can_edit_roster(user, obj.estate_id)


def _save_model(*, actor: Actor, form: Any, request: HttpRequest) -> Any:
    m2m = {name: form.cleaned_data[name] for name in ("estates",) if name in form.cleaned_data}
    return services.save_record(actor=actor, instance=form.save(commit=False), m2m=m2m)


def _save_customer(*, actor: Actor, form: Any, request: HttpRequest) -> Customer:
    phone = form.cleaned_data.get("phone_input") or None
    if form.cleaned_data.get("remove_phone"):
        phone = ""
    return services.save_customer(
        actor=actor, customer=form.save(commit=False), phone=phone, units=form.cleaned_data["units"]
    )


def _save_developer(*, actor: Actor, form: Any, request: HttpRequest) -> Developer:
    developer = form.save(commit=False)
    if form.cleaned_data.get("phone_input"):
        developer.phone = crypto.normalise_phone(form.cleaned_data["phone_input"])
    services.save_record(actor=actor, instance=developer, m2m={"estates": form.cleaned_data["estates"]})
    return developer


def _save_staff(*, actor: Actor, form: Any, request: HttpRequest) -> Staff:
    data = form.cleaned_data
    return services.save_staff(
        actor=actor,
        staff=form.instance,
        username=data["username"] if form.instance is None else form.instance.user.username,
        display_name=data["display_name"],
        role=data["role"],
        estates=data["estates"],
        departments=data["departments"],
        phone=data["phone"] or (form.instance.phone if form.instance else ""),
        email=data["email"],
        password=data["password"] or None,
        is_active=data["is_active"],
    )


def _estate_extra(request: HttpRequest, estate: Estate) -> dict[str, Any]:
    return {"summary": selectors.estate_summary(estate)}


def _customer_extra(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {
        "customer_units": customer.occupancies.select_related("unit__building"),
        "phone_masked": customer.masked_phone,
        "can_reveal": bool(customer.phone) and policy.can_reveal_contact(request.user),
    }


def _unit_extra(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    return {"unit_customers": unit.occupancies.select_related("customer")}


ESTATE_FILTER = Filter(
    "estate",
    gettext_lazy("estate"),
    lambda qs, v: qs.filter(estate_id=int(v)),
    lambda user: [(str(e.pk), e.name) for e in selectors.estates_for(user).only("id", "name")],
)

ESTATES = Register(
    name="org:estate",
    model=Estate,
    title=gettext_lazy("Estates"),
    queryset=selectors.estates_for,
    columns=[
        Column(gettext_lazy("code"), _attr("code")),
        Column(gettext_lazy("name"), _attr("name"), link=True),
        Column(gettext_lazy("kind"), _display("kind")),
        Column(gettext_lazy("address"), _attr("address")),
    ],
    detail=[
        Column(gettext_lazy("code"), _attr("code")),
        Column(gettext_lazy("name"), _attr("name")),
        Column(gettext_lazy("kind"), _display("kind")),
        Column(gettext_lazy("address"), _attr("address")),
        Column(gettext_lazy("service phone"), _attr("service_phone")),
        Column(gettext_lazy("office hours"), _attr("office_hours")),
        Column(gettext_lazy("active"), _yes_no("active")),
    ],
    form_class=forms.EstateForm,
    search=lambda qs, q: qs.filter(name__icontains=q) | qs.filter(code__iexact=q),
    can_create=_admin_only,
    can_edit=_admin_only,
    save=_save_model,
    extra_detail=_estate_extra,
    export=True,
)

BUILDINGS = Register(
    name="org:building",
    model=Building,
    title=gettext_lazy("Buildings"),
    queryset=selectors.buildings_for,
    columns=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("name"), _attr("name"), link=True),
        Column(gettext_lazy("floors"), _attr("floors")),
    ],
    detail=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("name"), _attr("name")),
        Column(gettext_lazy("floors"), _attr("floors")),
    ],
    form_class=forms.BuildingForm,
    search=lambda qs, q: qs.filter(name__icontains=q),
    filters=[ESTATE_FILTER],
    can_create=_admin_only,
    can_edit=_admin_only,
    save=_save_model,
    export=True,
)

UNITS = Register(
    name="org:unit",
    model=Unit,
    title=gettext_lazy("Units"),
    queryset=selectors.units_for,
    columns=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("building"), _attr("building.name")),
        Column(gettext_lazy("unit number"), _attr("number"), link=True),
        Column(gettext_lazy("floor"), _attr("floor")),
        Column(gettext_lazy("area (m²)"), _attr("area")),
        Column(gettext_lazy("kind"), _display("kind")),
        Column(gettext_lazy("occupied"), _yes_no("occupied")),
    ],
    detail=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("building"), _attr("building.name")),
        Column(gettext_lazy("unit number"), _attr("number")),
        Column(gettext_lazy("floor"), _attr("floor")),
        Column(gettext_lazy("area (m²)"), _attr("area")),
        Column(gettext_lazy("kind"), _display("kind")),
        Column(gettext_lazy("occupied"), _yes_no("occupied")),
    ],
    form_class=forms.UnitForm,
    search=selectors.search_units,
    search_placeholder=gettext_lazy("Building and number, e.g. 3-1201"),
    filters=[
        ESTATE_FILTER,
        Filter(
            "occupied",
            gettext_lazy("occupied"),
            lambda qs, v: qs.filter(occupied=(v == "1")),
            lambda user: [("1", _("Yes")), ("0", _("No"))],
        ),
    ],
    can_create=_roster_create,
    can_edit=_roster_edit,
    save=_save_model,
    export=True,
    extra_detail=_unit_extra,
)

CUSTOMERS = Register(
    name="org:customer",
    model=Customer,
    title=gettext_lazy("Customers"),
    queryset=selectors.customers_for,
    columns=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("name"), customer_name, link=True),
        Column(gettext_lazy("customer type"), _display("kind")),
        Column(gettext_lazy("phone"), lambda obj, request: obj.masked_phone or "—"),
    ],
    detail=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("name"), customer_name),
        Column(gettext_lazy("customer type"), _display("kind")),
        Column(gettext_lazy("e-mail"), _attr("email")),
        Column(gettext_lazy("contact person"), _attr("contact_person")),
        Column(gettext_lazy("notes"), _attr("notes")),
    ],
    form_class=forms.CustomerForm,
    search=selectors.search_customers,
    search_placeholder=gettext_lazy("Name or full phone number"),
    filters=[
        ESTATE_FILTER,
        Filter(
            "kind",
            gettext_lazy("customer type"),
            lambda qs, v: qs.filter(kind=v),
            lambda user: list(CustomerKind.choices),
        ),
    ],
    can_create=_roster_create,
    can_edit=_roster_edit,
    save=_save_customer,
    export=True,
    extra_detail=_customer_extra,
    label=customer_name,
)

COMMITTEE = Register(
    name="org:committee",
    model=CommitteeMember,
    label=committee_label,
    title=gettext_lazy("Owners' committees"),
    queryset=selectors.committee_for,
    columns=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("name"), person_name, link=True),
        Column(gettext_lazy("position"), _attr("position")),
        Column(gettext_lazy("term ends"), _attr("term_end")),
    ],
    detail=[
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("name"), person_name),
        Column(gettext_lazy("position"), _attr("position")),
        Column(gettext_lazy("term starts"), _attr("term_start")),
        Column(gettext_lazy("term ends"), _attr("term_end")),
    ],
    form_class=forms.CommitteeMemberForm,
    filters=[ESTATE_FILTER],
    can_create=_roster_create,
    can_edit=_roster_edit,
    save=_save_model,
    export=True,
)

DEPARTMENTS = Register(
    name="org:department",
    model=Department,
    title=gettext_lazy("Departments"),
    queryset=selectors.departments_for,
    columns=[
        Column(gettext_lazy("name"), _attr("name"), link=True),
        Column(gettext_lazy("kind"), _display("kind")),
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("developer"), _attr("developer.name")),
    ],
    detail=[
        Column(gettext_lazy("name"), _attr("name")),
        Column(gettext_lazy("kind"), _display("kind")),
        Column(gettext_lazy("estate"), _attr("estate.name")),
        Column(gettext_lazy("developer"), _attr("developer.name")),
        Column(gettext_lazy("active"), _yes_no("active")),
    ],
    form_class=forms.DepartmentForm,
    search=lambda qs, q: qs.filter(name__icontains=q),
    can_create=_admin_only,
    can_edit=_admin_only,
    save=_save_model,
    export=True,
)

DEVELOPERS = Register(
    name="org:developer",
    model=Developer,
    title=gettext_lazy("Developers"),
    queryset=selectors.developers_for,
    columns=[
        Column(gettext_lazy("name"), _attr("name"), link=True),
        Column(gettext_lazy("contact person"), _attr("contact_person")),
    ],
    detail=[
        Column(gettext_lazy("name"), _attr("name")),
        Column(gettext_lazy("contact person"), _attr("contact_person")),
        Column(gettext_lazy("phone"), lambda obj, request: crypto.mask_phone(obj.phone) or "—"),
        Column(
            gettext_lazy("estates"), lambda obj, request: join_list(e.name for e in obj.estates.all()) or "—"
        ),
    ],
    form_class=forms.DeveloperForm,
    can_create=_admin_only,
    can_edit=_admin_only,
    save=_save_developer,
    export=True,
)

STAFF = Register(
    name="org:staff",
    model=Staff,
    title=gettext_lazy("Staff"),
    queryset=selectors.staff_for,
    columns=[
        Column(gettext_lazy("name"), _attr("display_name"), link=True),
        Column(gettext_lazy("user name"), _attr("user.username")),
        Column(gettext_lazy("role"), _display("role")),
        Column(gettext_lazy("phone"), lambda obj, request: crypto.mask_phone(obj.phone) or "—"),
    ],
    detail=[
        Column(gettext_lazy("name"), _attr("display_name")),
        Column(gettext_lazy("user name"), _attr("user.username")),
        Column(gettext_lazy("role"), _display("role")),
        Column(gettext_lazy("phone"), lambda obj, request: crypto.mask_phone(obj.phone) or "—"),
        Column(
            gettext_lazy("estates"), lambda obj, request: join_list(e.name for e in obj.estates.all()) or "—"
        ),
        Column(
            gettext_lazy("departments"),
            lambda obj, request: join_list(d.name for d in obj.departments.all()) or "—",
        ),
        Column(gettext_lazy("active"), lambda obj, request: _("Yes") if obj.user.is_active else _("No")),
    ],
    form_class=forms.StaffForm,  # type: ignore[arg-type]
    search=lambda qs, q: qs.filter(display_name__icontains=q) | qs.filter(user__username__icontains=q),
    filters=[
        Filter(
            "active",
            gettext_lazy("active"),
            lambda qs, v: qs.filter(user__is_active=(v == "1")),
            lambda user: [("1", _("Yes")), ("0", _("No"))],
        ),
    ],
    can_create=_admin_only,
    can_edit=_admin_only,
    save=_save_staff,
    export=True,
)

REGISTERS = [ESTATES, BUILDINGS, UNITS, CUSTOMERS, COMMITTEE, DEPARTMENTS, DEVELOPERS, STAFF]
VIEWS = {reg.name.split(":")[1]: page_views(reg) for reg in REGISTERS}


@require_POST
def customer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows one customer's full phone number and logs who asked (SPEC D-3)."""
    customer = get_scoped(CUSTOMERS, request, pk)
    if not policy.can_reveal_contact(request.user):
        raise PermissionDenied
    log_personal_data_access(
        user=request.user,
        subject=customer,
        field="phone",
        reason=request.POST.get("reason", ""),
        ip_address=client_ip(request),
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(
            format_html('<span class="font-monospace" id="phone-value">{}</span>', customer.phone)
        )
    # The number goes into this page only, never into the messages (they could end up in a cookie).
    return render_detail(CUSTOMERS, request, customer, extra={"revealed_phone": customer.phone})


def unit_export(request: HttpRequest) -> HttpResponse:
    return exports.units_xlsx(request, UNITS)


def customer_export(request: HttpRequest) -> HttpResponse:
    return exports.customers_xlsx(request, CUSTOMERS)


# Units and customers keep their own workbook layout (area as a number, the masked phone
# column); every other register exports its list columns through the generic view.
VIEWS["unit"]["export"] = unit_export
VIEWS["customer"]["export"] = customer_export


def settings_edit(request: HttpRequest) -> HttpResponse:
    company = CompanySettings.load()
    form = forms.CompanySettingsForm(request.POST or None, instance=company, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.save_record(actor=request.user, instance=form.save(commit=False))
            messages.success(request, _("Saved."))
            return redirect("org:settings_edit")
        return render(request, "org/settings.html", {"form": form}, status=422)
    return render(request, "org/settings.html", {"form": form})
