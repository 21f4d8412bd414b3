"""Notices to customers over the API (SPEC A-2, C-2, C-3; decision 0034), with the pages' permissions.

``/api/customer-notices`` (``/api/notices`` is the complaints' work arrangement notices). Reads
come from ``communication.selectors`` (a notice of none of the user's estates is a 404, like a
missing one); every write is one call of ``services.notices``, whose refusals become the API's
error format, naming the field (a late work notice without a reason: ``late_reason``).

Creating with a ``publish_at`` in the future schedules the notice at once (the worker publishes
it then); without one, or with a past one, the notice is a draft until ``…/publish``. Either
way a work notice whose ``publish_at`` is later than the lead time before ``starts_at`` needs
``late_reason`` already when it is created, and nothing is stored when it is refused.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.communication import kinds, selectors
from estatedesk.communication.api.notice_schemas import (
    NoticeFilters,
    NoticeIn,
    NoticeOut,
    NoticePage,
    RecipientFilters,
    RecipientPage,
)
from estatedesk.communication.models import Notice, NoticeRecipient
from estatedesk.communication.services import notices as services
from estatedesk.communication.services.notices import NoticeDraft
from estatedesk.core.actors import Actor
from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    Paging,
    current_user,
    invalid,
    paginate,
    responses,
    service_errors,
)
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import InvalidInput
from estatedesk.core.params import DATE_MAX, DATE_MIN

router = Router(tags=["notices"])


# --- Errors ------------------------------------------------------------------------------------


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


# --- Output ------------------------------------------------------------------------------------


def _time(value: datetime | None, zone: tzinfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


def _item(n: Notice, zone: tzinfo) -> dict[str, Any]:
    return {
        "id": n.pk,
        "number": n.number,
        "kind": n.kind,
        "kind_label": str(n.get_kind_display()),
        "status": n.status,
        "status_label": str(n.get_status_display()),
        "title": n.title,
        "estate": n.estate_id,
        "estate_name": n.estate.name,
        "urgent": n.urgent,
        "starts_at": _time(n.starts_at, zone),
        "ends_at": _time(n.ends_at, zone),
        "publish_at": _time(n.publish_at, zone),
        "published_at": _time(n.published_at, zone),
        "households": n.households,
    }


def notice_detail(n: Notice) -> dict[str, Any]:
    zone = company_zone()
    return {
        **_item(n, zone),
        "body": n.body,
        "buildings": sorted(n.buildings.values_list("pk", flat=True)),
        "units": sorted(n.units.values_list("pk", flat=True)),
        "audience": n.audience,
        "channels": list(n.channels),
        "late_reason": n.late_reason,
        "lead_hours": n.lead_hours,
        "read": NoticeRecipient.objects.filter(notice=n, read_at__isnull=False).count(),
        "sign_placed_at": _time(n.sign_placed_at, zone),
        "sign_place": n.sign_place,
        "version": n.edit_version,
        "created_at": _time(n.created_at, zone),
        "created_by": n.created_by_name,
    }


def _notice(request: HttpRequest, pk: int) -> Notice:
    found = selectors.notices_for(current_user(request)).select_related("estate").filter(pk=pk).first()
    if found is None:
        raise _not_found()
    return found


# --- Reads ---------------------------------------------------------------------------------------


@router.get("/customer-notices", response=responses(200, NoticePage, *READ_ERRORS))
def list_customer_notices(request: HttpRequest, filters: Query[NoticeFilters], paging: Query[Paging]) -> Any:
    """The notices of your estates (all of them for the customer-service supervisor and the
    leadership), newest first; filter by estate, type and status."""
    rows = selectors.notices_for(current_user(request)).select_related("estate")
    if filters.estate is not None:
        rows = rows.filter(estate_id=filters.estate)
    if filters.kind is not None:
        rows = rows.filter(kind=filters.kind)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    page = paginate(rows.order_by("-created_at", "-pk"), paging)
    zone = company_zone()  # read once: it is the company's setting
    page["items"] = [_item(n, zone) for n in page["items"]]
    return page


@router.get("/customer-notices/{int:notice_id}", response=responses(200, NoticeOut, *READ_ERRORS, 404))
def get_customer_notice(request: HttpRequest, notice_id: Id) -> Any:
    """The notice: its text (sanitised HTML), whom it is for, its times and channels, how many
    households it reached and how many have read it."""
    return notice_detail(_notice(request, notice_id))


@router.get(
    "/customer-notices/{int:notice_id}/recipients",
    response=responses(200, RecipientPage, *READ_ERRORS, 404),
)
def list_customer_notice_recipients(
    request: HttpRequest, notice_id: Id, filters: Query[RecipientFilters], paging: Query[Paging]
) -> Any:
    """The households a published notice reached, by building and unit: the channels, whether
    and when it was read on the portal, and whether the household was phoned or visited instead.
    ``read=false``: the households still to tell."""
    notice = _notice(request, notice_id)
    rows = (
        selectors.recipients_for(current_user(request))
        .filter(notice=notice)
        .select_related("unit__building", "building")
    )
    if filters.read is not None:
        rows = rows.filter(read_at__isnull=not filters.read)
    page = paginate(rows.order_by("building__name", "building_id", "unit__number", "unit_id"), paging)
    zone = company_zone()
    page["items"] = [
        {
            "unit": r.unit_id,
            "unit_label": r.unit.label,
            "building": r.building_id,
            "building_name": r.building.name,
            "channels": list(r.channels),
            "read": r.read_at is not None,
            "read_at": _time(r.read_at, zone),
            "contacted": r.contacted_at is not None,
            "contacted_at": _time(r.contacted_at, zone),
            "contact_channel": r.contact_channel,
        }
        for r in page["items"]
    ]
    return page


# --- Writes --------------------------------------------------------------------------------------


def _moment(field: str, value: datetime | None) -> datetime | None:
    """A time sent without a zone is the company's; one outside 1900–2100 is refused."""
    if value is None:
        return None
    if not (DATE_MIN.year <= value.year <= DATE_MAX.year):
        raise invalid(
            field,
            _("Give a date from %(first)s to %(last)s.")
            % {"first": DATE_MIN.isoformat(), "last": DATE_MAX.isoformat()},
        )
    if timezone.is_naive(value):
        return timezone.make_aware(value, company_zone())
    return value


