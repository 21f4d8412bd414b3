"""The rectification item register (SPEC R-2, R-3): one list for the three sides, its bulk
actions and its Excel export.

The property company sees its estates' items, newest first; the developer's customer service
and the teams see theirs, overdue first and then by completion date. Pages are fetched ids
first with every shown relation joined (``registers.with_rows``), and the due state is worked
out in Python with the zone read once, so a page costs the same queries at 200,000 items.

Bulk actions run the ordinary service once per ticked item (``core.batch``): the decision
(property company), the plan (developer's customer service) and asking residents to inspect
(property company). One refused item does not stop the others; each refusal is shown with its
number and the service's reason. A bulk form that cannot be read (no completion date, no team)
shows the list again, 422, with the ticks and everything typed kept, and nothing done.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.core import batch, policy
from estatedesk.core.batch import Outcome
from estatedesk.core.clock import company_today, company_zone, now
from estatedesk.core.paging import CappedPaginator
from estatedesk.core.params import MAX_ID
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.rectification import display, registers, selectors
from estatedesk.rectification.forms_reports import DecideForm, PlanForm
from estatedesk.rectification.services import rounds, routing
from estatedesk.rectification.workflow import PROPERTY_ROLES

PAGE_SIZE = 50
EXPORT_MAX = 50_000
DUE_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "due": gettext_lazy("Due"),
    "met": pgettext_lazy("rectification", "Done on time"),
    "late": pgettext_lazy("rectification", "Done late"),
}


def _bulk_actions(user: Any) -> set[str]:
    side = selectors.side_of(user)
    if side == "property" and policy.role_of(user) in PROPERTY_ROLES:
        return {"decide", "notify"}
    if side == "developer":
        return {"plan"}
    return set()


def _querystring(values: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(values)
    return query.urlencode()


def _list_page(
    request: HttpRequest,
    query: QueryDict,
    *,
    forms: dict[str, Any] | None = None,
    ticked: Sequence[int] = (),
    open_action: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today, side = company_today(), selectors.side_of(user)
    items, filters = registers.filter_items(user, query, today)
    page = CappedPaginator(registers.with_rows(registers.ordered(items, side, today)), PAGE_SIZE).get_page(
        query.get("page")
    )
    at, zone = now(), company_zone()
    for item in page.object_list:
        item.due_state = display.due_of(item, at, zone)  # type: ignore[attr-defined]
    actions = _bulk_actions(user)
    forms = forms or {}
    querystring = _querystring(filters.values)
    list_url = reverse("rectification:item_list") + (f"?{querystring}" if querystring else "")
    if query.get("page"):
        list_url += ("&" if querystring else "?") + "page=" + str(page.number)
    context = {
        "page": page,
        "filters": filters,
        "filter_fields": filters.fields(),
        "f": filters.values,
        "querystring": querystring,
        "report": registers.report_title(user, filters.values.get("report", "")),
        "side": side,
        "bulk": bool(actions) and bool(page.object_list),
        "actions": actions,
        "decide_form": forms.get("decide") or DecideForm(user=user, auto_id="decide_%s"),
        "plan_form": forms.get("plan") or PlanForm(user=user, auto_id="plan_%s"),
        "ticked": set(ticked),
        "open_action": open_action,
        "next_url": list_url,
    }
    with timezone.override(zone):
        return render(request, "rectification/items/list.html", context, status=status)


@require_GET
@company_time
def item_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, request.GET)


# --- Bulk actions ---------------------------------------------------------------------------------


def _back_query(request: HttpRequest) -> QueryDict:
    """The list's query string the bulk form came from (only the item list's own)."""
    target = request.POST.get("next", "")
    path, _sep, query = target.partition("?")
    try:
        if resolve(path).view_name == "rectification:item_list":
            return QueryDict(query)
    except Resolver404:
        pass
    return QueryDict()


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        value = value.strip()
        if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
            ids.append(int(value))
    return ids


def _report(request: HttpRequest, outcomes: list[Outcome]) -> None:
    done = sum(1 for o in outcomes if o.done)
    if done:
        messages.success(request, _("Done: %(count)d items.") % {"count": done})
    for outcome in outcomes:
        if not outcome.done:
            messages.warning(
                request,
                _("%(number)s not done: %(reason)s") % {"number": outcome.label, "reason": outcome.error},
            )


@company_time
def item_bulk(request: HttpRequest) -> HttpResponse:
    """POST from the list: ``action`` (decide, plan, notify) on the ticked ``ids``."""
    query = _back_query(request) if request.method == "POST" else QueryDict()
    back = reverse("rectification:item_list") + (f"?{query.urlencode()}" if query else "")
    if request.method != "POST":
        return redirect(back)
    user = request.user
    action = request.POST.get("action", "")
    allowed = _bulk_actions(user)
    if not allowed:
        raise PermissionDenied
    if action not in allowed:
        messages.warning(request, _("Choose what to do with the ticked items."))
        return redirect(back)
    ids = _ids(request.POST.getlist("ids"))[: batch.BULK_MAX]
    if not ids:
        messages.warning(request, _("Tick the items to act on first."))
        return redirect(back)
    if action == "notify":
        _report(
            request,
            batch.run_each(selectors.items_for(user), ids, lambda pk: rounds.notify(actor=user, item=pk)),
        )
        return redirect(back)
    if action == "decide":
        form: Any = DecideForm(request.POST, user=user, auto_id="decide_%s")
    else:
        form = PlanForm(request.POST, user=user, auto_id="plan_%s")
    if not form.is_valid():
        messages.warning(request, _("Nothing was done: correct the form below."))
        return _list_page(request, query, forms={action: form}, ticked=ids, open_action=action, status=422)
    data = form.cleaned_data
    if action == "decide":
        outcomes = routing.decide_each(
            actor=user,
            ids=ids,
            route=data["route"],
            department=data.get("department"),
            due_date=data.get("due_date"),
            note=data.get("note") or "",
        )
    else:
        outcomes = routing.plan_each(
            actor=user, ids=ids, measure=data["measure"], due_date=data["due_date"], team=data["team"]
        )
    _report(request, outcomes)
    return redirect(back)


# --- Excel export ---------------------------------------------------------------------------------

EXPORT_HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Report"),
    gettext_lazy("Estate"),
    gettext_lazy("Unit"),
    gettext_lazy("Location"),
    gettext_lazy("Description"),
    gettext_lazy("Category"),
    gettext_lazy("Source"),
    gettext_lazy("Status"),
    gettext_lazy("Round"),
    gettext_lazy("Fixed by"),
    gettext_lazy("Department or team"),
    gettext_lazy("Measure"),
    gettext_lazy("Completion date"),
    gettext_lazy("Deadline"),
    gettext_lazy("Reported at"),
    gettext_lazy("Reporter"),
    gettext_lazy("Accepted at"),
    gettext_lazy("Accepted by"),
    gettext_lazy("Signed by"),
]


def _local(value: Any, zone: Any) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(items: Any, *, limit: int = EXPORT_MAX) -> Iterator[Sequence[Any]]:
    """One row per item; no resident's name or phone, the signer masked (SPEC D-3)."""
    at, zone = now(), company_zone()
    for index, item in enumerate(items[: limit + 1].iterator(chunk_size=2000)):
        if index == limit:
            yield NoteRow(
                [_("Only the first %(count)d records are exported: narrow the filters.") % {"count": limit}]
            )
            return
        fixer = item.team or item.department
        state = display.due_of(item, at, zone)
        yield [
            item.number,
            item.report.number,
            item.estate.name,
            item.unit.label if item.unit else "",
            item.location,
            item.description,
            item.get_category_display(),
            item.get_source_display(),
            item.get_status_display(),
            item.round,
            item.get_route_display(),
            fixer.name if fixer else "",
            item.measure,
            item.due_date.isoformat() if item.due_date else "",
            str(DUE_LABELS.get(str(state), "")),
            _local(item.reported_at, zone),
            item.reporter_name,
            _local(item.accepted_at, zone),
            item.get_acceptance_method_display(),
            display.signer(item, full=False),
        ]


@require_GET
@company_time
def item_export(request: HttpRequest) -> HttpResponse:
    user, today = request.user, company_today()
    items, _filters = registers.filter_items(user, request.GET, today)
    rows = export_rows(registers.with_rows(registers.ordered(items, selectors.side_of(user), today)))
    return workbook_response(
        request, "rectification-items", EXPORT_HEADERS, rows, sheet=_("Rectification items")
    )
