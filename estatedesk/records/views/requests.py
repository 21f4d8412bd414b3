"""Personal-data requests (SPEC D-3): find the customer, hand over their data, erase it.

Administrators and auditors reach these pages (``core.policy.Rule.RECORDS``); only
administrators act: auditors see the requests and their outcomes, the buttons that act are
not shown to them, and the steps answer 403. Everything about the person travels in POST
bodies (a phone number never enters an address); every step re-runs the search it was
chosen from, so only customers found in the administrator's scope can be named.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from estatedesk.core import policy
from estatedesk.core.actors import name_of
from estatedesk.core.errors import ServiceError
from estatedesk.core.paging import IdsFirstPaginator
from estatedesk.core.web import company_time, put_error
from estatedesk.records import requests as service
from estatedesk.records.forms_requests import (
    ChooseForm,
    ConfirmForm,
    SearchForm,
    confirm_word,
    received_via_label,
)
from estatedesk.records.models import DataRequest, RequestKind
from estatedesk.records.subjects import Candidate

log = logging.getLogger(__name__)

PAGE_SIZE = 25
NEW_TEMPLATE = "records/requests/new.html"
CONFIRM_TEMPLATE = "records/requests/confirm.html"


def _no_store(response: HttpResponse) -> HttpResponse:
    # Pages and files with a person's data are not kept by browsers or proxies.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _require_admin(request: HttpRequest) -> None:
    if not policy.is_admin(request.user):
        raise PermissionDenied


def summary(row: DataRequest) -> str:
    """The outcome in a few words, for the list."""
    outcome = row.outcome or {}
    if row.kind == RequestKind.EXPORT:
        sections = outcome.get("sections") or {}
        entries = sum(int(n) for n in sections.values())
        return ngettext(
            "%(entries)d entry in %(sections)d sections",
            "%(entries)d entries in %(sections)d sections",
            entries,
        ) % {"entries": entries, "sections": len(sections)}
    erased = sum(int(n) for n in (outcome.get("erased") or {}).values())
    kept = len(outcome.get("kept") or [])
    text = ngettext("%(n)d record erased", "%(n)d records erased", erased) % {"n": erased}
    if kept:
        text += _(", ") + ngettext("%(n)d kept", "%(n)d kept", kept) % {"n": kept}
    return text


# --- The list and one request ------------------------------------------------------------------


@require_GET
@company_time
def request_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    requests_ = DataRequest.objects.select_related("handled_by").order_by("-handled_at", "-id")
    page = IdsFirstPaginator(requests_, PAGE_SIZE).get_page(request.GET.get("page"))
    names: dict[int, str] = {}
    rows = []
    for row in page.object_list:
        if row.handled_by_id not in names:
            names[row.handled_by_id] = name_of(row.handled_by)
        rows.append((row, names[row.handled_by_id], summary(row)))
    response = render(
        request,
        "records/requests/list.html",
        {"page": page, "rows": rows, "can_act": policy.is_admin(request.user), "querystring": ""},
    )
    return _no_store(response)


@require_GET
@company_time
def request_detail(request: HttpRequest, pk: int, **kwargs: object) -> HttpResponse:
    row = get_object_or_404(DataRequest.objects.select_related("handled_by"), pk=pk)
    outcome = row.outcome or {}
    labels = service.source_labels()
    erased = [(labels.get(key, key), n) for key, n in (outcome.get("erased") or {}).items()]
    kept = [
        {**item, "source_label": labels.get(item.get("source") or "", item.get("source") or "")}
        for item in outcome.get("kept") or []
    ]
    response = render(
        request,
        "records/requests/detail.html",
        {
            "row": row,
            "handled_by": name_of(row.handled_by),
            "received_via": received_via_label(row.received_via),
            "sections": list((outcome.get("sections") or {}).items()),
            "erased": erased,
            "erased_total": sum(n for _label, n in erased),
            "kept": kept,
            "summary": summary(row),
        },
    )
    return _no_store(response)


# --- Finding the person -------------------------------------------------------------------------


def _new_page(
    request: HttpRequest,
    search: SearchForm,
    *,
    candidates: list[Candidate] | None = None,
    choose: ChooseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if candidates is not None and choose is None:
        choose = ChooseForm(candidates=candidates)
    chosen = set(request.POST.getlist("customers")) if choose is not None and choose.is_bound else set()
    response = render(
        request,
        NEW_TEMPLATE,
        {
            "search": search,
            "candidates": candidates,
            "choose": choose,
            "chosen": chosen,
            "can_act": policy.is_admin(request.user),
        },
        status=status,
    )
    return _no_store(response)


def _searched(request: HttpRequest) -> tuple[SearchForm, list[Candidate] | None, HttpResponse | None]:
    """The search the page was sent from, run again: its form, what it found, or the page
    to answer with (422, the form kept) when it cannot run."""
    search = SearchForm(request.POST)
    if not search.is_valid():
        return search, None, _new_page(request, search, status=422)
    try:
        candidates = service.find(request.user, **search.cleaned_data)
    except ServiceError as error:
        put_error(search, error)
        return search, None, _new_page(request, search, status=error.status)
    return search, candidates, None


@company_time
def request_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    if request.method != "POST":
        return _new_page(request, SearchForm())
    _require_admin(request)
    search, candidates, failed = _searched(request)
    if failed is not None:
        return failed
    return _new_page(request, search, candidates=candidates)


def _chosen(
    request: HttpRequest,
) -> tuple[SearchForm, list[Candidate], ChooseForm | None, HttpResponse | None]:
    """The search run again and the customers chosen from it; or the page to answer with."""
    search, candidates, failed = _searched(request)
    if failed is not None or candidates is None:
        return search, [], None, failed
    choose = ChooseForm(request.POST, candidates=candidates)
    if not choose.is_valid():
        return (
            search,
            candidates,
            choose,
            _new_page(request, search, candidates=candidates, choose=choose, status=422),
        )
    return search, candidates, choose, None


# --- The copy ---------------------------------------------------------------------------------------


@require_POST
@company_time
def request_export(request: HttpRequest, **kwargs: object) -> HttpResponse:
    _require_admin(request)
    search, candidates, choose, failed = _chosen(request)
    if failed is not None or choose is None:
        return failed or _new_page(request, search, status=422)
    try:
        record, data, filename = service.export(
            actor=request.user,
            customer_ids=choose.cleaned_data["customers"],
            received_via=choose.cleaned_data["received_via"],
        )
    except ServiceError as error:
        put_error(choose, error)
        return _new_page(request, search, candidates=candidates, choose=choose, status=error.status)
    content_type = "application/pdf" if filename.endswith(".pdf") else "text/html; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Request-Number"] = record.number
    return _no_store(response)


# --- The erasure --------------------------------------------------------------------------------


def _confirm_page(
    request: HttpRequest,
    search: SearchForm,
    candidates: list[Candidate],
    choose: ChooseForm,
    confirm: ConfirmForm,
    status: int = 200,
) -> HttpResponse:
    ids = set(choose.cleaned_data["customers"])
    response = render(
        request,
        CONFIRM_TEMPLATE,
        {
            "search": search,
            "choose": choose,
            "chosen": [c for c in candidates if c.customer_id in ids],
            "received_via": received_via_label(choose.cleaned_data["received_via"]),
            "sources": [source.label for source in service.erase_order()],
            "confirm": confirm,
            "word": confirm_word(),
        },
        status=status,
    )
    return _no_store(response)


@require_POST
@company_time
def request_erase(request: HttpRequest, **kwargs: object) -> HttpResponse:
    _require_admin(request)
    search, candidates, choose, failed = _chosen(request)
    if failed is not None or choose is None:
        return failed or _new_page(request, search, status=422)
    if "confirm" not in request.POST:
        return _confirm_page(request, search, candidates, choose, ConfirmForm())
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        return _confirm_page(request, search, candidates, choose, confirm, 422)
    try:
        record = service.erase(
            actor=request.user,
            customer_ids=choose.cleaned_data["customers"],
            received_via=choose.cleaned_data["received_via"],
        )
    except ServiceError as error:
        put_error(confirm, error)
        return _confirm_page(request, search, candidates, choose, confirm, error.status)
    messages.success(request, _("Request %(number)s: the erasure is done.") % {"number": record.number})
    return redirect("records:request_detail", pk=record.pk)
