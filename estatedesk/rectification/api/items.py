"""Rectification over the API (SPEC A-2, R-1 … R-5), with the permissions of the pages.

Reads come from ``rectification.selectors``: the property company's staff see their estates'
items, the developer's customer service only those escalated to its developer, a team only its
own; anything else is a 404, like a missing item. Every step is one call of one service
(``services.routing``, ``services.rounds``), whose refusals become the API's error format: 403
for a role that may not take the step, 404 out of scope, 409 for an item someone else already
moved (or a stale edit), 422 naming the field. A step answers the item as ``GET`` does.

The steps with files (completion, a paper acceptance, a paper objection) are
``multipart/form-data``; the others JSON.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from estatedesk.core import uploads
from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    Paging,
    current_user,
    paginate,
    responses,
    service_errors,
)
from estatedesk.core.clock import company_today
from estatedesk.core.workflow import require
from estatedesk.rectification.api import output
from estatedesk.rectification.api.schemas import (
    AcceptanceNote,
    BulkDecisionIn,
    BulkOut,
    CancellationIn,
    DecisionIn,
    InspectionIn,
    ItemFilters,
    ItemOut,
    ItemPage,
    ObjectionPhotos,
    ObjectionText,
    PlanIn,
    Scan,
    SignedName,
    WorkNote,
    WorkPhotos,
)
from estatedesk.rectification.deadlines import overdue_before
from estatedesk.rectification.models import Item, Route
from estatedesk.rectification.services import common, rounds, routing
from estatedesk.rectification.workflow import FIXING_STATUSES, ITEM

router = Router(tags=["rectification"])

STEP_ERRORS = (*WRITE_ERRORS, 404)


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def _item(request: HttpRequest, pk: int) -> Item:
    item = output.item_in_scope(current_user(request), pk)
    if item is None:
        raise _not_found()
    return item


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return output.item_detail(_item(request, pk), current_user(request))


# --- Reads ---------------------------------------------------------------------------------------


def _overdue() -> Q:
    return Q(status__in=FIXING_STATUSES, due_date__lt=overdue_before(company_today()))


@router.get("/rectification/items", response=responses(200, ItemPage, *READ_ERRORS))
def list_rectification_items(request: HttpRequest, filters: Query[ItemFilters], paging: Query[Paging]) -> Any:
    """The items you see, newest first: your estates' (the property company), those escalated
    to your developer (its customer service), or your team's. ``overdue=true``: being fixed
    past the completion date."""
    rows = output.items_of(current_user(request))
    chosen = {
        "estate_id": filters.estate,
        "report_id": filters.report,
        "status": filters.status,
        "category": filters.category,
        "round": filters.round,
        "team_id": filters.team,
        "unit_id": filters.unit,
    }
    rows = rows.filter(**{name: value for name, value in chosen.items() if value is not None})
    if filters.overdue is not None:
        rows = rows.filter(_overdue()) if filters.overdue else rows.exclude(_overdue())
    page = paginate(rows.order_by("-reported_at", "-pk"), paging)
    page["items"] = output.item_rows(page["items"])
    return page


@router.get("/rectification/items/{int:item_id}", response=responses(200, ItemOut, *READ_ERRORS, 404))
def get_rectification_item(request: HttpRequest, item_id: Id) -> Any:
    """The item: where and what, who fixes it and by when (with its due state), its round, its
    photos (id, stage, round) and its timeline, each step with the round it happened in. The
    resident's signed name is masked for readers who may not see names (auditors)."""
    return _fresh(request, item_id)


# --- Routing (R-3) -------------------------------------------------------------------------------


def _decide(request: HttpRequest, pk: int, payload: DecisionIn) -> None:
    user = current_user(request)
    if payload.route == Route.DEVELOPER:
        routing.escalate(actor=user, item=pk, note=payload.note)
    else:
        routing.fix_ourselves(
            actor=user, item=pk, department=payload.department, due_date=payload.due_date, note=payload.note
        )


@router.post("/rectification/items/{int:item_id}/decision", response=responses(200, ItemOut, *STEP_ERRORS))
def decide_rectification_item(request: HttpRequest, item_id: Id, payload: DecisionIn) -> Any:
    """The property company's customer service decides who fixes a collected item: ``property``
    (one of our departments, by ``due_date``) or ``developer`` (escalated to the developer's
    customer service, who plans it)."""
    with service_errors([*type(payload).model_fields]):
        _decide(request, item_id, payload)
    return _fresh(request, item_id)


@router.post("/rectification/decisions", response=responses(200, BulkOut, *WRITE_ERRORS))
def decide_rectification_items(request: HttpRequest, payload: BulkDecisionIn) -> Any:
    """The same decision on many items (at most 100). Each item is decided on its own: one
    refused (not found, already decided, a department that cannot fix it) does not undo the
    others; ``outcomes`` says what became of each id. A role that may not decide, or a
    completion date no item could take, is refused for all (403, 422)."""
    user = current_user(request)
    fields = [*type(payload).model_fields]
    with service_errors(fields):
        require(user, ITEM.get("escalate" if payload.route == Route.DEVELOPER else "fix_ourselves"))
        if payload.route == Route.PROPERTY:
            common.completion_date(payload.due_date)
        outcomes = routing.decide_each(
            actor=user,
            ids=payload.ids,
            route=payload.route,
            department=payload.department,
            due_date=payload.due_date,
            note=payload.note,
        )
    rows = [{"id": o.pk, "number": o.number, "done": o.done, "error": o.error} for o in outcomes]
    done = sum(1 for o in outcomes if o.done)
    return {"done": done, "refused": len(outcomes) - done, "outcomes": rows}