def _draft(payload: NoticeIn) -> NoticeDraft:
    audience = payload.audience or kinds.audiences_for(payload.kind)[0]
    return NoticeDraft(
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        estate=payload.estate,
        buildings=list(payload.buildings),
        units=list(payload.units),
        audience=audience,
        starts_at=_moment("starts_at", payload.starts_at),
        ends_at=_moment("ends_at", payload.ends_at),
        publish_at=_moment("publish_at", payload.publish_at),
        channels=list(payload.channels),
        urgent=payload.urgent,
        late_reason=payload.late_reason,
    )


def _check_lead_time(notice: Notice) -> None:
    """A work notice planned to go out later than the lead time before the work needs its reason now."""
    if notice.publish_at is None or notice.starts_at is None or notice.late_reason.strip():
        return
    if kinds.is_late(
        notice.kind, publish_at=notice.publish_at, starts_at=notice.starts_at, lead_hours=notice.lead_hours
    ):
        raise InvalidInput(services.late_message(notice.starts_at, notice.lead_hours), field="late_reason")


def _create(actor: Actor, draft: NoticeDraft) -> Notice:
    with transaction.atomic():
        notice = services.create_notice(actor=actor, draft=draft)
        _check_lead_time(notice)
        if notice.publish_at is not None and notice.publish_at > now():
            notice = services.schedule_notice(actor=actor, notice=notice)
    return notice


@router.post("/customer-notices", response=responses(201, NoticeOut, *WRITE_ERRORS))
def create_customer_notice(request: HttpRequest, payload: NoticeIn) -> Any:
    """Write a notice for one of your estates (management office staff and heads, the
    customer-service supervisor, the deputy GM, the GM; auditors read only). With a
    ``publish_at`` in the future it is scheduled at once, else it is a draft to publish. A
    work notice (water, power, pest control, repair, maintenance) whose ``publish_at`` is later
    than ``starts_at`` minus the company's lead time (default 24 h) needs ``late_reason``."""
    user = current_user(request)
    with service_errors([*type(payload).model_fields]):
        notice = _create(user, _draft(payload))
    return Status(201, notice_detail(Notice.objects.select_related("estate").get(pk=notice.pk)))


@router.post(
    "/customer-notices/{int:notice_id}/publish", response=responses(200, NoticeOut, *WRITE_ERRORS, 404)
)
def publish_customer_notice(request: HttpRequest, notice_id: Id) -> Any:
    """Publish now (a draft, or a scheduled notice early): the households are fixed and the
    messages queued. A work notice now later than the lead time before the work without a
    recorded ``late_reason`` is refused (422 naming ``late_reason``): edit it to add one."""
    user = current_user(request)
    with service_errors(["late_reason"]):
        notice = services.publish_notice(actor=user, notice=notice_id)
    return notice_detail(Notice.objects.select_related("estate").get(pk=notice.pk))


__all__ = ["router"]
