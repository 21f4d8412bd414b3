"""The API of consultations (SPEC A-2, S-4), with the permissions of the web pages.

Reads come from ``review_selectors.consultations_for`` (another estate's consultation is a 404,
like a missing one); every write is one call of one service of
``services.consultations``, whose refusals become the API's error format
(``output.service_errors``). A household's answers carry the client's ``submission_key``: the
same key sent again (a phone that lost the reply) answers 200 with the answer recorded once; a
different second answer for the household is a 409.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Status

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.api import READ_ERRORS, WRITE_ERRORS, Paging, current_user, paginate, responses
from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.crypto import mask_name
from estatedesk.core.workflow import require
from estatedesk.org.models import Estate
from estatedesk.surveys.api.consultation_schemas import (
    AnswersIn,
    CancelIn,
    ConsultationFilters,
    ConsultationIn,
    ConsultationOut,
    ConsultationPage,
    ConsultedPage,
    FlagsOut,
    FlagsQuery,
    HouseholdFilters,
    NotesIn,
    RecordedOut,
    SwapIn,
)
from estatedesk.surveys.api.output import category_label, figures, not_found, service_errors
from estatedesk.surveys.consultation_overview import flag_text, recent_flags, scope_estates
from estatedesk.surveys.consultation_results import consultation_results, coverage
from estatedesk.surveys.figures import one_decimal
from estatedesk.surveys.models import Consultation, ConsultationAnswer, ConsultedHousehold
from estatedesk.surveys.report import category_order
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services import consultations as service
from estatedesk.surveys.services.consultation_answers import TopicAnswer
from estatedesk.surveys.workflow import CONSULTATION

router = Router(tags=["consultations"])

STEP_RESPONSES = responses(200, ConsultationOut, *WRITE_ERRORS, 404)


def _rows(user: Actor) -> Any:
    return (
        consultations_for(user)
        .select_related("estate")
        .annotate(
            asked=Count("households", filter=Q(households__asked=True)),
            answered=Count(
                "households", filter=Q(households__asked=True, households__answered_at__isnull=False)
            ),
        )
        .order_by("-month", "estate__code", "-pk")
    )


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    found = _rows(current_user(request)).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found  # type: ignore[no-any-return]


def _time(value: Any) -> Any:
    return value.astimezone(company_zone()) if value is not None else None


def _item(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "estate": c.estate_id,
        "estate_name": c.estate.name,
        "month": f"{c.month:%Y-%m}",
        "topics": list(c.topics),
        "method": c.method,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "planned_on": c.planned_on,
        "asked": getattr(c, "asked", 0),
        "answered": getattr(c, "answered", 0),
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    c = _consultation(request, pk)
    results = consultation_results(c)
    return {
        **_item(c),
        "topic_labels": c.topic_labels(),
        "staff": list(c.staff.order_by("display_name").values_list("display_name", flat=True)),
        "notes": c.notes,
        "share": float(c.share),
        "seed": c.seed,
        "occupied": c.occupied_count,
        "fresh": c.fresh_count,
        "proposed": c.proposed_count,
        "created_at": _time(c.created_at),
        "created_by": c.created_by_name,
        "started_at": _time(c.started_at),
        "finished_at": _time(c.finished_at),
        "overall": figures(results.overall),
        "topics_figures": [
            {"category": code, "label": category_label(code), **figures(fig)}
            for code, fig in sorted(results.by_category.items(), key=lambda kv: category_order(kv[0]))
        ],
        "version": c.edit_version,
    }


def _month(value: str | None) -> date | None:
    if not value:
        return None
    year, month = value.split("-")
    return date(int(year), int(month), 1)


# --- Flags (registered before "/consultations/{id}") -------------------------------------------


@router.get("/consultations/flags", response=responses(200, FlagsOut, *READ_ERRORS))
def consultation_flags(request: HttpRequest, query: Query[FlagsQuery]) -> Any:
    """The flags of the last `months` months (this one included) in your estates: a month
    without a consultation, a month under 5 % of occupied households consulted, a questionnaire
    under 50 % returned; and this year's coverage per estate."""
    user = current_user(request)
    today = company_today()
    months = query.months
    names = dict(Estate.objects.values_list("pk", "name"))
    found = recent_flags(user, today, months)
    reached = coverage(today.year, scope_estates(user))
    return {
        "months": months,
        "flags": [
            {
                "kind": f.kind,
                "estate": f.estate,
                "estate_name": names.get(f.estate, ""),
                "month": f"{f.month:%Y-%m}",
                "consultation": f.consultation,
                "number": f.number,
                "reached": f.reached,
                "needed": f.needed,
                "rate": one_decimal(f.rate),
                "text": flag_text(f),
            }
            for f in found
        ],
        "coverage": [
            {
                "estate": pk,
                "estate_name": names.get(pk, ""),
                "consulted": row.consulted,
                "occupied": row.occupied,
                "rate": one_decimal(row.rate),
            }
            for pk, row in sorted(reached.items())
        ],
    }


