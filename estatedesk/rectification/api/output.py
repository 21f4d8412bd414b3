"""How reports and items read in the rectification API (SPEC A-2, R-4, D-3).

Items are always read through ``selectors.items_for`` by the callers; here they become the
API's dictionaries. The resident's signed name is masked unless the reader may see names
(``policy.can_see_contact_names``); photos are listed by id, stage and round, never by the
stored file's path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_zone, now
from estatedesk.rectification import selectors
from estatedesk.rectification.display import due_of, signer
from estatedesk.rectification.models import Item, ItemEventKind, Report, Route
from estatedesk.rectification.workflow import ITEM

# The step endpoints (the path after /api/rectification/items/{id}/) and the transitions behind each.
ACTIONS: dict[str, tuple[str, ...]] = {
    "decision": ("fix_ourselves", "escalate"),
    "plan": ("plan", "replan"),
    "completion": ("complete", "complete_ourselves"),
    "inspection": ("inspect_pass", "inspect_fail"),
    "notification": ("notify",),
    "acceptance": ("accept", "accept_on_behalf"),
    "objection": ("object_developer",),
    "cancellation": ("cancel",),
}


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _time(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


# --- Reports -------------------------------------------------------------------------------


def reports_of(user: Actor) -> QuerySet[Report]:
    return selectors.reports_for(user).select_related("estate", "developer", "finding_department")


def report_row(report: Report, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": report.pk,
        "number": report.number,
        "estate": _ref(report.estate),
        "title": report.title,
        "source": report.source,
        "source_label": str(report.get_source_display()),
        "developer": _ref(report.developer),
        "finding_department": _ref(report.finding_department),
        "created_at": _time(report.created_at, zone),
        "created_by": report.created_by_name,
    }


def report_detail(report: Report, user: Actor) -> dict[str, Any]:
    counts = (
        selectors.items_for(user)
        .filter(report=report)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    return {
        **report_row(report, company_zone()),
        "notes": report.notes,
        "version": report.edit_version,
        "items_by_status": {row["status"]: row["n"] for row in counts},
    }


# --- Items ---------------------------------------------------------------------------------


def items_of(user: Actor) -> QuerySet[Item]:
    """The items the user sees, with what a row shows (the same queries for any number of rows)."""
    return selectors.items_for(user).select_related("estate", "unit__building", "team", "department")


def item_row(item: Item, zone: ZoneInfo, at: datetime) -> dict[str, Any]:
    return {
        "id": item.pk,
        "number": item.number,
        "report": item.report_id,
        "estate": _ref(item.estate),
        "unit": item.unit_id,
        "unit_label": item.unit.label if item.unit is not None else "",
        "location": item.location,
        "category": item.category,
        "category_label": str(item.get_category_display()),
        "source": item.source,
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "route": item.route,
        "round": item.round,
        "due_date": item.due_date,
        "due_state": due_of(item, at, zone),
        "team": _ref(item.team),
        "department": _ref(item.department),
    }


def item_rows(items: list[Item]) -> list[dict[str, Any]]:
    zone, at = company_zone(), now()  # read once for the page
    return [item_row(item, zone, at) for item in items]


def allowed_actions(user: Actor, item: Item) -> list[str]:
    """The steps the user's role may take on the item in its status (the service still decides)."""
    role = policy.role_of(user)
    if role is None:
        return []
    skip = set()
    if item.unit_id is None:
        skip |= {"notify", "accept"}
    else:
        skip.add("accept_on_behalf")
    skip.add("complete_ourselves" if item.route == Route.DEVELOPER else "complete")
    return [
        action
        for action, names in ACTIONS.items()
        if any(
            name not in skip and role in ITEM.get(name).roles and ITEM.get(name).allows(item.status)
            for name in names
        )
    ]


def item_detail(item: Item, user: Actor) -> dict[str, Any]:
    zone = company_zone()
    full_names = policy.can_see_contact_names(user)
    return {
        **item_row(item, zone, now()),
        "description": item.description,
        "developer": _ref(item.developer),
        "finding_department": _ref(item.finding_department),
        "measure": item.measure,
        "reported_at": _time(item.reported_at, zone),
        "reporter": item.reporter_name,
        "completed_at": _time(item.completed_at, zone),
        "inspected_at": _time(item.inspected_at, zone),
        "notified_at": _time(item.notified_at, zone),
        "accepted_at": _time(item.accepted_at, zone),
        "acceptance_method": item.acceptance_method,
        "signer": signer(item, full=full_names),
        "objection": item.objection,
        "photos": [
            {"id": p.pk, "stage": p.stage, "round": p.round, "uploaded_at": _time(p.uploaded_at, zone)}
            for p in item.photos.all()
        ],
        "events": [
            {
                "kind": e.kind,
                "label": str(ItemEventKind(e.kind).label) if e.kind in ItemEventKind.values else e.kind,
                "round": e.round,
                "at": _time(e.at, zone),
                "actor": e.actor_name,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in item.events.all()
        ],
        "allowed_actions": allowed_actions(user, item),
        "version": item.edit_version,
    }


def item_in_scope(user: Actor, pk: int) -> Item | None:
    return items_of(user).select_related("developer", "finding_department").filter(pk=pk).first()
