"""Complaints over the API (SPEC A-2, K-1 … K-10, P-1, D-3).

A complaint is addressed by its readable number (``TS-2026-000123``), the one people quote
on the phone. Reads come from ``selectors`` (a complaint outside the user's scope is a 404,
exactly like a missing one); every write is one call of one service, whose refusals become
the API's error format (``output.service_errors``). Slips and notices are in
``papers``, mounted on this router.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.complaints import selectors, services
from estatedesk.complaints.api.output import Viewer, complaint_detail, complaint_item, service_errors
from estatedesk.complaints.api.papers import router as papers_router
from estatedesk.complaints.api.schemas import (
    AnalyseIn,
    AssessIn,
    AssignIn,
    CloseIn,
    ComplaintFilters,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    HandleIn,
    LinkIn,
    Number,
    ReferIn,
    ReferralResultIn,
    ReplyIn,
    RequestIn,
    SlipIn,
    SuperiorCloseIn,
    VisitIn,
)
from estatedesk.complaints.models import OPEN_STATUSES, Category, Complaint
from estatedesk.complaints.papers import raise_slip
from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    Input,
    Paging,
    current_user,
    invalid,
    paginate,
    responses,
)
from estatedesk.core.prepared import Prepared
from estatedesk.org import selectors as org
from estatedesk.org.models import Estate, Unit

router = Router(tags=["complaints"])
router.add_router("", papers_router)

STEP_RESPONSES = responses(200, ComplaintOut, *WRITE_ERRORS, 404)


# Read on every create, compiled once per process (``core.prepared``, decision 0062); codes are unique.
_CATEGORY = Prepared(lambda *, code: Category.objects.filter(code=code)[:1], code="\x01code\x01")


def _pick(queryset: QuerySet[Any], pk: int, field: str, message: str) -> Any:
    """A referenced record from the user's scope; unknown and out-of-scope ids read the same."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise invalid(field, message)
    return obj


def _detail(user: Actor, number: str) -> dict[str, Any]:
    return complaint_detail(selectors.get_complaint_by_number(user, number), Viewer.of(user))


# --- Reading -------------------------------------------------------------------------------


def _received_between(queryset: QuerySet[Complaint], filters: ComplaintFilters, viewer: Viewer) -> QuerySet:
    """Whole company days, both ends included (the dates are in core.params' range: see QueryDay)."""
    if filters.received_from is not None:
        start = datetime.combine(filters.received_from, time.min, tzinfo=viewer.zone)
        queryset = queryset.filter(received_at__gte=start)
    if filters.received_to is not None:
        end = datetime.combine(filters.received_to + timedelta(days=1), time.min, tzinfo=viewer.zone)
        queryset = queryset.filter(received_at__lt=end)
    return queryset


def _search(queryset: QuerySet[Complaint], q: str, viewer: Viewer) -> QuerySet[Complaint]:
    if not q:
        return queryset
    if selectors.is_number(q):
        return queryset.filter(number=q.upper())  # a whole number: the unique index, not a scan
    match = Q(number__icontains=q) | Q(description__icontains=q)
    if viewer.names:
        # Auditors see masked names; letting them search by name would unmask them.
        match |= Q(complainant_name__icontains=q)
    if crypto.is_valid_phone(q):
        match |= Q(phone_index=crypto.blind_index(q))
    return queryset.filter(match)


@router.get("/complaints", response=responses(200, ComplaintPage, *READ_ERRORS))
def list_complaints(request: HttpRequest, filters: Query[ComplaintFilters], paging: Query[Paging]) -> Any:
    """Complaints, enquiries and grievances in your scope, newest first."""
    user = current_user(request)
    viewer = Viewer.of(user)
    due = (
        selectors.due_state_q(filters.due_state, viewer.now, viewer.windows)
        if filters.due_state is not None
        else None
    )
    # An open status and the due filter go into each half of the scope (decision 0065).
    queryset = selectors.complaint_list(user, selectors.open_within(filters.status, due))
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    if filters.status is not None and filters.status not in OPEN_STATUSES:
        queryset = queryset.filter(status=filters.status)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.valid is not None:
        queryset = queryset.filter(valid=filters.valid)
    if filters.handler == "me":
        staff = policy.staff_of(user)
        queryset = queryset.filter(handler=staff) if staff is not None else queryset.none()
    queryset = _search(_received_between(queryset, filters, viewer), filters.q, viewer)
    page = paginate(queryset, paging)
    page["items"] = [complaint_item(c, viewer) for c in page["items"]]
    return page


@router.get("/complaints/{number}", response=responses(200, ComplaintOut, *READ_ERRORS, 404))
def get_complaint(request: HttpRequest, number: Number) -> Any:
    """The whole record: assessment, referral, handling, reply, visits, papers, timeline."""
    return _detail(current_user(request), number)