# --- Reading -----------------------------------------------------------------------------------


@router.get("/consultations", response=responses(200, ConsultationPage, *READ_ERRORS))
def list_consultations(
    request: HttpRequest, filters: Query[ConsultationFilters], paging: Query[Paging]
) -> Any:
    """The consultations of your estates, newest month first."""
    queryset = _rows(current_user(request))
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    if filters.month is not None:
        queryset = queryset.filter(month=_month(filters.month))
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    page = paginate(queryset, paging)
    page["items"] = [_item(c) for c in page["items"]]
    return page


@router.get(
    "/consultations/{int:consultation_id}", response=responses(200, ConsultationOut, *READ_ERRORS, 404)
)
def get_consultation(request: HttpRequest, consultation_id: int) -> Any:
    """The consultation, its proposal record and its figures by topic (rate, n, 95 % interval,
    return rate and the rate adjusted by the return-rate rule for the questionnaire method)."""
    return _detail(request, consultation_id)


@router.get(
    "/consultations/{int:consultation_id}/households",
    response=responses(200, ConsultedPage, *READ_ERRORS, 404),
)
def list_households(
    request: HttpRequest, consultation_id: int, filters: Query[HouseholdFilters], paging: Query[Paging]
) -> Any:
    """The sample: who was proposed, who was asked, who was swapped for whom, who answered.
    Customers' names are masked for those who may not see them."""
    user = current_user(request)
    consultation = _consultation(request, consultation_id)
    queryset = ConsultedHousehold.objects.filter(consultation=consultation).select_related(
        "unit__building", "customer", "replaced_by"
    )
    if filters.asked is not None:
        queryset = queryset.filter(asked=filters.asked)
    if filters.answered is not None:
        queryset = queryset.filter(answered_at__isnull=not filters.answered)
    page = paginate(queryset.order_by("building__name", "unit__floor", "unit__number", "pk"), paging)
    page["items"] = [
        {
            "unit": h.unit_id,
            "label": h.unit.label,
            "building": h.building_id,
            "customer": shown_name(user, h.customer.name if h.customer else ""),
            "customer_kind": h.customer_kind or None,
            "proposed": h.proposed,
            "asked": h.asked,
            "fresh": h.fresh,
            "swapped_for": h.replaced_by.unit_id if h.replaced_by else None,
            "swap_reason": h.swap_reason,
            "answered_at": _time(h.answered_at),
            "channel": h.channel,
        }
        for h in page["items"]
    ]
    return page


# --- Planning and running ----------------------------------------------------------------------


@router.post("/consultations", response=responses(201, ConsultationOut, *WRITE_ERRORS))
def plan_consultation(request: HttpRequest, payload: ConsultationIn) -> Any:
    """Plan a consultation (S-4) and propose its sample: at least the share (5 %) of the
    estate's occupied households, rounded up, those not consulted yet this year first."""
    user = current_user(request)
    with service_errors([*type(payload).model_fields]):
        require(user, CONSULTATION.get("plan"))
        month = _month(payload.month)
        assert month is not None
        consultation = service.plan_consultation(
            actor=user,
            estate=payload.estate,
            month=month,
            topics=[str(t) for t in payload.topics],
            method=payload.method,
            staff=payload.staff,
            planned_on=payload.planned_on,
            share=payload.share,
            notes=payload.notes,
        )
    return Status(201, _detail(request, consultation.pk))


