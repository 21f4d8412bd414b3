"""Reads of complaints and their papers, scoped by the user's permissions (SPEC P-1).

A staff member sees the complaints of their estates and of their departments; the deputy
GM, GM, auditors and administrators see all. Anything out of scope is simply absent, so
pages and the API answer 404 for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from estatedesk.complaints.deadlines import DueState, SoonWindows, due_state
from estatedesk.complaints.models import (
    AWAITING_REPLY,
    OPEN_STATUSES,
    Attachment,
    Category,
    Complaint,
    DayTally,
    Event,
    MonthTally,
    TransferSlip,
    Visit,
    WeeklyReview,
    WorkNotice,
)
from estatedesk.complaints.workflow import SLIP_SIGNER
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.core.prepared import Prepared
from estatedesk.org.acting import STAND_INS, stand_in_allowed
from estatedesk.org.models import Department


def _scope_ids(user: Actor) -> tuple[frozenset[int], frozenset[int]] | None:
    """The ids of the user's estates and of their departments; None for one who sees all."""
    estates = policy.estate_ids(user)
    if estates is None:
        return None
    return estates, policy.department_ids(user) or frozenset()


def _scope(
    user: Actor, queryset: QuerySet, estate: str, department: str, within: Q | None = None
) -> QuerySet:
    """The user's estates or departments. ``within`` (conditions the rows must meet anyway) is
    written into each half of the "or": ``(estate ∈ E and W) or (department ∈ D and W)`` is
    the same set as ``(estate ∈ E or department ∈ D) and W``, but each half is then one
    range of a partial index of the open records, where the first form makes SQLite read
    every row of the status (decision 0065)."""
    scope = _scope_ids(user)
    if scope is None:
        return queryset if within is None else queryset.filter(within)
    estates, departments = scope
    by_estate = Q(**{f"{estate}__in": estates})
    by_department = Q(**{f"{department}__in": departments})
    if within is not None:
        by_estate &= within
        by_department &= within
    return queryset.filter(by_estate | by_department)


def complaints_for(user: Actor, within: Q | None = None) -> QuerySet[Complaint]:
    return _scope(user, Complaint.objects.all(), "estate", "department", within)


def newest_ids_by_halves(
    user: Actor, queryset: QuerySet[Complaint]
) -> Callable[[int, int], list[int]] | None:
    """For a list narrowed to open records (``open_within``): its page's ids, newest first, as
    the two halves of the scope queried apart and merged, ``UNION ALL`` (the department's half
    without the user's estates, so no record comes twice). Each half is one ordered walk of
    an open records' index that stops after the page; the "or" instead reads every row of the
    status to sort it (7,620 rows for a page of 50 at 1,000,000 complaints; decision 0065).
    ``queryset`` is the list's, without its scope; the rows themselves are then read through
    the scoped query, so this decides order only. None for a user who sees everything."""
    scope = _scope_ids(user)
    if scope is None:
        return None
    estates, departments = scope
    by_estate = queryset.filter(estate__in=estates)
    by_department = queryset.filter(department__in=departments).exclude(estate__in=estates)
    newest = (
        by_estate.order_by()
        .values_list("pk", "received_at")
        .union(by_department.order_by().values_list("pk", "received_at"), all=True)
        .order_by("-received_at", "-pk")
    )

    def page(start: int, stop: int) -> list[int]:
        return [pk for pk, _received in newest[start:stop]]

    return page


def open_within(status: str | None, due: Q | None = None) -> Q | None:
    """What a list's filters ask of the open records only, as ``complaints_for``'s
    ``within``: a status that is an open one (with ``open``, the partial indexes' condition,
    written out so the planners can match it) and the due filter's conditions
    (``due_state_q``). None when the filters do not narrow to open records."""
    within = Q(open=True, status=status) if status in OPEN_STATUSES else None
    if due:
        within = due if within is None else within & due
    return within


def month_tallies_for(user: Actor) -> QuerySet[MonthTally]:
    """The kept monthly counts (``complaints.tally``) of the complaints the user may see: the
    same estates-or-departments scope, on the counts' own estate and department columns."""
    return _scope(user, MonthTally.objects.all(), "estate_id", "department_id")


def day_tallies_for(user: Actor) -> QuerySet[DayTally]:
    return _scope(user, DayTally.objects.all(), "estate_id", "department_id")


