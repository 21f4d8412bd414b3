"""Staff intake (SPEC K-1, K-2, K-18, C-7): the form, and the look-up of a caller while typing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from estatedesk.complaints import selectors, services, uploads, workflow
from estatedesk.complaints.forms_intake import FILES_NOT_KEPT, IntakeForm
from estatedesk.complaints.models import Complaint
from estatedesk.core import crypto, policy
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.notifications.recipients import people_of
from estatedesk.org import selectors as org_selectors
from estatedesk.org.models import Customer, Occupancy, Unit

LOOKUP_LIMIT = 8


def _require_intake_role(user: RequestUser) -> None:
    if policy.role_of(user) not in workflow.INTAKE_ROLES:
        raise PermissionDenied


def _earlier_context(
    user: RequestUser, *, unit: Unit | None, customer: Customer | None, phone: str = ""
) -> dict[str, Any] | None:
    """The caller's earlier complaints (K-18), by customer, unit or contact phone."""
    phone_index = customer.phone_index if customer is not None else crypto.blind_index(phone) if phone else ""
    if unit is None and customer is None and not phone_index:
        return None
    earlier = selectors.earlier_complaints(
        user,
        customer_id=customer.pk if customer else None,
        unit_id=unit.pk if unit else None,
        phone_index=phone_index,
    )
    about = " · ".join(
        part
        for part in (unit.label if unit else "", customer.name if customer else "", crypto.mask_phone(phone))
        if part
    )
    return {"earlier": earlier, "earlier_about": about}


def _render_intake(request: HttpRequest, form: IntakeForm, status: int = 200) -> HttpResponse:
    earlier = None
    form.mark_errors()
    if form.is_bound and hasattr(form, "cleaned_data"):
        earlier = _earlier_context(
            request.user,
            unit=form.resolved_unit,
            customer=form.resolved_customer,
            phone=form.cleaned_data.get("phone", "") if not form.resolved_customer else "",
        )
    context = {
        "form": form,
        "files_lost": FILES_NOT_KEPT if form.is_bound and form.errors and request.FILES else "",
        **(earlier or {}),
        "has_earlier": earlier is not None,
    }
    return render(request, "complaints/intake.html", context, status=status)


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    _require_intake_role(request.user)
    # Typed times are the company's clock, whatever the server's zone.
    with timezone.override(company_zone()):
        if request.method != "POST":
            return _render_intake(request, IntakeForm(user=request.user))
        form = IntakeForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                # A file stored before a later one is refused goes with the rolled-back complaint.
                with uploads.discard_on_failure():
                    complaint = services.record_complaint(
                        actor=request.user,
                        data=form.intake(),
                        attachments=request.FILES.getlist("attachments"),
                    )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                messages.success(request, recorded_message(complaint))
                if request.POST.get("another"):
                    # A busy phone shift: straight on to the next caller, on a fresh form.
                    return redirect("complaints:intake")
                return redirect("complaints:detail", pk=complaint.pk)
        return _render_intake(request, form, status=422)


def recorded_message(complaint: Complaint) -> str:
    """What intake really did (K-1): who has the complaint now, and who was told."""
    values = {
        "kind": complaint.get_kind_display(),
        "number": complaint.number,
        "department": complaint.department.name,
        "handler": complaint.handler.display_name if complaint.handler else "",
    }
    if complaint.handler is not None:
        return _("%(kind)s %(number)s recorded and passed to %(handler)s.") % values
    # The same people record_complaint told (notifications.recipients).
    told = people_of(complaint.department, ("handler", "department_head"))
    if complaint.replied_at_intake:
        if told:
            text = _(
                "%(kind)s %(number)s recorded as answered; %(department)s has been told, for information."
            )
        else:
            text = _(
                "%(kind)s %(number)s recorded as answered, for %(department)s; nobody there could be told: "
                "it has no active handler or head."
            )
    elif told:
        text = _(
            "%(kind)s %(number)s recorded for %(department)s; no handler is assigned yet. "
            "The department's handlers and head have been told."
        )
    else:
        text = _(
            "%(kind)s %(number)s recorded for %(department)s; no handler is assigned yet, and nobody "
            "there could be told: it has no active handler or head. Call the department."
        )
    return text % values