@router.post("/rectification/items/{int:item_id}/plan", response=responses(200, ItemOut, *STEP_ERRORS))
def plan_rectification_item(request: HttpRequest, item_id: Id, payload: PlanIn) -> Any:
    """The developer's customer service sets the measure, the completion date and one of its
    rectification teams; ``replan: true`` changes them while the team is at work."""
    with service_errors([*type(payload).model_fields]):
        routing.plan(
            actor=current_user(request),
            item=item_id,
            measure=payload.measure,
            due_date=payload.due_date,
            team=payload.team,
            replan=payload.replan,
        )
    return _fresh(request, item_id)


# --- Rounds (R-4) --------------------------------------------------------------------------------


@router.post("/rectification/items/{int:item_id}/completion", response=responses(200, ItemOut, *STEP_ERRORS))
def complete_rectification_item(
    request: HttpRequest,
    item_id: Id,
    note: WorkNote = "",
    photos: WorkPhotos = None,
) -> Any:
    """Report the work done with photos of it (at least one, at most nine; images only): the
    rectification team for an escalated item (the developer's customer service then inspects
    it), our department for our own fix (ready for the resident then)."""
    user = current_user(request)
    item = _item(request, item_id)
    step = rounds.complete_ourselves if item.route == Route.PROPERTY else rounds.complete
    with uploads.discard_on_failure(), service_errors(["note", "photos"]):
        step(actor=user, item=item.pk, note=note, photos=list(photos or ()))
    return _fresh(request, item_id)


@router.post("/rectification/items/{int:item_id}/inspection", response=responses(200, ItemOut, *STEP_ERRORS))
def inspect_rectification_item(request: HttpRequest, item_id: Id, payload: InspectionIn) -> Any:
    """The developer's customer service inspects the team's work: ``passed`` (ready for the
    resident) or sent back to the team with a ``reason``."""
    with service_errors([*type(payload).model_fields]):
        rounds.inspect(
            actor=current_user(request), item=item_id, passed=payload.passed, reason=payload.reason
        )
    return _fresh(request, item_id)


@router.post(
    "/rectification/items/{int:item_id}/notification", response=responses(200, ItemOut, *STEP_ERRORS)
)
def notify_rectification_resident(request: HttpRequest, item_id: Id) -> Any:
    """Ask the resident to inspect: a message with the unit's private link (never before the
    developer's inspection passed). An item with no unit is accepted for its department instead."""
    with service_errors():
        rounds.notify(actor=current_user(request), item=item_id)
    return _fresh(request, item_id)


@router.post("/rectification/items/{int:item_id}/acceptance", response=responses(200, ItemOut, *STEP_ERRORS))
def accept_rectification_item(
    request: HttpRequest,
    item_id: Id,
    signed_name: SignedName = "",
    note: AcceptanceNote = "",
    scan: Scan = None,
) -> Any:
    """Record the resident's acceptance signed on paper: the ``scan`` of the sheet (image or PDF)
    and the name signed. An item with no unit (a public area) is accepted for the department
    that found it, with a ``note`` and no scan. Once: a second acceptance is 409."""
    user = current_user(request)
    item = _item(request, item_id)
    with uploads.discard_on_failure(), service_errors(["signed_name", "note", "scan"]):
        if item.unit_id is None:
            rounds.accept_on_behalf(actor=user, item=item.pk, note=note)
        else:
            rounds.record_paper_acceptance(actor=user, item=item.pk, scan=scan, signed_name=signed_name)
    return _fresh(request, item_id)


@router.post("/rectification/items/{int:item_id}/objection", response=responses(200, ItemOut, *STEP_ERRORS))
def object_to_rectification_item(
    request: HttpRequest,
    item_id: Id,
    objection: ObjectionText = "",
    photos: ObjectionPhotos = None,
) -> Any:
    """Record the resident's objection made on paper or in person, with photos: the next round
    opens (the round number goes up, the objection is kept) and the item goes back to whoever
    decides its route."""
    with uploads.discard_on_failure(), service_errors(["objection", "photos"]):
        rounds.record_paper_objection(
            actor=current_user(request), item=item_id, objection=objection, photos=list(photos or ())
        )
    return _fresh(request, item_id)


@router.post(
    "/rectification/items/{int:item_id}/cancellation", response=responses(200, ItemOut, *STEP_ERRORS)
)
def cancel_rectification_item(request: HttpRequest, item_id: Id, payload: CancellationIn) -> Any:
    """Cancel an item nobody is fixing yet (not a defect, or entered twice), with the reason."""
    with service_errors([*type(payload).model_fields]):
        rounds.cancel(actor=current_user(request), item=item_id, reason=payload.reason)
    return _fresh(request, item_id)


__all__ = ["router"]
