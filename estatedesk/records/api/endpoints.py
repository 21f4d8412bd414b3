"""The records over the API (SPEC A-2, D-1 … D-3), with the permissions of the pages.

Administrators and auditors read; everyone else gets 403 (as the pages, ``Rule.RECORDS``).
Writes are administrators' only: the retention period (``records.retention.set_months``, with
the ``version`` read, decision 0011) and legal holds (``records.holds``). Disposal runs and
personal-data requests are read here; a run is started from the page, the command or the
monthly job, and a request is handled on its pages (the customer's data never leaves in JSON).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.core import policy
from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    Paging,
    current_user,
    paginate,
    service_errors,
)
from estatedesk.core.api import responses as answers
from estatedesk.core.clock import company_zone
from estatedesk.records import holds, retention
from estatedesk.records.api import output
from estatedesk.records.api.schemas import (
    HoldIn,
    HoldOut,
    HoldPage,
    ReleaseIn,
    RequestPage,
    RetentionIn,
    RetentionOut,
    RunDetail,
    RunPage,
)
from estatedesk.records.models import DataRequest, DisposalRun, LegalHold

router = Router(tags=["records"])


def _reader(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policy.check_rule(user, policy.Rule.RECORDS):
        raise ApiError(403, "permission_denied", _("Only administrators and auditors see the records."))
    return user


def _writer(request: HttpRequest) -> Any:
    user = _reader(request)
    if not policy.is_admin(user):
        raise ApiError(403, "permission_denied", _("Only administrators change records; auditors read them."))
    return user


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


@router.get("/records/retention", response=answers(200, list[RetentionOut], *READ_ERRORS))
def list_retention_rules(request: HttpRequest) -> Any:
    """Every record type: who keeps it, from when its period runs, the period in force and
    whether an administrator changed it, and today's cut-off."""
    _reader(request)
    return output.retention_rows(retention.rule_table(), company_zone())


@router.put("/records/retention/{record_type}", response=answers(200, RetentionOut, *WRITE_ERRORS, 404))
def set_retention_period(request: HttpRequest, record_type: str, payload: RetentionIn) -> Any:
    """Change a record type's period (administrators). Send the `version` you read: if someone
    changed it since, the answer is 409 `stale_edit` with their values and nothing is saved."""
    user = _writer(request)
    if record_type not in {row.record_type.key for row in retention.rule_table()}:
        raise _not_found()
    with service_errors(["months", "note", "version"]):
        retention.set_months(
            actor=user, key=record_type, months=payload.months, note=payload.note, based_on=payload.version
        )
    row = next(r for r in retention.rule_table() if r.record_type.key == record_type)
    return output.retention_rows([row], company_zone())[0]


@router.get("/records/holds", response=answers(200, HoldPage, *READ_ERRORS))
def list_legal_holds(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Legal holds, those in force first (newest first), then the released ones."""
    _reader(request)
    # In force (no release time) first, on every database: PostgreSQL sorts NULLs last by default.
    rows = output.holds().order_by(F("released_at").desc(nulls_first=True), "-placed_at", "-id")
    page = paginate(rows, paging)
    zone = company_zone()
    page["items"] = [output.hold(h, zone) for h in page["items"]]
    return page


@router.post("/records/holds", response=answers(201, HoldOut, *WRITE_ERRORS))
def place_legal_hold(request: HttpRequest, payload: HoldIn) -> Any:
    """Put a record on hold by its type and number, with the reason (administrators). It is
    not disposed of, whatever its retention period, until the hold is released."""
    user = _writer(request)
    with service_errors(["record_type", "label", "reason"]):
        hold = holds.place_hold(
            actor=user, record_type=payload.record_type, label=payload.label, reason=payload.reason
        )
    return Status(201, output.hold(output.holds().get(pk=hold.pk), company_zone()))


@router.post("/records/holds/{int:hold_id}/release", response=answers(200, HoldOut, *WRITE_ERRORS, 404))
def release_legal_hold(request: HttpRequest, hold_id: Id, payload: ReleaseIn) -> Any:
    """Release a hold, with the reason (administrators). Already released: 409."""
    user = _writer(request)
    if not LegalHold.objects.filter(pk=hold_id).exists():
        raise _not_found()
    with service_errors(["reason"]):
        holds.release_hold(actor=user, hold_id=hold_id, reason=payload.reason)
    return output.hold(output.holds().get(pk=hold_id), company_zone())


@router.get("/records/disposals", response=answers(200, RunPage, *READ_ERRORS))
def list_disposal_runs(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Disposal runs and dry runs, newest first: who or what started each, its status, counts
    and archive (name, size, SHA-256)."""
    _reader(request)
    page = paginate(output.runs().order_by("-started_at", "-id"), paging)
    zone = company_zone()
    page["items"] = [output.run(r, zone) for r in page["items"]]
    return page


@router.get("/records/disposals/{int:run_id}", response=answers(200, RunDetail, *READ_ERRORS, 404))
def get_disposal_run(request: HttpRequest, run_id: Id) -> Any:
    """One run, with its counts per record type (a dry run's sample labels among them)."""
    _reader(request)
    found: DisposalRun | None = output.runs().filter(pk=run_id).first()
    if found is None:
        raise _not_found()
    return output.run_detail(found, company_zone())


@router.get("/records/requests", response=answers(200, RequestPage, *READ_ERRORS))
def list_personal_data_requests(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Customers' requests for a copy of their data or its erasure, newest first, with their
    outcome. The customer is named masked only."""
    _reader(request)
    rows = DataRequest.objects.select_related("handled_by__staff").order_by("-handled_at", "-id")
    page = paginate(rows, paging)
    zone = company_zone()
    page["items"] = [output.data_request(r, zone) for r in page["items"]]
    return page
