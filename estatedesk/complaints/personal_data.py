"""What the complaints app holds about a person, for their copy and for erasure (SPEC D-3).

A person's complaints, grievances and enquiries are the ones linked to their customer record
or recorded with one of their phone numbers (by its blind index). ``collect`` lists each with
its timeline, visits, ratings, what they sent through the portal and the reply, in the
reader's language. ``erase`` anonymises the closed ones — in the rows and in their history
rows — and keeps the open ones, whose reply is still owed (decision 0046).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints import workflow
from estatedesk.complaints.events import ComplaintEvent, label_of
from estatedesk.complaints.models import (
    Attachment,
    Complaint,
    Event,
    RatingScore,
    ResidentRating,
    Signature,
    TransferSlip,
    Visit,
    WorkNotice,
)
from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import in_company_language
from estatedesk.core.uploads import path_of
from estatedesk.records.subjects import Erasure, Kept, Section, Source, Subject, register_source
from estatedesk.records.toolkit import Scrubber

STILL_HANDLED = _("Still being handled: the reply is owed to the customer")


def _complaints_of(subject: Subject) -> QuerySet[Complaint]:
    linked = Q(customer_id__in=subject.customer_ids) if subject.customer_ids else Q(pk__in=[])
    if subject.phone_indexes:
        linked |= Q(phone_index__in=subject.phone_indexes)
    return Complaint.objects.filter(linked)


def _when(value: datetime | None) -> str:
    return timezone.localtime(value, company_zone()).strftime("%Y-%m-%d %H:%M") if value else ""


# --- The person's copy ---------------------------------------------------------------------------


def _portal_files(c: Complaint) -> list[Attachment]:
    """Files the resident sent (through the portal: no staff account uploaded them)."""
    return [a for a in c.attachments.all() if a.uploaded_by_id is None]


def _complaint_entries(c: Complaint) -> list[list[tuple[Any, str]]]:
    main: list[tuple[Any, str]] = [
        (_("Number"), c.number),
        (_("Kind"), str(c.get_kind_display())),
        (_("Status"), str(c.get_status_display())),
        (_("Estate"), c.estate.name),
        (_("Unit"), str(c.unit) if c.unit else ""),
        (_("Complainant"), c.complainant_name),
        (_("Contact phone"), c.contact_phone),
        (_("Channel"), c.channel_name),
        (_("Category"), str(c.category)),
        (_("Received"), _when(c.received_at)),
        (_("What was reported"), c.description),
        (_("Handling department"), c.department.name),
        (_("Reply"), c.reply),
        (_("Replied"), _when(c.replied_at)),
        (_("Your opinion at the follow-up visit"), c.complainant_opinion),
        (_("Satisfaction"), str(c.get_satisfaction_display()) if c.satisfaction else ""),
        (_("Closed"), _when(c.closed_at)),
    ]
    entries: list[list[tuple[Any, str]]] = [[(label, value) for label, value in main if value]]
    if c.channel == "portal" or c.recorded_by_id is None:
        entries.append([(_("Sent through the resident portal"), c.description)])
    for event in c.events.all():
        if event.action == ComplaintEvent.RESIDENT_INFO:
            entries.append([(_("You added through the portal"), event.note), (_("Time"), _when(event.at))])
    files = _portal_files(c)
    if files:
        entries.append([(_("Photos and files you sent"), ", ".join(a.original_name for a in files))])
    for event in c.events.all():
        entries.append(
            [(_("Time"), _when(event.at)), (_("Step"), str(label_of(event.action))), (_("Note"), event.note)]
        )
    for visit in c.visits.all():
        entries.append(
            [
                (_("Follow-up visit"), _when(visit.visited_at)),
                (_("Method"), str(visit.get_method_display())),
                (_("Your opinion"), visit.opinion),
                (_("Satisfaction"), str(visit.get_satisfaction_display())),
            ]
        )
    for rating in c.resident_ratings.all():
        entries.append(
            [
                (_("Your rating of the reply"), str(rating.get_score_display())),
                (_("Comment"), rating.comment),
                (_("Time"), _when(rating.rated_at)),
            ]
        )
    return entries


def collect(subject: Subject) -> list[Section]:
    complaints = (
        _complaints_of(subject)
        .select_related("estate", "unit__building", "category", "department")
        .prefetch_related(
            models.Prefetch("events", queryset=Event.objects.order_by("at", "id")),
            "visits",
            "resident_ratings",
            models.Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        )
        .order_by("received_at", "pk")
    )
    return [
        Section(title=f"{c.get_kind_display()} {c.number}", entries=_complaint_entries(c)) for c in complaints
    ]


# --- Erasure -------------------------------------------------------------------------------------


def marker() -> str:
    """What a removed name or text reads as, in the company's language (staff read it)."""
    with in_company_language():
        return gettext("(erased)")