def complaint_list(user: Actor, within: Q | None = None) -> QuerySet[Complaint]:
    """For list pages and the API list: the related rows a row shows, in one query
    (``within`` as ``complaints_for``'s)."""
    return complaints_for(user, within).select_related(
        "estate", "category", "department", "handler", "unit__building"
    )


def get_complaint(user: Actor, pk: int) -> Complaint:
    complaint = complaint_list(user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


def _has_rows(model: type[models.Model], column: str) -> RawSQL:
    """Whether ``model`` has a row whose ``column`` is the complaint's id: an EXISTS on that
    column's index, written out once (no subquery for the ORM to compile on every page)."""
    table, outer = model._meta.db_table, Complaint._meta.db_table
    # Names from our models' metadata, no input; aliased, as the duplicates' table is the complaint's own.
    return RawSQL(  # noqa: S611
        f'EXISTS (SELECT 1 FROM "{table}" AS "listed" WHERE "listed"."{column}" = "{outer}"."id")',  # noqa: S608
        (),
        output_field=models.BooleanField(),
    )


PAGE_LISTS = {
    "has_duplicates": (Complaint, "lead_id"),  # the partial index complaint_lead (decision 0058)
    "has_slips": (TransferSlip, "complaint_id"),
    "has_notices": (WorkNotice, "complaint_id"),
    "has_attachments": (Attachment, "complaint_id"),
    "has_visits": (Visit, "complaint_id"),
}


def in_scope(user: Actor, complaint: Complaint) -> bool:
    """Whether ``complaints_for(user)`` holds this complaint, asked of the loaded row: of the
    user's estates or of their departments (the same "or" as ``_scope``)."""
    scope = _scope_ids(user)
    if scope is None:
        return True
    estates, departments = scope
    return complaint.estate_id in estates or complaint.department_id in departments


def _page_query(*, pk: int) -> QuerySet[Complaint]:
    flags = {name: _has_rows(*where) for name, where in PAGE_LISTS.items()}
    return (
        Complaint.objects.select_related("estate", "category", "department", "handler", "unit__building")
        .filter(pk=pk)
        .annotate(**flags)
    )


# The complaint page's read, on every view of it and every step posted from it: compiled once
# per process (``core.prepared``; 1.8 ms of compiling each time, decision 0067).
_PAGE = Prepared(_page_query, pk=-424_242)
_BIGINT = 2**63


def get_complaint_page(user: Actor, pk: int) -> Complaint:
    """``get_complaint`` with, in the same statement, whether each list the complaint's page
    shows has anything in it (``has_slips``, ``has_visits``, …): the page asks only for the
    lists that have rows (decision 0061). The statement reads the complaint by its id, always
    the same SQL, and the scope is asked of the row it found (``in_scope``): one not in it is
    absent, 404, as from ``complaints_for`` (decision 0067)."""
    pk = int(pk)
    if not -_BIGINT <= pk < _BIGINT:  # no such id; the ORM knew it without asking, the kept SQL would fail
        raise Http404
    complaint = _PAGE.first(pk=pk)
    if complaint is None or not in_scope(user, complaint):
        raise Http404
    return complaint


def get_complaint_by_number(user: Actor, number: str) -> Complaint:
    complaint = complaint_list(user).filter(number=number).first()
    if complaint is None:
        raise Http404
    return complaint


_NUMBER = re.compile(r"^(TS|CQ|AP)-\d{4}-\d{6,10}$", re.IGNORECASE)


def is_number(text: str) -> bool:
    """A whole readable number such as TS-2026-000123 (looked up exactly, by its unique index)."""
    return bool(_NUMBER.match(text.strip()))


def slips_for(user: Actor) -> QuerySet[TransferSlip]:
    return _scope(
        user, TransferSlip.objects.all(), "complaint__estate", "complaint__department"
    ).select_related("complaint", "raised_by", "complaint__department")


def notices_for(user: Actor) -> QuerySet[WorkNotice]:
    """Notices of the user's estates or departments, and those the user issued."""
    qs = WorkNotice.objects.select_related("department", "issued_by", "complaint", "estate")
    estates = policy.estate_ids(user)
    if estates is None:
        return qs
    departments = policy.department_ids(user) or frozenset()
    staff = policy.staff_of(user)
    return qs.filter(
        Q(estate__in=estates)
        | Q(complaint__estate__in=estates)
        | Q(department__in=departments)
        | Q(issued_by=staff)
    )


# Read on every view of a complaint's page and by the API: compiled once per process (decision 0067).
_TIMELINE = Prepared(
    lambda *, complaint_id: Event.objects.filter(complaint_id=complaint_id).order_by("at", "id"),
    complaint_id=-424_242,
)


def timeline(complaint: Complaint) -> list[Event]:
    events = list(_TIMELINE.rows(complaint_id=complaint.pk))  # the actor's name is on the event
    for event in events:
        event.complaint = complaint  # as ``complaint.events`` gives them: no read to reach it
    return events


def earlier_complaints(
    user: Actor,
    *,
    customer_id: int | None = None,
    unit_id: int | None = None,
    phone_index: str = "",
    exclude: int | None = None,
    limit: int = 10,
) -> list[Complaint]:
    """A customer's earlier complaints, shown on intake (K-18): by customer, unit or phone."""
    match = Q()
    if customer_id:
        match |= Q(customer_id=customer_id)
    if unit_id:
        match |= Q(unit_id=unit_id)
    if phone_index:
        match |= Q(phone_index=phone_index)
    if not match:
        return []
    qs = complaint_list(user).filter(match)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("-received_at", "-id")[:limit])


