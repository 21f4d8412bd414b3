"""What the complaints app keeps and for how long (SPEC D-1, D-2; decision 0046).

Three record types, registered from ``ComplaintsConfig.ready``:

- ``complaints``: a closed complaint, grievance or enquiry with everything attached to it —
  its timeline, transfer slips and their signatures, follow-up visits, residents' ratings,
  attachments (their files too) and the work arrangement notices raised from it — and the
  history rows of all of them. Kept by the departments, from when it was closed.
- ``work_notices``: notices a superior issued on their own initiative (not from a complaint),
  from when they were verified.
- ``weekly_reviews``: a department head's weekly review, from the day it was signed.

Disposal deletes. Rows are removed with raw deletes in one transaction: an ORM delete would
make django-simple-history write one more history row (with the name and phone in it) for
each row deleted. Files are removed once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints import uploads, workflow
from estatedesk.complaints.models import (
    Attachment,
    Complaint,
    Event,
    ResidentRating,
    Signature,
    TransferSlip,
    Visit,
    WeeklyReview,
    WorkNotice,
)
from estatedesk.core import crypto
from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import in_company_language
from estatedesk.core.uploads import path_of
from estatedesk.records.registry import ArchiveBatch, ArchivedFile, Disposal, RecordType, register

# The record form as a PDF in each complaint's archive folder. WeasyPrint took 1.6 s and
# 310 KB a form (decision 0046): over a week for 500,000 complaints. Off by default; on for
# a company that wants the paper form kept.
ARCHIVE_PDFS = False

ARCHIVED_BY = "EstateDesk"

# --- Plain values --------------------------------------------------------------------------------


# The company's zone, read once per archived chunk (``archive_complaints``), not once per value:
# reading it is a query, and a chunk holds tens of thousands of times.
_zone: list[ZoneInfo] = []


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(_zone[0] if _zone else company_zone()).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: models.Model, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete field as a plain value: choices as code and label, a related record as its
    id and name (when it was selected with the row), datetimes ISO in company time."""
    skipped = set(leave_out)
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skipped:
            continue
        value = getattr(obj, field.attname)
        if field.is_relation:
            if value is None:
                out[field.name] = None
            elif field.name in obj._state.fields_cache:
                out[field.name] = {"id": value, "name": str(getattr(obj, field.name))}
            else:
                out[field.name] = value
        elif field.choices and value not in (None, ""):
            out[field.name] = {"code": value, "label": str(dict(field.flatchoices).get(value, value))}
        else:
            out[field.name] = _plain(value)
    return out


def _in_ids(ids: Sequence[int]) -> list[int]:
    return sorted({int(i) for i in ids})


# --- Complaints ----------------------------------------------------------------------------------

# What the archive leaves out of a complaint: the portal's secrets, the blind index, and the
# contact details (kept masked instead: the archive outlives the record's retention).
COMPLAINT_LEFT_OUT = (
    "portal_token",
    "submission_key",
    "submission_hash",
    "phone_index",
    "contact_phone",
    "complainant_name",
    "complainant",  # the report's key: 'name:' and the name in full, or the blind index (decision 0068)
)


def _outside_references() -> list[models.ForeignObjectRel]:
    """Other apps' records pointing at a complaint (an improvement action opened from it)."""
    return [
        rel
        for rel in Complaint._meta.related_objects
        if rel.related_model._meta.app_label != Complaint._meta.app_label
    ]


def _referenced_elsewhere() -> Q:
    """Complaints another app's record points at: kept while that record is (its own type)."""
    condition = Q()
    for rel in _outside_references():
        condition |= Q(Exists(rel.related_model._default_manager.filter(**{rel.field.name: OuterRef("pk")})))
    return condition