TEXT_TYPES = (models.CharField, models.TextField)


def _scrub_rows(
    query: QuerySet[Any],
    scrub: Scrubber,
    overrides: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    *,
    also: tuple[str, ...] = (),
) -> int:
    """Clean every text and JSON column of the rows (names and phones replaced), plus the
    ``overrides`` a row's values call for (``also``: other columns they read or set); writes
    only what changed, with ``update`` (no new history row, no timestamp moved). Returns how
    many rows changed."""
    model = query.model
    fields = [f for f in model._meta.concrete_fields if isinstance(f, (*TEXT_TYPES, models.JSONField))]
    names = [f.attname for f in fields]
    changed_rows = 0
    for row in query.values("pk", *names, *also):
        changes: dict[str, Any] = {}
        for field in fields:
            value = row[field.attname]
            if value in (None, ""):
                continue
            new = scrub.json(value) if isinstance(field, models.JSONField) else scrub.text(value)
            if new != value:
                changes[field.attname] = new
        extra = overrides(row) if overrides else {}
        changes.update({k: v for k, v in extra.items() if row.get(k) != v})
        if changes:
            model._default_manager.filter(pk=row["pk"]).update(**changes)
            changed_rows += 1
    return changed_rows


def _history(model: type[models.Model]) -> QuerySet[Any]:
    return model.history.model._default_manager.all()  # type: ignore[attr-defined]


def _portal_written(row: dict[str, Any]) -> bool:
    return row.get("channel") == "portal"


def _anonymise(ids: list[int], scrub: Scrubber, gone: str) -> None:
    """The closed complaints ``ids``: the person's name, phone and customer link go; what they
    wrote themselves (portal text, their opinion, rating comments) is replaced by the marker;
    the company's handling text stays, with their name and phone taken out of it."""

    def complaint_fields(row: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "complainant_name": gone if row.get("complainant_name") else "",
            "contact_phone": "",
            "customer_id": None,
        }
        if row.get("complainant_opinion"):
            fields["complainant_opinion"] = gone
        if _portal_written(row) and row.get("description"):
            fields["description"] = gone
        return fields

    def complaint_row(row: dict[str, Any]) -> dict[str, Any]:
        fields = complaint_fields(row)
        fields["phone_index"] = ""
        return fields

    _scrub_rows(Complaint.objects.filter(pk__in=ids), scrub, complaint_row, also=("customer_id",))
    _scrub_rows(_history(Complaint).filter(id__in=ids), scrub, complaint_fields, also=("customer_id",))

    def opinion(row: dict[str, Any]) -> dict[str, Any]:
        return {"opinion": gone}

    def comment(row: dict[str, Any]) -> dict[str, Any]:
        return {"comment": ""} if row.get("comment") else {}

    _scrub_rows(Visit.objects.filter(complaint_id__in=ids), scrub, opinion)
    _scrub_rows(_history(Visit).filter(complaint_id__in=ids), scrub, opinion)
    _scrub_rows(ResidentRating.objects.filter(complaint_id__in=ids), scrub, comment)
    _scrub_rows(_history(ResidentRating).filter(complaint_id__in=ids), scrub, comment)
    _scrub_events(ids, scrub, gone)
    slips = list(TransferSlip.objects.filter(complaint_id__in=ids).values_list("pk", flat=True))
    _scrub_rows(TransferSlip.objects.filter(pk__in=slips), scrub)
    _scrub_rows(_history(TransferSlip).filter(Q(id__in=slips) | Q(complaint_id__in=ids)), scrub)
    _scrub_rows(Signature.objects.filter(slip_id__in=slips), scrub)
    notices = list(
        WorkNotice.objects.filter(Q(complaint_id__in=ids) | Q(slip_id__in=slips)).values_list("pk", flat=True)
    )
    _scrub_rows(WorkNotice.objects.filter(pk__in=notices), scrub)
    _scrub_rows(_history(WorkNotice).filter(id__in=notices), scrub)
    _drop_portal_files(ids, scrub)