# --- Intake --------------------------------------------------------------------------------


def _unit(user: Actor, payload: ComplaintIn, estate: Estate) -> Unit | None:
    if payload.unit is not None and payload.unit_label:
        raise invalid("unit_label", _("Give the unit by id or by label, not both."))
    if payload.unit is not None:
        unit = org.unit_in(estate, payload.unit)  # the estate is in the user's scope
        if unit is None:
            raise invalid("unit", _("There is no such unit in this estate."))
        return unit
    if not payload.unit_label:
        return None
    units = org.units_for(user).filter(estate_id=estate.pk)
    found = list(org.search_units(units, payload.unit_label)[:10])
    exact = [u for u in found if u.label == payload.unit_label] or found
    if len(exact) != 1:
        message = (
            _("There is no such unit in this estate.")
            if not exact
            else _("Several units match; write the building and number exactly, e.g. 3栋-1201.")
        )
        raise invalid("unit_label", message)
    return exact[0]


@router.post("/complaints", response=responses(201, ComplaintOut, *WRITE_ERRORS))
def create_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    """Record a complaint, grievance or enquiry (K-1); staff may back-date ``received_at``."""
    user = current_user(request)
    estate = org.estate_for(user, payload.estate)
    if estate is None:
        raise invalid("estate", _("There is no such estate."))
    category = _CATEGORY.first(code=payload.category)
    if category is None:
        raise invalid("category", _("There is no such category."))
    customer = None
    if payload.customer is not None:
        customer = org.customer_in(estate, payload.customer)  # the estate is in the user's scope
        if customer is None:
            raise invalid("customer", _("There is no such customer in this estate."))
    department = None
    if payload.department is not None:
        department = _pick(
            org.departments_for(user), payload.department, "department", _("There is no such department.")
        )
    data = services.Intake(
        estate=estate,
        kind=payload.kind,
        channel=payload.channel,
        category=category,
        description=payload.description,
        received_at=payload.received_at,
        unit=_unit(user, payload, estate),
        customer=customer,
        complainant_name=payload.complainant_name,
        phone=payload.phone,
        requested_reply_at=payload.requested_reply_at,
        department=department,
        immediate_reply=payload.immediate_reply,
        reply_manner=payload.reply_manner,
    )
    with service_errors(payload):
        recorded = services.record_intake(actor=user, data=data)
    # The record as intake saved it, with the rows it was given or read (estate, unit,
    # customer, department, company settings, timeline): read back, it would say the same,
    # at a dozen more queries.
    viewer = Viewer.of(user, recorded.company)
    return Status(201, complaint_detail(recorded.complaint, viewer, new=True, timeline=recorded.events))


# --- Steps ---------------------------------------------------------------------------------


def _step(request: HttpRequest, number: str, payload: Input, call: Callable[[Actor, int], Any]) -> Any:
    """Find the complaint in the user's scope (else 404), take the step, answer the updated record."""
    user = current_user(request)
    complaint = selectors.get_complaint_by_number(user, number)
    with service_errors(payload):
        call(user, complaint.pk)
    return _detail(user, number)


@router.post("/complaints/{number}/assess", response=STEP_RESPONSES)
def assess_complaint(request: HttpRequest, number: Number, payload: AssessIn) -> Any:
    """Cause, validity, severity and urgency (K-4, K-5); the reply deadline follows."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.assess(
            actor=user,
            complaint=pk,
            cause=payload.cause,
            serious=payload.serious,
            urgent=payload.urgent,
            note=payload.note,
        ),
    )


@router.post("/complaints/{number}/request", response=STEP_RESPONSES)
def change_requested_reply(request: HttpRequest, number: Number, payload: RequestIn) -> Any:
    """The customer asks for another reply time; the deadline follows (K-5)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.change_request(
            actor=user, complaint=pk, requested_reply_at=payload.requested_reply_at
        ),
    )


@router.post("/complaints/{number}/assign", response=STEP_RESPONSES)
def assign_complaint(request: HttpRequest, number: Number, payload: AssignIn) -> Any:
    """Forward to a department, optionally naming the handler (K-2)."""

    def call(user: Actor, pk: int) -> Any:
        department = _pick(
            org.departments_for(user), payload.department, "department", _("There is no such department.")
        )
        handler = None
        if payload.handler is not None:
            handler = _pick(
                org.staff_for(user), payload.handler, "handler", _("There is no such staff member.")
            )
        return services.assign(actor=user, complaint=pk, department=department, handler=handler)

    return _step(request, number, payload, call)