def _complaints_past(cutoff: datetime) -> QuerySet[Complaint]:
    """Closed before ``cutoff``, and nothing still kept depends on them: no duplicate (linked to
    it as its lead) still inside retention or open, no work notice of theirs still open, no
    other app's record pointing at them."""
    past = Q(status=workflow.CLOSED, closed_at__lt=cutoff)
    # Not correlated ("is there a duplicate of this one?" per row): nearly every lead_id is
    # NULL, so SQLite's statistics make it scan the table for each complaint listed — a run over
    # N complaints would cost N². Asked once per query, it is one pass over the few duplicates.
    kept_leads = Complaint.objects.filter(lead__isnull=False).exclude(past).values("lead_id")
    open_notices = WorkNotice.objects.filter(complaint__isnull=False).exclude(status=workflow.VERIFIED)
    query = (
        Complaint.objects.filter(past)
        .exclude(pk__in=kept_leads)
        .exclude(pk__in=open_notices.values("complaint_id"))
    )
    elsewhere = _referenced_elsewhere()
    if elsewhere:
        query = query.exclude(elsewhere)
    return query.order_by("pk")


def _slip_json(slip: TransferSlip) -> dict[str, Any]:
    data = _row(slip)
    data["signatures"] = [_row(s) for s in slip.signatures.all()]
    return data


def _complaint_json(c: Complaint, history: list[dict[str, Any]]) -> dict[str, Any]:
    data = _row(c, leave_out=COMPLAINT_LEFT_OUT)
    data["complainant_name"] = crypto.mask_name(c.complainant_name)
    data["contact_phone"] = c.masked_phone
    data["events"] = [_row(e, leave_out=("complaint",)) for e in c.events.all()]
    data["visits"] = [_row(v, leave_out=("complaint",)) for v in c.visits.all()]
    data["resident_ratings"] = [_row(r, leave_out=("complaint",)) for r in c.resident_ratings.all()]
    data["attachments"] = [_row(a, leave_out=("complaint", "stored_name")) for a in c.attachments.all()]
    data["slips"] = [_slip_json(s) for s in c.slips.all()]
    data["notices"] = [_row(n) for n in c.notices.all()]
    data["history"] = history
    return data


COMPLAINT_CSV = [
    "id",
    "number",
    "kind",
    "status",
    "estate",
    "unit",
    "category",
    "channel",
    "received_at",
    "closed_at",
    "department",
    "handler",
    "complainant",
    "contact_phone",
    "valid",
    "cause",
    "serious",
    "urgent",
    "reply_due",
    "first_replied_at",
    "on_time",
    "satisfaction",
    "reopen_count",
    "lead",
    "events",
    "visits",
    "slips",
    "notices",
    "attachments",
]


def _complaint_csv(c: Complaint) -> list[Any]:
    return [
        c.pk,
        c.number,
        c.kind,
        c.status,
        c.estate.name,
        str(c.unit) if c.unit else "",
        c.category.code,
        c.channel,
        _plain(c.received_at),
        _plain(c.closed_at),
        c.department.name,
        c.handler.display_name if c.handler else "",
        crypto.mask_name(c.complainant_name),
        c.masked_phone,
        "" if c.valid is None else c.valid,
        c.cause,
        c.serious,
        c.urgent,
        _plain(c.reply_due),
        _plain(c.first_replied_at),
        "" if c.on_time is None else c.on_time,
        c.satisfaction,
        c.reopen_count,
        c.lead.number if c.lead else "",
        len(c.events.all()),
        len(c.visits.all()),
        len(c.slips.all()),
        len(c.notices.all()),
        len(c.attachments.all()),
    ]


def _history_of(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each complaint's history rows, short: when, what kind of change, by whom, the status."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    rows = (
        Complaint.history.model._default_manager.filter(id__in=ids)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "history_type", "history_user_id", "status")
    )
    for pk, when, kind, user_id, status in rows.iterator():
        found[pk].append({"at": _plain(when), "type": kind, "user": user_id, "status": status})
    return found