def active_categories() -> QuerySet[Category]:
    """The categories offered for a new complaint (staff intake, portal, API)."""
    return Category.objects.filter(active=True)


def categories_with_use() -> QuerySet[Category]:
    """Every category in its order, with how many complaints use it (administrators' page)."""
    return Category.objects.annotate(used=Count("complaints")).order_by("order", "code")


def complaints_by_channel(code: str) -> int:
    """How many complaints came in by the channel ``code`` (org.channels asks before a delete)."""
    return Complaint.objects.filter(channel=code).count()


def soon_windows(company: CompanySettings | None = None) -> SoonWindows:
    company = company or CompanySettings.load()
    return SoonWindows(
        urgent=timedelta(minutes=company.urgent_due_soon_minutes),
        normal=timedelta(hours=company.due_soon_hours),
    )


def due_state_of(complaint: Complaint, now: datetime, windows: SoonWindows) -> DueState:
    """The badge; it agrees with ``filter_due_state`` (tests/complaints/test_due_agreement.py).

    A complaint closed without a reply (a superior's reason after a reopening) waits for
    nothing any more: no due state, as the filter leaves it out of due / due soon / overdue.
    """
    if complaint.replied_at is None and complaint.status not in AWAITING_REPLY:
        return DueState.NONE
    return due_state(
        now=now,
        due=complaint.reply_due,
        replied_at=complaint.replied_at,
        basis=complaint.due_basis,
        windows=windows,
    )


def deadline_q(state: str, now: datetime, windows: SoonWindows) -> Q:
    """The deadline half of ``due_state_q``, for a query that already holds only the records
    awaiting a reply: reply_due and due_basis alone, the columns of their partial indexes, so
    an aggregate's ``filter`` made of it reads the index and not the rows."""
    soon_urgent = now + windows.urgent
    soon_normal = now + windows.normal
    if state == DueState.OVERDUE:
        return Q(reply_due__lt=now)
    if state == DueState.DUE_SOON:
        return Q(reply_due__gte=now) & (
            Q(due_basis="urgent", reply_due__lte=soon_urgent)
            | (~Q(due_basis="urgent") & Q(reply_due__lte=soon_normal))
        )
    if state == DueState.DUE:
        return Q(due_basis="urgent", reply_due__gt=soon_urgent) | (
            ~Q(due_basis="urgent") & Q(reply_due__gt=soon_normal)
        )
    return Q()


def due_state_q(state: str, now: datetime, windows: SoonWindows) -> Q:
    """The conditions of "due / due soon / overdue", an empty Q for any other state.
    ``awaiting_reply`` is a column the database keeps (status still waiting, no reply yet, a
    deadline): written bare, the planners match its partial indexes on (scope, reply_due,
    due_basis), so these are index ranges (decision 0064)."""
    deadline = deadline_q(state, now, windows)
    return Q(awaiting_reply=True) & deadline if deadline else Q()