# Timeline events whose note is the resident's own words.
RESIDENT_WORDS = {ComplaintEvent.RESIDENT_INFO.value, ComplaintEvent.RESIDENT_DISSATISFIED.value}
VISIT_WORDS = {ComplaintEvent.VISIT_SATISFIED.value, ComplaintEvent.VISIT_DISSATISFIED.value}


def _scrub_events(ids: list[int], scrub: Scrubber, gone: str) -> None:
    def notes(row: dict[str, Any]) -> dict[str, Any]:
        action = row.get("action")
        if action in RESIDENT_WORDS or action in VISIT_WORDS:
            return {"note": gone if row.get("note") else ""}
        if action == ComplaintEvent.RESIDENT_RATING.value:
            data = row.get("data") or {}
            score = data.get("score") if isinstance(data, dict) else None
            with in_company_language():
                label = str(RatingScore(score).label) if score in RatingScore.values else gone
            return {"note": label}
        return {}

    query = Event.objects.filter(complaint_id__in=ids)
    fields = ["note", "data", "actor_name"]
    for row in query.values("pk", "action", *fields):
        changes: dict[str, Any] = {}
        for name in fields:
            value = row[name]
            if value in (None, ""):
                continue
            new = scrub.json(value) if name == "data" else scrub.text(value)
            if new != value:
                changes[name] = new
        changes.update({k: v for k, v in notes(row).items() if row.get(k) != v})
        if changes:
            Event.objects.filter(pk=row["pk"]).update(**changes)


def _drop_portal_files(ids: list[int], scrub: Scrubber) -> None:
    """The photos the person sent are theirs: the rows go now, the files once committed."""
    files = Attachment.objects.filter(complaint_id__in=ids, uploaded_by__isnull=True)
    stored = list(files.values_list("stored_name", flat=True))
    files.delete()
    _scrub_rows(Attachment.objects.filter(complaint_id__in=ids), scrub)

    def remove() -> None:
        for name in stored:
            try:
                path_of(name).unlink(missing_ok=True)
            except Http404:
                continue

    if stored:
        transaction.on_commit(remove)


def erase(subject: Subject, now: datetime) -> Erasure:
    found = list(_complaints_of(subject).values_list("pk", "number", "status").order_by("received_at", "pk"))
    result = Erasure()
    closed = [pk for pk, _number, status in found if status == workflow.CLOSED]
    result.kept = [
        Kept(what=number, why=STILL_HANDLED) for _pk, number, status in found if status != workflow.CLOSED
    ]
    if closed:
        _anonymise(closed, Scrubber(subject, marker()), marker())
        result.erased = len(closed)
    return result


SOURCE = Source(
    key="complaints",
    label=_("Complaints, grievances and enquiries"),
    collect=collect,
    erase=erase,
    order=20,
)


def register() -> None:
    register_source(SOURCE)


__all__ = ["SOURCE", "STILL_HANDLED", "Scrubber", "collect", "erase", "marker", "register"]
