"""The communication log over the API (SPEC A-2, C-4), with the permissions of the pages.

Reads come from ``log_selectors`` (a contact of none of the user's estates is a 404, like a
missing one); names are masked as on the page (``log_display``). Every write is one call of one
service of ``services.log``, whose refusals become the API's error format: 403 for a role that
may not write, 404 out of scope, 409 for a follow-up already done or a stale edit, 422 naming
the body field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.communication import log_selectors
from estatedesk.communication.api.log_schemas import (
    ContactEditIn,
    ContactFilters,
    ContactIn,
    ContactOut,
    ContactPage,
    DoneIn,
    FollowUpIn,
    FollowUpOut,
)
from estatedesk.communication.log_display import counterpart_text, others_text
from estatedesk.communication.models import Contact, ContactFollowUp
from estatedesk.communication.services import log as services
from estatedesk.core import policy
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
from estatedesk.core.clock import company_today, company_zone
from estatedesk.org import channels as org_channels

router = Router(tags=["log"])


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def _time(value: datetime | None) -> datetime | None:
    return value.astimezone(company_zone()) if value is not None else None


def _follow_up(f: ContactFollowUp, today: date) -> dict[str, Any]:
    days = log_selectors.days_overdue(f, today)
    return {
        "id": f.pk,
        "description": f.description,
        "owner": f.owner_id,
        "owner_name": f.owner.display_name,
        "due_date": f.due_date,
        "done": f.done_at is not None,
        "done_at": _time(f.done_at),
        "done_by": f.done_by_name,
        "result": f.result,
        "overdue": days > 0,
        "days_overdue": days,
    }


def _item(contact: Contact, names: bool, channel_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "number": contact.number,
        "estate": {"id": contact.estate_id, "name": contact.estate.name},
        "office": contact.office_id,
        "occurred_at": _time(contact.occurred_at),
        "subject": contact.subject,
        "channel": contact.channel,
        "channel_name": channel_names.get(contact.channel, contact.channel),
        "counterpart": contact.counterpart,
        "who": counterpart_text(contact, names=names),
        "open_follow_ups": getattr(contact, "open_count", 0),
        "overdue_follow_ups": getattr(contact, "overdue_count", 0),
    }


def contact_detail(contact: Contact, user: Any) -> dict[str, Any]:
    names = policy.can_see_contact_names(user)
    today = company_today()
    follow_ups = [_follow_up(f, today) for f in contact.follow_ups.all()]
    out = _item(contact, names, org_channels.names())
    out.update(
        {
            "open_follow_ups": sum(1 for f in follow_ups if not f["done"]),
            "overdue_follow_ups": sum(1 for f in follow_ups if f["overdue"]),
            "unit": contact.unit_id,
            "customer": contact.customer_id,
            "committee_members": sorted(m.pk for m in contact.committee_members.all()),
            "staff": sorted(s.pk for s in contact.staff.all()),
            "other_people": others_text(contact, names=names),
            "summary": contact.summary,
            "version": contact.edit_version,
            "created_at": _time(contact.created_at),
            "created_by": contact.created_by_name,
            "follow_ups": follow_ups,
        }
    )
    return out


def _contact(request: HttpRequest, pk: int) -> Contact:
    contact = log_selectors.get_contact(current_user(request), pk)
    if contact is None:
        raise _not_found()
    return contact


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return contact_detail(_contact(request, pk), current_user(request))


@router.get("/communication-log", response=responses(200, ContactPage, *READ_ERRORS))
def list_contacts(request: HttpRequest, filters: Query[ContactFilters], paging: Query[Paging]) -> Any:
    """The contacts of your estates (all of them for the customer-service supervisor and the
    leadership), newest first, with their open and overdue follow-ups."""
    user = current_user(request)
    chosen = log_selectors.LogFilters(
        estate=filters.estate,
        channel=filters.channel,
        counterpart=filters.counterpart or "",
        state=filters.state,
        date_from=filters.date_from,
        date_to=filters.date_to,
        text=filters.q,
    )
    page = paginate(log_selectors.contact_rows(user, chosen), paging)
    names = policy.can_see_contact_names(user)
    channel_names = org_channels.names()
    page["items"] = [_item(c, names, channel_names) for c in page["items"]]
    return page


@router.get("/communication-log/{int:contact_id}", response=responses(200, ContactOut, *READ_ERRORS, 404))
def get_contact(request: HttpRequest, contact_id: Id) -> Any:
    """The contact, who took part (names masked as on the page), what was said and its follow-ups,
    each flagged when overdue."""
    return _fresh(request, contact_id)


@router.post("/communication-log", response=responses(201, ContactOut, *WRITE_ERRORS))
def record_contact(request: HttpRequest, payload: ContactIn) -> Any:
    """Record a contact with owners or the owners' committee of one of your estates (the roles
    that write to customers; auditors read)."""
    user = current_user(request)
    with service_errors([*type(payload).model_fields]):
        contact = services.record_contact_entry(
            actor=user,
            estate=payload.estate,
            office=payload.office,
            occurred_at=payload.occurred_at,
            subject=payload.subject,
            channel=payload.channel,
            counterpart=payload.counterpart,
            unit=payload.unit,
            customer=payload.customer,
            committee_members=payload.committee_members,
            staff=payload.staff,
            other_people=payload.other_people,
            summary=payload.summary,
        )
    return Status(201, _fresh(request, contact.pk))


@router.patch("/communication-log/{int:contact_id}", response=responses(200, ContactOut, *WRITE_ERRORS, 404))
def edit_contact(request: HttpRequest, contact_id: Id, payload: ContactEditIn) -> Any:
    """The subject and what was said. Send the contact's `version`: an edit since is 409 `stale_edit`."""
    user = current_user(request)
    contact = _contact(request, contact_id)
    with service_errors(["subject", "summary", "version"]):
        services.edit_contact(
            actor=user,
            contact=contact.pk,
            based_on=payload.version,
            subject=payload.subject,
            summary=payload.summary,
        )
    return _fresh(request, contact_id)


@router.post(
    "/communication-log/{int:contact_id}/follow-ups",
    response=responses(201, FollowUpOut, *WRITE_ERRORS, 404),
)
def add_follow_up(request: HttpRequest, contact_id: Id, payload: FollowUpIn) -> Any:
    """What was agreed, who sees to it and by when (not before the day of the contact)."""
    user = current_user(request)
    contact = _contact(request, contact_id)
    with service_errors([*type(payload).model_fields]):
        row = services.add_follow_up(
            actor=user,
            contact=contact.pk,
            description=payload.description,
            owner=payload.owner,
            due_date=payload.due_date,
        )
    return Status(
        201, _follow_up(ContactFollowUp.objects.select_related("owner").get(pk=row.pk), company_today())
    )


@router.post(
    "/communication-log/{int:contact_id}/follow-ups/{int:follow_up_id}/done",
    response=responses(200, FollowUpOut, *WRITE_ERRORS, 404),
)
def finish_follow_up(request: HttpRequest, contact_id: Id, follow_up_id: Id, payload: DoneIn) -> Any:
    """Record the follow-up as done with its result: its owner or a writer; once (409)."""
    user = current_user(request)
    contact = _contact(request, contact_id)
    with service_errors(["result"]):
        row = services.finish_follow_up(
            actor=user, contact=contact.pk, follow_up=follow_up_id, result=payload.result
        )
    return _follow_up(ContactFollowUp.objects.select_related("owner").get(pk=row.pk), company_today())
