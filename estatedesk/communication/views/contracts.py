"""The contract pages (SPEC C-5; §7.1.11, §7.1.12): the list and its export, a new contract, and
a contract's page with its clarifications and changes.

The list is a ``core.crud`` register (scope, filters, paging, Excel). Each step on a contract
posts to its own URL (``core.web.form_step_view``): the contract is looked up in the user's
scope first (404 outside it), the step's one service is called, and a refusal shows the page
again with the message next to its field and everything typed kept. A step on a clarification
or a change names it in a hidden field (URLs take only the contract's ``pk``).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from estatedesk.communication import selectors
from estatedesk.communication.contract_events import ContractEventKind, label
from estatedesk.communication.forms_contracts import (
    AnswerForm,
    ChangeForm,
    ChangeToldForm,
    ClarifyForm,
    ContractEditForm,
    ContractForm,
    EndForm,
    ResolveForm,
    SignForm,
)
from estatedesk.communication.models import Contract, ContractKind
from estatedesk.communication.services import contracts as services
from estatedesk.communication.views.registers import (
    estate_filter,
    hidden_id,
    list_export,
    not_allowed,
    person,
)
from estatedesk.communication.workflow import CONTRACT, ContractStatus
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.core.crud import Column, Filter, ListPage, Register
from estatedesk.core.errors import ServiceError
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.org import channels as org_channels
from estatedesk.org.models import Unit

UNSETTLED = (
    Q(changes__customer_told_at__isnull=True) | Q(changes__resolution="") | Q(changes__agreed_on__isnull=True)
)


def contract_rows(user: Actor) -> QuerySet:
    return (
        selectors.contracts_for(user)
        .select_related("estate", "customer", "unit__building")
        .annotate(
            open_questions=Count("clarifications", filter=Q(clarifications__answer=""), distinct=True),
            unsettled=Count("changes", filter=UNSETTLED, distinct=True),
        )
        .order_by("-created_at", "-pk")  # a grouped query ignores Meta.ordering
    )


def party(contract: Any, request: HttpRequest) -> str:
    """Who the contract is with: the customer (masked for auditors, D-3), the unit, the other party."""
    unit: Unit | None = contract.unit
    parts = [
        person(contract.customer.name, request.user) if contract.customer else "",
        unit.label if unit else "",
        contract.counterparty,
    ]
    return " · ".join(p for p in parts if p) or "—"


def _open_points(contract: Any, request: HttpRequest) -> str:
    parts = []
    if contract.open_questions:
        parts.append(_("%(count)d unanswered") % {"count": contract.open_questions})
    if contract.unsettled:
        parts.append(_("%(count)d changes not settled") % {"count": contract.unsettled})
    return pgettext("list separator", ", ").join(parts) or "—"


def _search(rows: QuerySet, q: str) -> QuerySet:
    return rows.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(counterparty__icontains=q))


CONTRACTS = Register(
    name="communication:contract",
    model=Contract,
    title=gettext_lazy("Contracts with customers"),
    queryset=contract_rows,
    columns=[
        Column(gettext_lazy("number"), lambda c, r: c.number, link=True),
        Column(gettext_lazy("title"), lambda c, r: c.title),
        Column(gettext_lazy("type"), lambda c, r: c.get_kind_display()),
        Column(gettext_lazy("estate"), lambda c, r: c.estate.name),
        Column(gettext_lazy("other party"), party),
        Column(gettext_lazy("status"), lambda c, r: c.get_status_display()),
        Column(gettext_lazy("signed on"), lambda c, r: c.signed_on or "—"),
        Column(gettext_lazy("open points"), _open_points),
    ],
    detail=[],
    search=_search,
    search_placeholder=gettext_lazy("Number, title or other party"),
    filters=[
        estate_filter(),
        Filter(
            "status", gettext_lazy("status"), lambda qs, v: qs.filter(status=v), lambda u: CONTRACT.choices
        ),
        Filter(
            "kind",
            gettext_lazy("type"),
            lambda qs, v: qs.filter(kind=v),
            lambda u: list(ContractKind.choices),
        ),
    ],
    can_create=services.may_write,
    export=True,
)

_contract_list = ListPage.as_view(register=CONTRACTS)


@require_GET
@company_time
def contract_list(request: HttpRequest) -> HttpResponse:
    return cast(HttpResponse, _contract_list(request))


@require_GET
@company_time
def contract_export(request: HttpRequest) -> HttpResponse:
    return list_export(CONTRACTS, request, "contracts")


# --- A new contract ------------------------------------------------------------------------------


def _draft(data: dict[str, Any], estate: int) -> services.ContractDraft:
    return services.ContractDraft(
        kind=data["kind"],
        title=data["title"],
        estate=estate,
        customer=data["customer"],
        unit=data["unit"],
        counterparty=data["counterparty"] or "",
        scope=data["scope"] or "",
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
    )


def _create_page(request: HttpRequest, form: ContractForm, status: int = 200) -> HttpResponse:
    return render(request, "communication/contracts/create.html", {"form": form}, status=status)


@company_time
def contract_create(request: HttpRequest) -> HttpResponse:
    if not services.may_write(request.user):
        return not_allowed(request)
    if request.method != "POST":
        return _create_page(request, ContractForm(user=request.user))
    form = ContractForm(request.POST, user=request.user)
    if not form.is_valid():
        return _create_page(request, form, 422)
    try:
        contract = services.create_contract(
            actor=request.user, draft=_draft(form.cleaned_data, form.cleaned_data["estate"])
        )
    except ServiceError as error:
        put_error(form, error)
        return _create_page(request, form, error.status)
    messages.success(
        request,
        _("Contract %(number)s recorded. Record the requirement clarifications before signing.")
        % {"number": contract.number},
    )
    return redirect("communication:contract_detail", contract.pk)


# --- The contract's page -------------------------------------------------------------------------


def _contract(request: HttpRequest, pk: int) -> Any:
    contract = contract_rows(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def _missing(change: Any) -> list[str]:
    missing = []
    if change.customer_told_at is None:
        missing.append(_("the customer has not been told"))
    if not change.resolution or change.agreed_on is None:
        missing.append(_("no resolution agreed yet"))
    return missing


def render_detail(
    request: HttpRequest, contract: Any, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    failed = failed or {}
    failed_at = failed.get("at")
    writer = services.may_write(user)
    names = org_channels.names()
    today = company_today()
    clarifications = list(contract.clarifications.all())
    for c in clarifications:
        c.asked_by_shown = person(c.asked_by, user)  # type: ignore[attr-defined]
        c.channel_name = names.get(c.channel, c.channel)  # type: ignore[attr-defined]
        mine = failed_at == ("clarification", c.pk)
        c.answer_form = (failed.get("answer") if mine else None) or AnswerForm(  # type: ignore[attr-defined]
            initial={
                "clarification": c.pk,
                "answer": c.answer,
                "answered_on": c.answered_on or today,
                **version_initial(c),
            },
            user=user,
            auto_id=f"id_answer{c.pk}_%s",
        )
        c.open_form = mine  # type: ignore[attr-defined]
    changes = list(contract.changes.all())
    for ch in changes:
        ch.channel_name = names.get(ch.told_channel, ch.told_channel)  # type: ignore[attr-defined]
        ch.missing = _missing(ch)  # type: ignore[attr-defined]
        mine = failed_at == ("change", ch.pk)
        ch.told_form = (failed.get("told") if mine else None) or ChangeToldForm(  # type: ignore[attr-defined]
            initial={"change": ch.pk}, user=user, auto_id=f"id_told{ch.pk}_%s"
        )
        ch.resolve_form = (failed.get("resolve") if mine else None) or ResolveForm(  # type: ignore[attr-defined]
            initial={
                "change": ch.pk,
                "resolution": ch.resolution,
                "agreed_on": ch.agreed_on or today,
                **version_initial(ch),
            },
            user=user,
            auto_id=f"id_resolve{ch.pk}_%s",
        )
        ch.open_form = next((n for n in ("told", "resolve") if mine and n in failed), "")  # type: ignore[attr-defined]
    events = [(e, label(e.kind, ContractEventKind)) for e in contract.events.all()]
    edit_initial = {
        "kind": contract.kind,
        "title": contract.title,
        "customer": contract.customer_id,
        "unit": contract.unit_id,
        "counterparty": contract.counterparty,
        "scope": contract.scope,
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        **version_initial(contract),
    }
    negotiating = contract.status == ContractStatus.NEGOTIATING
    signed = contract.status == ContractStatus.SIGNED
    context = {
        "contract": contract,
        "party": party(contract, request),
        "clarifications": clarifications,
        "changes": changes,
        "settled_count": sum(1 for ch in changes if ch.settled),
        "events": events,
        "writer": writer,
        "negotiating": negotiating,
        "signed": signed,
        "open_step": failed.get("name", ""),
        "edit_form": failed.get("edit")
        or ContractEditForm(initial=edit_initial, estate=contract.estate_id, user=user, auto_id="id_edit_%s"),
        "clarify_form": failed.get("clarify")
        or ClarifyForm(initial={"asked_on": today}, user=user, auto_id="id_clarify_%s"),
        "sign_form": failed.get("sign")
        or SignForm(initial={"signed_on": today}, user=user, auto_id="id_sign_%s"),
        "change_form": failed.get("change")
        or ChangeForm(initial={"proposed_on": today}, user=user, auto_id="id_change_%s"),
        "end_form": failed.get("end") or EndForm(initial={"ended_on": today}, user=user, auto_id="id_end_%s"),
    }
    return render(request, "communication/contracts/detail.html", context, status=status)


@require_GET
@company_time
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _contract(request, pk))


def _back(contract: Any) -> str:
    return reverse("communication:contract_detail", args=[contract.pk])


def _step(name: str, build: Any, run: Any, at: Any = None, anchor: str = "") -> Any:
    def show(request: HttpRequest, contract: Any, form: Any, status: int) -> HttpResponse:
        failed: dict[str, Any] = {name: form, "name": name}
        if at is not None:
            failed["at"] = at(form)
        return render_detail(request, contract, failed=failed, status=status)

    def back(contract: Any) -> str:
        return f"{_back(contract)}#{anchor}" if anchor else _back(contract)

    return form_step_view(
        FormStep(load=_contract, form=build, run=run, render=show, back=back, name=f"contract_{name}")
    )


def _simple(form_class: type, prefix: str) -> Any:
    def build(request: HttpRequest, contract: Any, data: Any) -> Any:
        return form_class(data, user=request.user, auto_id=f"id_{prefix}_%s")

    return build


def _keyed(form_class: type, key: str, prefix: str) -> Any:
    """A form on one clarification or change: its ids carry that row's pk, as the page drew them."""

    def build(request: HttpRequest, contract: Any, data: Any) -> Any:
        pk = hidden_id(data, key)
        return form_class(data, user=request.user, auto_id=f"id_{prefix}{pk}_%s")

    return build


