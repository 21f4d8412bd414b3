"""The customer-property pages (SPEC C-6; §7.1.13): the register of items and its export, a new
item, an item's page (correct it, hand it back, report an incident), and the incidents: their
list and export, and an incident's page (the customer told, closed with the help given).

Lists are ``core.crud`` registers (scope, filters, paging, Excel, names masked per D-3). Each
step posts to its own URL through ``core.web.form_step_view``: the record is looked up in the
user's scope first (404 outside it), a refusal shows the page again with everything kept.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.communication import selectors
from estatedesk.communication.contract_events import IncidentEventKind, label
from estatedesk.communication.forms_property import (
    CloseForm,
    IncidentForm,
    IncidentToldForm,
    ItemEditForm,
    ItemForm,
    ReturnForm,
)
from estatedesk.communication.models import (
    IncidentKind,
    ItemKind,
    ItemStatus,
    PropertyIncident,
    PropertyItem,
)
from estatedesk.communication.services import property as services
from estatedesk.communication.views.registers import (
    estate_filter,
    list_export,
    not_allowed,
    person,
)
from estatedesk.communication.workflow import INCIDENT, IncidentStatus
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today, now
from estatedesk.core.crud import Column, Filter, ListPage, Register
from estatedesk.core.errors import ServiceError
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.org import channels as org_channels


def item_rows(user: Actor) -> QuerySet[PropertyItem]:
    return selectors.property_for(user).select_related("estate", "unit__building", "customer")


def owner(item: PropertyItem, request: HttpRequest) -> str:
    """Whose it is: the unit and the customer (masked for auditors, D-3)."""
    parts = [
        item.unit.label if item.unit else "",
        person(item.customer.name, request.user) if item.customer else "",
    ]
    return " · ".join(p for p in parts if p) or "—"


def _item_search(rows: QuerySet, q: str) -> QuerySet:
    return rows.filter(Q(number__icontains=q) | Q(description__icontains=q) | Q(kept_at__icontains=q))


ITEMS = Register(
    name="communication:property",
    model=PropertyItem,
    title=gettext_lazy("Customer property"),
    queryset=item_rows,
    columns=[
        Column(gettext_lazy("number"), lambda i, r: i.number, link=True),
        Column(gettext_lazy("estate"), lambda i, r: i.estate.name),
        Column(gettext_lazy("owner of the item"), owner),
        Column(gettext_lazy("type"), lambda i, r: i.get_kind_display()),
        Column(gettext_lazy("description"), lambda i, r: i.description),
        Column(gettext_lazy("kept where"), lambda i, r: i.kept_at or "—"),
        Column(gettext_lazy("received on"), lambda i, r: i.received_at),
        Column(gettext_lazy("status"), lambda i, r: i.get_status_display()),
    ],
    detail=[],
    search=_item_search,
    search_placeholder=gettext_lazy("Number, description or place"),
    filters=[
        estate_filter(),
        Filter(
            "kind", gettext_lazy("type"), lambda qs, v: qs.filter(kind=v), lambda u: list(ItemKind.choices)
        ),
        Filter(
            "status",
            gettext_lazy("status"),
            lambda qs, v: qs.filter(status=v),
            lambda u: list(ItemStatus.choices),
        ),
    ],
    can_create=services.may_write,
    export=True,
)


def incident_rows(user: Actor) -> QuerySet[PropertyIncident]:
    return selectors.incidents_for(user).select_related("estate", "item__unit__building", "item__customer")


def days_open(incident: PropertyIncident) -> int:
    end = incident.closed_at or now()
    return max((end - incident.created_at).days, 0)


def _told(incident: PropertyIncident, request: HttpRequest) -> Any:
    return incident.customer_told_at or _("not yet")


INCIDENTS = Register(
    name="communication:incident",
    model=PropertyIncident,
    title=gettext_lazy("Customer property incidents"),
    queryset=incident_rows,
    columns=[
        Column(gettext_lazy("number"), lambda i, r: i.number, link=True),
        Column(gettext_lazy("estate"), lambda i, r: i.estate.name),
        Column(gettext_lazy("item"), lambda i, r: f"{i.item.number} {i.item.description}"),
        Column(gettext_lazy("owner of the item"), lambda i, r: owner(i.item, r)),
        Column(gettext_lazy("what happened"), lambda i, r: i.get_kind_display()),
        Column(gettext_lazy("happened or found at"), lambda i, r: i.happened_at),
        Column(gettext_lazy("customer told at"), _told),
        Column(gettext_lazy("status"), lambda i, r: i.get_status_display()),
        Column(gettext_lazy("days open"), lambda i, r: days_open(i)),
    ],
    detail=[],
    search=lambda rows, q: rows.filter(Q(number__icontains=q) | Q(item__number__icontains=q)),
    search_placeholder=gettext_lazy("Number of the incident or the item"),
    filters=[
        estate_filter(),
        Filter(
            "status", gettext_lazy("status"), lambda qs, v: qs.filter(status=v), lambda u: INCIDENT.choices
        ),
        Filter(
            "kind",
            gettext_lazy("what happened"),
            lambda qs, v: qs.filter(kind=v),
            lambda u: list(IncidentKind.choices),
        ),
    ],
    export=True,
)

_property_list = ListPage.as_view(register=ITEMS)
_incident_list = ListPage.as_view(register=INCIDENTS)


@require_GET
@company_time
def property_list(request: HttpRequest) -> HttpResponse:
    return cast(HttpResponse, _property_list(request))


@require_GET
@company_time
def incident_list(request: HttpRequest) -> HttpResponse:
    return cast(HttpResponse, _incident_list(request))


@require_GET
@company_time
def property_export(request: HttpRequest) -> HttpResponse:
    return list_export(ITEMS, request, "customer-property")


@require_GET
@company_time
def incident_export(request: HttpRequest) -> HttpResponse:
    return list_export(INCIDENTS, request, "property-incidents")


# --- A new item ----------------------------------------------------------------------------------


def _draft(data: dict[str, Any], estate: int) -> services.ItemDraft:
    return services.ItemDraft(
        kind=data["kind"],
        description=data["description"],
        estate=estate,
        received_at=data["received_at"],
        unit=data["unit"],
        customer=data["customer"],
        kept_at=data["kept_at"] or "",
        received_by=data["received_by"] or "",
        notes=data["notes"] or "",
        status=data["status"],
    )


def _create_page(request: HttpRequest, form: ItemForm, status: int = 200) -> HttpResponse:
    return render(request, "communication/property/create.html", {"form": form}, status=status)


@company_time
def property_create(request: HttpRequest) -> HttpResponse:
    if not services.may_write(request.user):
        return not_allowed(request)
    if request.method != "POST":
        return _create_page(request, ItemForm(initial={"received_at": now()}, user=request.user))
    form = ItemForm(request.POST, user=request.user)
    if not form.is_valid():
        return _create_page(request, form, 422)
    try:
        item = services.register_item(
            actor=request.user, draft=_draft(form.cleaned_data, form.cleaned_data["estate"])
        )
    except ServiceError as error:
        put_error(form, error)
        return _create_page(request, form, error.status)
    messages.success(request, _("%(number)s entered in the register.") % {"number": item.number})
    return redirect("communication:property_detail", item.pk)


# --- The item's page ------------------------------------------------------------------------------


def _item(request: HttpRequest, pk: int) -> PropertyItem:
    item = item_rows(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def render_item(
    request: HttpRequest, item: PropertyItem, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    failed = failed or {}
    edit_initial = {
        "unit": item.unit_id,
        "customer": item.customer_id,
        "kind": item.kind,
        "description": item.description,
        "kept_at": item.kept_at,
        "status": item.status if item.status != ItemStatus.RETURNED else ItemStatus.HELD,
        "received_at": item.received_at,
        "received_by": item.received_by_name,
        "notes": item.notes,
        **version_initial(item),
    }
    incidents = list(item.incidents.order_by("-happened_at", "-pk"))
    for incident in incidents:
        incident.days_open = days_open(incident)  # type: ignore[attr-defined]
    context = {
        "item": item,
        "owner": owner(item, request),
        "incidents": incidents,
        "writer": services.may_write(user),
        "returned": item.status == ItemStatus.RETURNED,
        "open_step": failed.get("name", ""),
        "edit_form": failed.get("edit")
        or ItemEditForm(initial=edit_initial, estate=item.estate_id, user=user, auto_id="id_edit_%s"),
        "return_form": failed.get("return")
        or ReturnForm(initial={"returned_at": now()}, user=user, auto_id="id_return_%s"),
        "incident_form": failed.get("incident")
        or IncidentForm(initial={"happened_at": now()}, user=user, auto_id="id_incident_%s"),
    }
    return render(request, "communication/property/detail.html", context, status=status)


@require_GET
@company_time
def property_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_item(request, _item(request, pk))


def _item_step(name: str, build: Any, run: Any, anchor: str = "") -> Any:
    def show(request: HttpRequest, item: PropertyItem, form: Any, status: int) -> HttpResponse:
        return render_item(request, item, failed={name: form, "name": name}, status=status)

    def back(item: PropertyItem) -> str:
        url = reverse("communication:property_detail", args=[item.pk])
        return f"{url}#{anchor}" if anchor else url

    return form_step_view(
        FormStep(load=_item, form=build, run=run, render=show, back=back, name=f"property_{name}")
    )


def _run_edit(request: HttpRequest, item: PropertyItem, form: ItemEditForm) -> str:
    data = form.cleaned_data
    services.update_item(
        actor=request.user,
        item=item.pk,
        draft=_draft(data, item.estate_id),
        based_on=data["based_on_version"],
    )
    return _("Saved.")


def _run_return(request: HttpRequest, item: PropertyItem, form: ReturnForm) -> str:
    data = form.cleaned_data
    services.return_item(
        actor=request.user,
        item=item.pk,
        returned_at=data["returned_at"],
        returned_by=data["returned_by"] or "",
    )
    return _("%(number)s recorded as returned to the customer.") % {"number": item.number}


def _run_incident(request: HttpRequest, item: PropertyItem, form: IncidentForm) -> str:
    data = form.cleaned_data
    incident = services.report_incident(
        actor=request.user,
        item=item.pk,
        kind=data["kind"],
        happened_at=data["happened_at"],
        description=data["description"],
    )
    return _("Incident %(number)s recorded. Tell the customer, then record the help given.") % {
        "number": incident.number
    }


property_edit = _item_step(
    "edit", lambda r, i, d: ItemEditForm(d, estate=i.estate_id, user=r.user, auto_id="id_edit_%s"), _run_edit
)
property_return = _item_step(
    "return", lambda r, i, d: ReturnForm(d, user=r.user, auto_id="id_return_%s"), _run_return
)
incident_create = _item_step(
    "incident",
    lambda r, i, d: IncidentForm(d, user=r.user, auto_id="id_incident_%s"),
    _run_incident,
    anchor="incidents",
)


# --- The incident's page --------------------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> PropertyIncident:
    incident = incident_rows(request.user).filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident


def render_incident(
    request: HttpRequest,
    incident: PropertyIncident,
    *,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    failed = failed or {}
    context = {
        "incident": incident,
        "item": incident.item,
        "owner": owner(incident.item, request),
        "channel_name": org_channels.names().get(incident.told_channel, incident.told_channel),
        "days_open": days_open(incident),
        "is_open": incident.status == IncidentStatus.OPEN,
        "writer": services.may_write(user),
        "events": [(e, label(e.kind, IncidentEventKind)) for e in incident.events.all()],
        "open_step": failed.get("name", ""),
        "told_form": failed.get("told")
        or IncidentToldForm(initial={"told_at": now()}, user=user, auto_id="id_told_%s"),
        "close_form": failed.get("close") or CloseForm(user=user, auto_id="id_close_%s"),
        "today": company_today(),
    }
    return render(request, "communication/property/incident.html", context, status=status)


@require_GET
@company_time
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_incident(request, _incident(request, pk))


def _incident_step(name: str, build: Any, run: Any) -> Any:
    def show(request: HttpRequest, incident: PropertyIncident, form: Any, status: int) -> HttpResponse:
        return render_incident(request, incident, failed={name: form, "name": name}, status=status)

    def back(incident: PropertyIncident) -> str:
        return reverse("communication:incident_detail", args=[incident.pk])

    return form_step_view(
        FormStep(load=_incident, form=build, run=run, render=show, back=back, name=f"incident_{name}")
    )


def _run_told(request: HttpRequest, incident: PropertyIncident, form: IncidentToldForm) -> str:
    data = form.cleaned_data
    services.record_incident_told(
        actor=request.user,
        incident=incident.pk,
        told_at=data["told_at"],
        channel=data["channel"],
        told_by=data["told_by"] or "",
    )
    return _("Recorded that the customer was told.")


def _run_close(request: HttpRequest, incident: PropertyIncident, form: CloseForm) -> str:
    services.close_incident(
        actor=request.user, incident=incident.pk, help_given=form.cleaned_data["help_given"]
    )
    return _("Incident %(number)s closed.") % {"number": incident.number}


incident_told = _incident_step(
    "told", lambda r, i, d: IncidentToldForm(d, user=r.user, auto_id="id_told_%s"), _run_told
)
incident_close = _incident_step(
    "close", lambda r, i, d: CloseForm(d, user=r.user, auto_id="id_close_%s"), _run_close
)