# --- Look-up while typing ---------------------------------------------------------------------


@dataclass
class Choice:
    """One line of the look-up: a unit, a customer, or both; picking it fills the form."""

    unit: Unit | None
    customer: Customer | None

    @property
    def estate(self) -> Any:
        return (self.unit or self.customer).estate  # type: ignore[union-attr]

    @property
    def label(self) -> str:
        return self.unit.label if self.unit else (self.customer.name if self.customer else "")

    @property
    def earlier_url(self) -> str:
        params = {}
        if self.unit:
            params["unit"] = self.unit.pk
        if self.customer:
            params["customer"] = self.customer.pk
        return f"{reverse('complaints:intake_lookup')}?{urlencode(params)}"


def _choices(units: list[Unit], customers: list[Customer]) -> list[Choice]:
    choices: list[Choice] = []
    seen: set[tuple[int | None, int | None]] = set()

    def add(unit: Unit | None, customer: Customer | None) -> None:
        key = (unit.pk if unit else None, customer.pk if customer else None)
        if key not in seen:
            seen.add(key)
            choices.append(Choice(unit, customer))

    for customer in customers:
        linked: Sequence[Unit | None] = list(customer.units.all())[:3]
        for unit in linked or [None]:
            add(unit, customer)
    for unit in units:
        occupants: Sequence[Customer | None] = [o.customer for o in unit.occupancies.all()][:3]
        for occupant in occupants or [None]:
            add(unit, occupant)
    return choices


@require_http_methods(["GET", "POST"])
def intake_lookup(request: HttpRequest) -> HttpResponse:
    """Units and customers of the user's estates matching what was typed; or, once one is picked, its history.

    The page posts what is typed (often a phone number) so that it travels in the body, not in
    a URL that proxies and web servers log (SPEC D-3); a picked unit or customer is a GET by id.
    """
    _require_intake_role(request.user)
    user = request.user
    params = Params(request.POST if request.method == "POST" else request.GET)
    units_qs = org_selectors.units_for(user)
    customers_qs = org_selectors.customers_for(user)
    estate_id = params.id("estate")
    if estate_id:
        units_qs, customers_qs = (
            units_qs.filter(estate_id=estate_id),
            customers_qs.filter(estate_id=estate_id),
        )
    with timezone.override(company_zone()):
        unit_id, customer_id = params.id("unit"), params.id("customer")
        if unit_id or customer_id:
            unit = units_qs.filter(pk=unit_id).first() if unit_id else None
            customer = customers_qs.filter(pk=customer_id).first() if customer_id else None
            context = _earlier_context(user, unit=unit, customer=customer) or {}
            return render(
                request, "complaints/intake_earlier.html", {**context, "has_earlier": bool(context)}
            )
        text = params.text("q") or params.text("unit_text")
        if not text:
            return render(request, "complaints/intake_lookup.html", {"text": ""})
        phone = crypto.is_valid_phone(text)
        linked_units = Prefetch("units", queryset=Unit.objects.select_related("building", "estate"))
        customers = list(
            org_selectors.search_customers(customers_qs, text).prefetch_related(linked_units)[:LOOKUP_LIMIT]
        )
        units: list[Unit] = []
        if not phone:
            occupancies = Occupancy.objects.select_related("customer", "customer__estate")
            units = list(
                org_selectors.search_units(units_qs, text).prefetch_related(
                    Prefetch("occupancies", queryset=occupancies)
                )[:LOOKUP_LIMIT]
            )
        choices = _choices(units, customers)
        # One clear match (or a phone number): show the history at once, no extra click.
        earlier = None
        people = {c.customer.pk for c in choices if c.customer}
        if len(choices) == 1:
            earlier = _earlier_context(user, unit=choices[0].unit, customer=choices[0].customer)
        elif len(people) == 1 and all(c.customer for c in choices):
            earlier = _earlier_context(user, unit=None, customer=choices[0].customer)
        elif phone and not customers:
            earlier = _earlier_context(user, unit=None, customer=None, phone=text)
        return render(
            request,
            "complaints/intake_lookup.html",
            {
                "text": text,
                "phone": phone,
                "choices": choices,
                "see_names": policy.can_see_contact_names(user),
                **(earlier or {}),
                "has_earlier": earlier is not None,
            },
        )