def _edit_form(request: HttpRequest, contract: Any, data: Any) -> ContractEditForm:
    return ContractEditForm(data, estate=contract.estate_id, user=request.user, auto_id="id_edit_%s")


def _run_edit(request: HttpRequest, contract: Any, form: ContractEditForm) -> str:
    data = form.cleaned_data
    services.edit_contract(
        actor=request.user,
        contract=contract.pk,
        draft=_draft(data, contract.estate_id),
        based_on=data["based_on_version"],
    )
    return _("Contract saved.")


def _run_clarify(request: HttpRequest, contract: Any, form: ClarifyForm) -> str:
    data = form.cleaned_data
    services.add_clarification(
        actor=request.user,
        contract=contract.pk,
        asked_on=data["asked_on"],
        asked_by=data["asked_by"],
        channel=data["channel"],
        question=data["question"],
        answer=data["answer"] or "",
        answered_on=data["answered_on"],
    )
    return _("Clarification recorded.")


def _run_answer(request: HttpRequest, contract: Any, form: AnswerForm) -> str:
    data = form.cleaned_data
    services.answer_clarification(
        actor=request.user,
        contract=contract.pk,
        clarification=data["clarification"],
        answer=data["answer"],
        answered_on=data["answered_on"],
        based_on=data["based_on_version"],
    )
    return _("Answer saved.")