@router.post("/complaints/{number}/refer", response=STEP_RESPONSES)
def refer_complaint(request: HttpRequest, number: Number, payload: ReferIn) -> Any:
    """Pass a developer-caused or external complaint on, recording when and to whom (K-6)."""

    def call(user: Actor, pk: int) -> Any:
        developer = None
        if payload.developer is not None:
            developer = _pick(
                org.developers_for(user), payload.developer, "developer", _("There is no such developer.")
            )
        return services.refer(
            actor=user,
            complaint=pk,
            party=payload.party,
            developer=developer,
            referred_at=payload.referred_at,
            note=payload.note,
        )

    return _step(request, number, payload, call)


@router.post("/complaints/{number}/referral-result", response=STEP_RESPONSES)
def record_referral_result(request: HttpRequest, number: Number, payload: ReferralResultIn) -> Any:
    """The developer's or outside party's result (K-6)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.record_referral_result(
            actor=user, complaint=pk, result=payload.result, at=payload.at
        ),
    )


@router.post("/complaints/{number}/handle", response=STEP_RESPONSES)
def handle_complaint(request: HttpRequest, number: Number, payload: HandleIn) -> Any:
    """The analysed cause, the measures and the result (K-7)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.handle(
            actor=user,
            complaint=pk,
            cause_analysis=payload.cause_analysis,
            measures=payload.measures,
            result=payload.result,
            based_on=payload.version,
        ),
    )


@router.post("/complaints/{number}/reply", response=STEP_RESPONSES)
def reply_to_complaint(request: HttpRequest, number: Number, payload: ReplyIn) -> Any:
    """The reply to the customer; its time against the deadline decides "on time" (K-7)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.reply(
            actor=user,
            complaint=pk,
            content=payload.content,
            manner=payload.manner,
            replied_at=payload.replied_at,
        ),
    )


@router.post("/complaints/{number}/visit", response=STEP_RESPONSES)
def visit_complainant(request: HttpRequest, number: Number, payload: VisitIn) -> Any:
    """The follow-up visit (K-10): satisfied closes, dissatisfied reopens."""

    def call(user: Actor, pk: int) -> Any:
        visitor = None
        if payload.visitor is not None:
            visitor = _pick(
                org.staff_for(user), payload.visitor, "visitor", _("There is no such staff member.")
            )
        return services.visit(
            actor=user,
            complaint=pk,
            method=payload.method,
            opinion=payload.opinion,
            satisfaction=payload.satisfaction,
            visited_at=payload.visited_at,
            visitor=visitor,
        )

    return _step(request, number, payload, call)


@router.post("/complaints/{number}/close", response=STEP_RESPONSES)
def close_complaint(request: HttpRequest, number: Number, payload: CloseIn) -> Any:
    """Close a replied record that needs no visit: an explained invalid complaint, an enquiry, a grievance."""
    return _step(
        request, number, payload, lambda user, pk: services.close(actor=user, complaint=pk, note=payload.note)
    )


@router.post("/complaints/{number}/close-by-superior", response=STEP_RESPONSES)
def close_by_superior(request: HttpRequest, number: Number, payload: SuperiorCloseIn) -> Any:
    """A superior closes a complaint the customer is still not satisfied with (K-10)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.close_by_superior(actor=user, complaint=pk, reason=payload.reason),
    )


@router.post("/complaints/{number}/link", response=STEP_RESPONSES)
def link_complaint(request: HttpRequest, number: Number, payload: LinkIn) -> Any:
    """Handle together with an earlier complaint about the same matter (K-18); null unlinks."""

    def call(user: Actor, pk: int) -> Any:
        lead = None
        if payload.lead is not None:
            lead = (
                selectors.complaints_for(user)
                .filter(number=payload.lead)
                .values_list("pk", flat=True)
                .first()
            )
            if lead is None:
                raise invalid("lead", _("No such complaint, or not yours to see."))
        return services.link(actor=user, complaint=pk, lead=lead)

    return _step(request, number, payload, call)


@router.post("/complaints/{number}/analyse", response=STEP_RESPONSES)
def analyse_grievance(request: HttpRequest, number: Number, payload: AnalyseIn) -> Any:
    """The department head's analysis of a grievance (C-7)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: services.analyse(
            actor=user, complaint=pk, analysis=payload.analysis, based_on=payload.version
        ),
    )


@router.post("/complaints/{number}/slip", response=STEP_RESPONSES)
def raise_transfer_slip(request: HttpRequest, number: Number, payload: SlipIn) -> Any:
    """Pass a complaint you cannot resolve to a superior on a work transfer slip (K-8): the head
    of its department, or directly the deputy GM or the GM (``first_signer``)."""
    return _step(
        request,
        number,
        payload,
        lambda user, pk: raise_slip(
            actor=user,
            complaint=pk,
            matter=payload.matter,
            handler_opinion=payload.handler_opinion,
            first_signer=payload.first_signer or "",
        ),
    )
