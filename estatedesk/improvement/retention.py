"""The corrective and preventive actions as a record type (SPEC D-1, D-2; decision 0047).

An action is kept two years from when it closed (verified effective), by the deputy GM: the
actions follow his decisions on the complaint reports (§7.2.15) and on the survey's
suggestions (§7.3.7), and §8.3 gives him the reports and summaries they belong to. Actions
not closed are never past retention.

Disposal deletes the action with its steps, verifications, timeline and history rows. Nothing
points at an action: it points at its source (a complaint, a monthly report, a half-year line,
a survey's suggestion), and those pages only show the link while the action exists; the
annual pack keeps its own counts of the year's actions. Deleting the action frees its source
(a monthly report or half-year statistics waiting for it goes at the next run).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from estatedesk.improvement.models import Action, ActionEvent, ActionStatus, Step, Verification
from estatedesk.records.registry import ArchiveBatch, Disposal, RecordType, register

__all__ = ["register_types"]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def actions_past(cutoff: datetime) -> QuerySet[Action]:
    return Action.objects.filter(status=ActionStatus.CLOSED, closed_at__lt=cutoff).order_by("pk")


def _source(a: Action) -> str:
    if a.source_complaint is not None:
        return a.source_complaint.number
    if a.source_suggestion is not None:
        return a.source_suggestion.number
    if a.source_half_year_line is not None:
        return a.source_half_year_line.summary
    if a.source_report_id:
        return f"monthly report #{a.source_report_id}"
    return a.source_reference


def archive(ids: Sequence[int]) -> ArchiveBatch:
    actions = list(
        Action.objects.filter(pk__in=ids)
        .select_related(
            "department",
            "estate",
            "opened_by",
            "verified_by",
            "source_complaint",
            "source_suggestion",
            "source_half_year_line",
        )
        .order_by("pk")
    )
    steps: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in Step.objects.filter(action_id__in=ids).select_related("owner", "done_by").order_by("pk"):
        steps[s.action_id].append(
            {
                "what": s.description,
                "owner": s.owner.display_name,
                "due": _plain(s.due_date),
                "done_at": _plain(s.done_at),
                "done_by": s.done_by.display_name if s.done_by else "",
                "result": s.result,
            }
        )
    verifications: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in Verification.objects.filter(action_id__in=ids).select_related("verified_by").order_by("pk"):
        verifications[v.action_id].append(
            {
                "effective": v.effective,
                "note": v.note,
                "by": v.verified_by.display_name,
                "at": _plain(v.verified_at),
            }
        )
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in ActionEvent.objects.filter(action_id__in=ids).order_by("at", "pk"):
        events[e.action_id].append(
            {
                "at": _plain(e.at),
                "by": e.actor_name,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "data": e.data,
            }
        )
    records, rows = [], []
    for a in actions:
        records.append(
            {
                "id": a.pk,
                "number": a.number,
                "kind": a.kind,
                "source": a.source,
                "source_record": _source(a),
                "department": a.department.name,
                "estate": a.estate.name if a.estate else "",
                "title": a.title,
                "problem": a.problem,
                "cause_analysis": a.cause_analysis,
                "fishbone": a.fishbone,
                "status": a.status,
                "opened_by": a.opened_by.display_name,
                "opened_at": _plain(a.opened_at),
                "verification": a.verification,
                "verified_by": a.verified_by.display_name if a.verified_by else "",
                "verified_at": _plain(a.verified_at),
                "closed_at": _plain(a.closed_at),
                "steps": steps.get(a.pk, []),
                "verifications": verifications.get(a.pk, []),
                "events": events.get(a.pk, []),
            }
        )
        rows.append(
            [
                a.pk,
                a.number,
                a.kind,
                a.source,
                a.department.name,
                a.title,
                _plain(a.opened_at),
                _plain(a.closed_at),
                len(steps.get(a.pk, [])),
            ]
        )
    header = ["id", "number", "kind", "source", "department", "title", "opened_at", "closed_at", "steps"]
    return ArchiveBatch(records=records, csv_header=header, csv_rows=rows)


def dispose(ids: Sequence[int]) -> int:
    with transaction.atomic():
        present = list(Action.objects.filter(pk__in=ids).values_list("pk", flat=True))
        Step.objects.filter(action_id__in=present).delete()
        Verification.objects.filter(action_id__in=present).delete()
        ActionEvent.objects.filter(action_id__in=present).delete()
        Action.objects.filter(pk__in=present).delete()
        # After the deletes: each writes a last history row of its own.
        Step.history.model.objects.filter(action_id__in=ids).delete()
        Action.history.model.objects.filter(id__in=ids).delete()
    return len(present)


def labels(ids: Sequence[int]) -> dict[int, str]:
    return {
        pk: f"{number} {title}"
        for pk, number, title in Action.objects.filter(pk__in=ids).values_list("pk", "number", "title")
    }


def find(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    return Action.objects.filter(number__iexact=text.split()[0]).values_list("pk", flat=True).first()


IMPROVEMENT_ACTIONS = RecordType(
    key="improvement_actions",
    label=_("Corrective and preventive actions, with their steps, verifications and timeline"),
    owner=_("Deputy general manager"),
    basis=_("closed (verified effective)"),
    disposal=Disposal.DELETE,
    past_retention=actions_past,
    archive=archive,
    dispose=dispose,
    labels=labels,
    find=find,
    order=60,
    note=_("The annual pack keeps its own counts of the year's actions."),
)


def register_types() -> None:
    register(IMPROVEMENT_ACTIONS)