def _file_name(c: Complaint, attachment: Attachment) -> str:
    return f"complaints/files/{c.number}/{attachment.pk}-{uploads.clean_name(attachment.original_name)}"


def archive_complaints(ids: Sequence[int]) -> ArchiveBatch:
    wanted = _in_ids(ids)
    complaints = list(
        Complaint.objects.filter(pk__in=wanted)
        .select_related(
            "estate", "unit__building", "customer", "category", "department", "handler", "lead", "replied_by"
        )
        .prefetch_related(
            models.Prefetch("events", queryset=Event.objects.order_by("at", "id")),
            models.Prefetch("visits", queryset=Visit.objects.select_related("visitor")),
            models.Prefetch("resident_ratings", queryset=ResidentRating.objects.all()),
            models.Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
            models.Prefetch(
                "slips",
                queryset=TransferSlip.objects.order_by("raised_at", "id").prefetch_related(
                    models.Prefetch("signatures", queryset=Signature.objects.select_related("signer"))
                ),
            ),
            models.Prefetch("notices", queryset=WorkNotice.objects.select_related("department")),
        )
        .order_by("pk")
    )
    _zone[:] = [company_zone()]
    history = _history_of([c.pk for c in complaints])
    batch = ArchiveBatch(records=[], csv_header=list(COMPLAINT_CSV), csv_rows=[])
    with in_company_language():
        for c in complaints:
            batch.records.append(_complaint_json(c, history[c.pk]))
            batch.csv_rows.append(_complaint_csv(c))
            for attachment in c.attachments.all():
                path = uploads.path_of(attachment)
                if path.is_file():
                    batch.files.append(ArchivedFile(name=_file_name(c, attachment), path=path))
            if ARCHIVE_PDFS:
                batch.files.extend(_record_pdf(c))
    return batch


def _record_pdf(c: Complaint) -> list[ArchivedFile]:
    # Imported only when the archive carries PDFs (off by default): the print view brings
    # WeasyPrint and the page machinery, which the disposal job otherwise never loads.
    from estatedesk.complaints.views.printing import record_pdf_bytes
    from estatedesk.core.pdf import PdfUnavailable

    try:
        data = record_pdf_bytes(c, printed_by=ARCHIVED_BY)
    except (PdfUnavailable, OSError):
        return []
    return [ArchivedFile(name=f"complaints/pdf/{c.number}.pdf", data=data)]


def _history(model: type[models.Model]) -> QuerySet[Any]:
    return model.history.model._default_manager.all()  # type: ignore[attr-defined]


def _raw_delete(query: QuerySet[Any]) -> int:
    """Delete without signals: no "deleted" history row, no collector walking relations."""
    # None when the filter matches nothing before SQL is sent (an empty "IN ()").
    return int(query._raw_delete(query.db) or 0)


def _blocked(ids: list[int]) -> set[int]:
    """Of ``ids``, the complaints another app's record still points at (never deleted here)."""
    blocked: set[int] = set()
    for rel in _outside_references():
        if rel.on_delete is models.SET_NULL:
            continue
        blocked.update(
            rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": ids}).values_list(
                rel.field.attname, flat=True
            )
        )
    return blocked