def filter_due_state(
    queryset: QuerySet[Complaint], state: str, now: datetime, windows: SoonWindows
) -> QuerySet:
    """The list filter "due / due soon / overdue" (``due_state_q``)."""
    return queryset.filter(due_state_q(state, now, windows))


def departments_headed_by(user: Actor) -> QuerySet[Department]:
    staff = policy.staff_of(user)
    if staff is None:
        return Department.objects.none()
    if staff.role in ("deputy_gm", "gm") or policy.is_admin(user):
        return Department.objects.filter(active=True, developer__isnull=True)
    if staff.role != "department_head":
        return Department.objects.none()
    return staff.departments.filter(active=True)


def addressable_departments(user: Actor) -> QuerySet[Department]:
    """The departments a work arrangement notice from this user may go to (K-9, §7.2.9): a
    superior's instruction to departments under them. A department head: the departments they
    head; the deputy GM and the GM: any of the company's departments; nobody else."""
    staff = policy.staff_of(user)
    company = Department.objects.filter(active=True, developer__isnull=True)
    if staff is None:
        return company.none()
    if staff.role in ("deputy_gm", "gm"):
        return company
    if staff.role == "department_head":
        return company.filter(pk__in=staff.departments.values("pk"))
    return company.none()


def slips_waiting_for(user: Actor, queryset: QuerySet[TransferSlip]) -> QuerySet[TransferSlip]:
    """Slips whose current step is this user's signature (K-8): at the head's step the heads of
    the complaint's department, then the deputy GM (or the GM standing in for one, when the
    company settings allow it), then the GM; never a slip the user raised."""
    staff = policy.staff_of(user)
    if staff is None:
        return queryset.none()
    roles = {staff.role}
    roles |= {
        role for role, stand_in in STAND_INS.items() if stand_in == staff.role and stand_in_allowed(role)
    }
    statuses = [status for status, role in SLIP_SIGNER.items() if role in roles]
    queryset = queryset.filter(status__in=statuses).exclude(raised_by=staff)
    if staff.role == "department_head":
        queryset = queryset.filter(complaint__department__in=policy.department_ids(user) or frozenset())
    return queryset


def slips_to_sign(user: Actor) -> QuerySet[TransferSlip]:
    """The slips waiting for this user's signature, for the home page (A-1, K-8): in the user's
    scope, at the step of the user's role (the slip's status read through ``SLIP_SIGNER``,
    however the slip got there), and never one the user raised — nobody signs their own slip."""
    staff = policy.staff_of(user)
    if staff is None:
        return TransferSlip.objects.none()
    return slips_waiting_for(user, slips_for(user)).exclude(raised_by=staff)


# --- Weekly reviews (K-11) ------------------------------------------------------------------------


def reviews_due_since(department_ids: Collection[int]) -> dict[int, date | None]:
    """From which day each department's weekly reviews are due (None: no sign of it yet).

    A week before a department existed cannot miss its review (a new install is not all red);
    records entered for earlier weeks (an import, back-dated intake) date the department too.
    """
    zone = company_zone()
    created = {
        row["id"]: row["first"].astimezone(zone).date()
        for row in Department.history.filter(id__in=department_ids)  # type: ignore[attr-defined]
        .order_by()
        .values("id")
        .annotate(first=Min("history_date"))
    }
    first_complaint = {
        row["department"]: row["first"].astimezone(zone).date()
        for row in Complaint.objects.filter(department__in=department_ids)
        .order_by()
        .values("department")
        .annotate(first=Min("received_at"))
    }
    return {
        pk: min(filter(None, [created.get(pk), first_complaint.get(pk)]), default=None)
        for pk in department_ids
    }


def review_missing(week: date, current: date, *, reviewed: bool, since: date | None) -> bool:
    """A week before the current one, not reviewed, in which the department already existed."""
    return week < current and not reviewed and (since is None or since < week + timedelta(days=7))


def reviewed_weeks(department_ids: Collection[int], since: date) -> set[tuple[int, date]]:
    """The (department, week) pairs with a signed review, from ``since`` on."""
    return set(
        WeeklyReview.objects.filter(department__in=department_ids, week_start__gte=since).values_list(
            "department_id", "week_start"
        )
    )