def _run_sign(request: HttpRequest, contract: Any, form: SignForm) -> str:
    services.sign_contract(actor=request.user, contract=contract.pk, signed_on=form.cleaned_data["signed_on"])
    return _("Contract %(number)s recorded as signed.") % {"number": contract.number}


def _run_change(request: HttpRequest, contract: Any, form: ChangeForm) -> str:
    data = form.cleaned_data
    change = services.add_change(
        actor=request.user,
        contract=contract.pk,
        cause=data["cause"],
        description=data["description"],
        proposed_on=data["proposed_on"],
    )
    return _("Change %(position)d recorded. Tell the customer and agree a resolution with them.") % {
        "position": change.position
    }


def _run_told(request: HttpRequest, contract: Any, form: ChangeToldForm) -> str:
    data = form.cleaned_data
    services.record_change_told(
        actor=request.user,
        contract=contract.pk,
        change=data["change"],
        told_at=data["told_at"],
        channel=data["channel"],
        told_by=data["told_by"] or "",
    )
    return _("Recorded that the customer was told.")


def _run_resolve(request: HttpRequest, contract: Any, form: ResolveForm) -> str:
    data = form.cleaned_data
    services.resolve_change(
        actor=request.user,
        contract=contract.pk,
        change=data["change"],
        resolution=data["resolution"],
        agreed_on=data["agreed_on"],
        based_on=data["based_on_version"],
    )
    return _("Resolution recorded.")


def _run_end(request: HttpRequest, contract: Any, form: EndForm) -> str:
    data = form.cleaned_data
    services.end_contract(
        actor=request.user, contract=contract.pk, ended_on=data["ended_on"], note=data["note"] or ""
    )
    return _("Contract %(number)s recorded as ended.") % {"number": contract.number}


def _at(kind: str, key: str) -> Any:
    return lambda form: (kind, hidden_id(form.data, key))


contract_edit = _step("edit", _edit_form, _run_edit)
contract_clarify = _step("clarify", _simple(ClarifyForm, "clarify"), _run_clarify, anchor="clarifications")
contract_answer = _step(
    "answer",
    _keyed(AnswerForm, "clarification", "answer"),
    _run_answer,
    at=_at("clarification", "clarification"),
    anchor="clarifications",
)
contract_sign = _step("sign", _simple(SignForm, "sign"), _run_sign)
contract_change_add = _step("change", _simple(ChangeForm, "change"), _run_change, anchor="changes")
contract_change_told = _step(
    "told", _keyed(ChangeToldForm, "change", "told"), _run_told, at=_at("change", "change"), anchor="changes"
)
contract_change_resolve = _step(
    "resolve",
    _keyed(ResolveForm, "change", "resolve"),
    _run_resolve,
    at=_at("change", "change"),
    anchor="changes",
)
contract_end = _step("end", _simple(EndForm, "end"), _run_end)