@transaction.atomic
def dispose_complaints(ids: Sequence[int]) -> int:
    """Delete the complaints with everything attached, their history rows and their files.

    Ids already gone are skipped; a complaint another app's record still points at (an
    improvement action opened from it) is left alone."""
    wanted = _in_ids(ids)
    present = list(Complaint.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    blocked = _blocked(present)
    gone = [pk for pk in present if pk not in blocked]
    if not gone:
        return 0
    for rel in _outside_references():
        if rel.on_delete is models.SET_NULL:
            rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": gone}).update(
                **{rel.field.name: None}
            )
    slips = list(TransferSlip.objects.filter(complaint_id__in=gone).values_list("pk", flat=True))
    notices = list(
        WorkNotice.objects.filter(Q(complaint_id__in=gone) | Q(slip_id__in=slips)).values_list(
            "pk", flat=True
        )
    )
    files = list(Attachment.objects.filter(complaint_id__in=gone).values_list("stored_name", flat=True))
    # A duplicate kept longer loses its link to the lead, as deleting the lead would do.
    Complaint.objects.filter(lead_id__in=gone).exclude(pk__in=gone).update(lead=None)
    _raw_delete(WorkNotice.objects.filter(pk__in=notices))
    _raw_delete(Signature.objects.filter(slip_id__in=slips))
    _raw_delete(TransferSlip.objects.filter(pk__in=slips))
    for model in (Event, Visit, ResidentRating, Attachment):
        _raw_delete(model._default_manager.filter(complaint_id__in=gone))
    count = _raw_delete(Complaint.objects.filter(pk__in=gone))
    _raw_delete(_history(WorkNotice).filter(Q(id__in=notices) | Q(complaint_id__in=gone)))
    _raw_delete(_history(TransferSlip).filter(Q(id__in=slips) | Q(complaint_id__in=gone)))
    _raw_delete(_history(Visit).filter(complaint_id__in=gone))
    _raw_delete(_history(ResidentRating).filter(complaint_id__in=gone))
    _raw_delete(_history(Complaint).filter(id__in=gone))
    transaction.on_commit(lambda: _remove_files(files))
    return count


def _remove_files(stored_names: list[str]) -> None:
    for name in stored_names:
        try:
            path: Path = path_of(name)
        except Http404:
            continue
        path.unlink(missing_ok=True)


def complaint_labels(ids: Sequence[int]) -> dict[int, str]:
    return dict(Complaint.objects.filter(pk__in=_in_ids(ids)).values_list("pk", "number"))


def find_complaint(label: str) -> int | None:
    number = label.strip().upper()
    return Complaint.objects.filter(number=number).values_list("pk", flat=True).first() if number else None


# --- Work arrangement notices issued on a superior's own initiative ------------------------------


def _notices_past(cutoff: datetime) -> QuerySet[WorkNotice]:
    return WorkNotice.objects.filter(
        complaint__isnull=True, slip__isnull=True, status=workflow.VERIFIED, verified_at__lt=cutoff
    ).order_by("pk")


NOTICE_CSV = [
    "id",
    "number",
    "origin",
    "status",
    "estate",
    "department",
    "issued_by",
    "issued_at",
    "due_at",
    "reported_at",
    "verified_by",
    "verified_at",
    "task",
]


def archive_notices(ids: Sequence[int]) -> ArchiveBatch:
    notices = list(
        WorkNotice.objects.filter(pk__in=_in_ids(ids))
        .select_related("estate", "department", "issued_by", "reported_by", "verified_by")
        .order_by("pk")
    )
    _zone[:] = [company_zone()]
    batch = ArchiveBatch(records=[], csv_header=list(NOTICE_CSV), csv_rows=[])
    with in_company_language():
        for n in notices:
            batch.records.append(_row(n))
            batch.csv_rows.append(
                [
                    n.pk,
                    n.number,
                    n.origin,
                    n.status,
                    n.estate.name if n.estate else "",
                    n.department.name,
                    n.issued_by.display_name,
                    _plain(n.issued_at),
                    _plain(n.due_at),
                    _plain(n.reported_at),
                    n.verified_by.display_name if n.verified_by else "",
                    _plain(n.verified_at),
                    n.task,
                ]
            )
    return batch