@router.post("/consultations/{int:consultation_id}/swap", response=STEP_RESPONSES)
def swap(request: HttpRequest, consultation_id: int, payload: SwapIn) -> Any:
    """Ask another occupied household instead of one in the sample (while planned); the one
    swapped out stays on the record with the reason."""
    user = current_user(request)
    consultation = _consultation(request, consultation_id)
    with service_errors(["out_unit", "in_unit", "reason"]):
        service.swap_household(
            actor=user,
            consultation=consultation.pk,
            out_unit=payload.out_unit,
            in_unit=payload.in_unit,
            reason=payload.reason,
        )
    return _detail(request, consultation_id)


def _step(request: HttpRequest, consultation_id: int, call: Any) -> Any:
    user = current_user(request)
    consultation = _consultation(request, consultation_id)
    with service_errors(["reason", "notes", "version"]):
        call(user, consultation.pk)
    return _detail(request, consultation_id)


@router.post("/consultations/{int:consultation_id}/start", response=STEP_RESPONSES)
def start(request: HttpRequest, consultation_id: int) -> Any:
    """Start it: the sample is kept as it is and answers may be recorded."""
    return _step(request, consultation_id, lambda u, pk: service.start_consultation(actor=u, consultation=pk))


@router.post("/consultations/{int:consultation_id}/finish", response=STEP_RESPONSES)
def finish(request: HttpRequest, consultation_id: int) -> Any:
    """Finish it: no more answers are recorded."""
    return _step(
        request, consultation_id, lambda u, pk: service.finish_consultation(actor=u, consultation=pk)
    )


@router.post("/consultations/{int:consultation_id}/cancel", response=STEP_RESPONSES)
def cancel(request: HttpRequest, consultation_id: int, payload: CancelIn) -> Any:
    """Cancel a consultation still planned, with the reason."""
    return _step(
        request,
        consultation_id,
        lambda u, pk: service.cancel_consultation(actor=u, consultation=pk, reason=payload.reason),
    )


@router.post("/consultations/{int:consultation_id}/notes", response=STEP_RESPONSES)
def notes(request: HttpRequest, consultation_id: int, payload: NotesIn) -> Any:
    """Edit the notes. Send the `version` you read: someone else's edit since is 409 `stale_edit`."""
    return _step(
        request,
        consultation_id,
        lambda u, pk: service.edit_notes(
            actor=u, consultation=pk, notes=payload.notes, based_on=payload.version
        ),
    )


# --- Answers -----------------------------------------------------------------------------------


@router.post(
    "/consultations/{int:consultation_id}/answers",
    response={**responses(201, RecordedOut, *WRITE_ERRORS, 404), 200: RecordedOut},
)
def record_answers(request: HttpRequest, consultation_id: int, payload: AnswersIn) -> Any:
    """A household's answers, one rating per topic (and the reason when dissatisfied), with its
    other opinions. 201 recorded; 200 when this `submission_key` was already recorded for the
    household (nothing is written twice); 409 for a second, different answer of the household."""
    user = current_user(request)
    consultation = _consultation(request, consultation_id)
    with service_errors(["unit", "answers", "remarks"], conflict_at="unit"):
        household, recorded = consultation_answers.record_answers(
            actor=user,
            consultation=consultation.pk,
            unit_id=payload.unit,
            answers=[TopicAnswer(a.topic, a.level, a.reason) for a in payload.answers],
            remarks=payload.remarks,
            submission_key=payload.submission_key,
        )
    label = ConsultedHousehold.objects.select_related("unit__building").get(pk=household.pk).unit.label
    body = {
        "consultation": consultation.pk,
        "unit": household.unit_id,
        "label": label,
        "answered_at": _time(household.answered_at),
        "channel": household.channel,
        "answers": ConsultationAnswer.objects.filter(household=household).count(),
        "recorded": recorded,
    }
    return Status(201 if recorded else 200, body)


def shown_name(user: Actor, name: str) -> str:
    return name if policy.can_see_contact_names(user) else mask_name(name)
