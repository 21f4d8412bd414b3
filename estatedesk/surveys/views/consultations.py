"""The monthly consultations (SPEC S-4): the list per month and estate with the flags of the last
months and the year's coverage on top, its workbook, and the page that plans one.

Reads go through ``review_selectors.consultations_for`` (scope, P-1); the figures of the flags
and the coverage are the grouped queries of ``consultation_results``, so the page's queries do
not grow with the number of estates or months. The page of one consultation is
``consultation_detail``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.web import company_time, put_error
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.surveys import wording
from estatedesk.surveys.consultation_overview import coverage_rows, flag_rows
from estatedesk.surveys.forms_consultations import ConsultationPlanForm
from estatedesk.surveys.models import Consultation, ConsultationMethod, ConsultationStatus
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.services import consultations as service
from estatedesk.surveys.views.common import shown_name
from estatedesk.surveys.workflow import CONSULTATION

PAGE_SIZE = 50
EXPORT_MAX = 50_000
FILTER_LABELS = {
    "month": gettext_lazy("month"),
    "estate": gettext_lazy("estate"),
    "status": gettext_lazy("status"),
}


def may_plan(user: Actor) -> bool:
    return policy.role_of(user) in CONSULTATION.get("plan").roles


@dataclass
class ListFilters:
    values: dict[str, str]
    notes: list[str]
    choices: dict[str, list[tuple[str, Any]]]

    def fields(self) -> list[tuple[str, Any, list[tuple[str, Any]], str]]:
        return [(key, FILTER_LABELS[key], ch, self.values.get(key, "")) for key, ch in self.choices.items()]


def _month_param(params: Params) -> date | None:
    value = params.raw("month").strip()
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        params.notes.append(
            _("The %(filter)s “%(value)s” is not one of the choices; that filter was ignored.")
            % {"filter": FILTER_LABELS["month"], "value": value[:20]}
        )
        return None


def consultation_rows(user: Actor) -> QuerySet[Consultation]:
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


def filter_consultations(request: HttpRequest) -> tuple[QuerySet[Consultation], ListFilters]:
    user: Actor = request.user
    estates = service.plannable_estates(user).order_by("code")
    filters = ListFilters(
        values={},
        notes=[],
        choices={
            "estate": [(str(e.pk), e.name) for e in estates],
            "status": [(str(v), label) for v, label in ConsultationStatus.choices],
        },
    )
    params = Params(request.GET)
    rows = consultation_rows(user)
    month = _month_param(params)
    if month is not None:
        filters.values["month"] = f"{month:%Y-%m}"
        rows = rows.filter(month=month)
    for key, choices in filters.choices.items():
        value = params.choice(key, (v for v, _label in choices), FILTER_LABELS[key])
        if not value:
            continue
        filters.values[key] = value
        rows = rows.filter(estate_id=value) if key == "estate" else rows.filter(status=value)
    filters.notes = params.notes
    return rows, filters


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def return_rate_of(row: Consultation) -> str:
    asked = getattr(row, "asked", 0)
    answered = getattr(row, "answered", 0)
    return wording.percent_text(answered * 100 / asked if asked else None)


@require_GET
@company_time
def consultation_list(request: HttpRequest) -> HttpResponse:
    user: Actor = request.user
    today = company_today()
    rows, filters = filter_consultations(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.rate_text = return_rate_of(row)  # type: ignore[attr-defined]
    return render(
        request,
        "surveys/consultations/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_fields": filters.fields(),
            "month_value": filters.values.get("month", ""),
            "querystring": _querystring(request),
            "flags": flag_rows(user, today),
            "coverage": coverage_rows(user, today.year),
            "year": today.year,
            "can_plan": may_plan(user),
        },
    )


EXPORT_HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Month"),
    gettext_lazy("Estate"),
    gettext_lazy("Topics"),
    gettext_lazy("Method"),
    gettext_lazy("Status"),
    gettext_lazy("Planned for"),
    gettext_lazy("Occupied households"),
    gettext_lazy("Households asked"),
    gettext_lazy("Households answered"),
    gettext_lazy("Return rate"),
    gettext_lazy("Planned by"),
]


def export_rows(
    user: Actor, rows: QuerySet[Consultation], limit: int = EXPORT_MAX
) -> Iterator[Sequence[Any]]:
    for index, row in enumerate(rows[: limit + 1]):
        if index == limit:
            yield NoteRow(
                [_("Only the first %(limit)s rows are exported; narrow the filters.") % {"limit": limit}]
            )
            return
        yield [
            row.number,
            f"{row.month:%Y-%m}",
            row.estate.name,
            "、".join(row.topic_labels()),
            str(row.get_method_display()),
            str(row.get_status_display()),
            row.planned_on.isoformat() if row.planned_on else "",
            row.occupied_count,
            getattr(row, "asked", 0),
            getattr(row, "answered", 0),
            return_rate_of(row),
            shown_name(user, row.created_by_name),
        ]


@require_GET
@company_time
def consultation_list_xlsx(request: HttpRequest) -> HttpResponse:
    rows, _filters = filter_consultations(request)
    return workbook_response(
        request,
        "monthly-consultations",
        EXPORT_HEADERS,
        export_rows(request.user, rows),
        sheet=_("Monthly consultations"),
    )


# --- Planning ----------------------------------------------------------------------------------


def _plan_page(request: HttpRequest, form: ConsultationPlanForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "surveys/consultations/create.html",
        {"form": form, "label": CONSULTATION.get("plan").label},
        status=status,
    )


@company_time
def consultation_create(request: HttpRequest) -> HttpResponse:
    user: Actor = request.user
    if not may_plan(user):
        return render(
            request,
            "surveys/pages/not_allowed.html",
            {"message": _("The management office's staff and the customer-service team plan consultations.")},
            status=403,
        )
    if request.method != "POST":
        today = company_today()
        initial = {"month": today.replace(day=1), "share": 5, "method": ConsultationMethod.DOOR_TO_DOOR}
        return _plan_page(request, ConsultationPlanForm(initial=initial, user=user))
    form = ConsultationPlanForm(request.POST, user=user)
    if not form.is_valid():
        return _plan_page(request, form, 422)
    data = form.cleaned_data
    try:
        consultation = service.plan_consultation(
            actor=user,
            estate=data["estate"],
            month=data["month"],
            topics=data["topics"],
            method=data["method"],
            staff=list(data["staff"]),
            planned_on=data["planned_on"],
            share=data["share"],
            notes=data["notes"] or "",
        )
    except ServiceError as error:
        put_error(form, error)
        return _plan_page(request, form, error.status)
    messages.success(
        request,
        _("Consultation %(number)s planned: %(count)d households proposed.")
        % {"number": consultation.number, "count": consultation.proposed_count},
    )
    return redirect("surveys:consultation_detail", consultation.pk)