@transaction.atomic
def dispose_notices(ids: Sequence[int]) -> int:
    wanted = list(
        WorkNotice.objects.filter(pk__in=_in_ids(ids), complaint__isnull=True, slip__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not wanted:
        return 0
    count = _raw_delete(WorkNotice.objects.filter(pk__in=wanted))
    _raw_delete(_history(WorkNotice).filter(id__in=wanted))
    return count


def notice_labels(ids: Sequence[int]) -> dict[int, str]:
    return dict(WorkNotice.objects.filter(pk__in=_in_ids(ids)).values_list("pk", "number"))


def find_notice(label: str) -> int | None:
    number = label.strip().upper()
    if not number:
        return None
    return (
        WorkNotice.objects.filter(number=number, complaint__isnull=True, slip__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )


# --- Weekly reviews -------------------------------------------------------------------------------


def _reviews_past(cutoff: datetime) -> QuerySet[WeeklyReview]:
    return WeeklyReview.objects.filter(reviewed_at__lt=cutoff).order_by("pk")


REVIEW_CSV = [
    "id",
    "department",
    "week_start",
    "reviewed_by",
    "reviewed_at",
    "complaint_count",
    "slip_count",
    "remarks",
]


def archive_reviews(ids: Sequence[int]) -> ArchiveBatch:
    reviews = list(
        WeeklyReview.objects.filter(pk__in=_in_ids(ids))
        .select_related("department", "reviewed_by")
        .order_by("pk")
    )
    _zone[:] = [company_zone()]
    batch = ArchiveBatch(records=[], csv_header=list(REVIEW_CSV), csv_rows=[])
    with in_company_language():
        for r in reviews:
            batch.records.append(_row(r))
            batch.csv_rows.append(
                [
                    r.pk,
                    r.department.name,
                    _plain(r.week_start),
                    r.reviewed_by.display_name,
                    _plain(r.reviewed_at),
                    r.complaint_count,
                    r.slip_count,
                    r.remarks,
                ]
            )
    return batch


@transaction.atomic
def dispose_reviews(ids: Sequence[int]) -> int:
    wanted = _in_ids(ids)
    count = _raw_delete(WeeklyReview.objects.filter(pk__in=wanted))
    _raw_delete(_history(WeeklyReview).filter(id__in=wanted))
    return count


def review_labels(ids: Sequence[int]) -> dict[int, str]:
    rows = WeeklyReview.objects.filter(pk__in=_in_ids(ids)).values_list(
        "pk", "department__name", "week_start"
    )
    return {pk: f"{name} {week:%Y-%m-%d}" for pk, name, week in rows}


# --- Registration --------------------------------------------------------------------------------

DEPARTMENTS = _("The departments")


def register_types() -> None:
    register(
        RecordType(
            key="complaints",
            label=_("Complaint records (complaints, grievances, enquiries)"),
            owner=DEPARTMENTS,
            basis=_("closed"),
            disposal=Disposal.DELETE,
            past_retention=_complaints_past,
            archive=archive_complaints,
            dispose=dispose_complaints,
            labels=complaint_labels,
            find=find_complaint,
            order=20,
            note=_(
                "With their timelines, work transfer slips and signatures, replies, follow-up visits, "
                "residents' ratings, attachments and the work arrangement notices raised from them. "
                "Kept while a linked duplicate, an open notice or an improvement action still needs them."
            ),
        )
    )
    register(
        RecordType(
            key="work_notices",
            label=_("Work arrangement notices (on a superior's own initiative)"),
            owner=DEPARTMENTS,
            basis=_("verified"),
            disposal=Disposal.DELETE,
            past_retention=_notices_past,
            archive=archive_notices,
            dispose=dispose_notices,
            labels=notice_labels,
            find=find_notice,
            order=25,
            note=_(
                "Notices raised from a complaint go with the complaint; notices not yet verified are kept."
            ),
        )
    )
    register(
        RecordType(
            key="weekly_reviews",
            label=_("Weekly reviews of complaint records and slips"),
            owner=_("The departments (department heads)"),
            basis=_("reviewed"),
            disposal=Disposal.DELETE,
            past_retention=_reviews_past,
            archive=archive_reviews,
            dispose=dispose_reviews,
            labels=review_labels,
            find=None,
            order=30,
        )
    )
