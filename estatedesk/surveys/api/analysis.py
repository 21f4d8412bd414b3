"""A survey's analysis and the GM's decisions over the API (SPEC A-2, S-9), with the permissions
of the pages: the survey and its suggestions come from the scoped selectors (out of scope is
404), every write is one service of ``services.analysis`` whose refusals become the API's
error format. The analysis's texts carry the ``version`` they were read at (409 ``stale_edit``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from estatedesk.core.api import (
    READ_ERRORS,
    VERSION_DESCRIPTION,
    WRITE_ERRORS,
    BodyId,
    Id,
    Input,
    JsonInt,
    current_user,
    invalid,
    responses,
    text,
)
from estatedesk.core.causes import Bone
from estatedesk.core.clock import company_zone
from estatedesk.core.versioning import MAX_VERSION
from estatedesk.org.models import Department, Estate, Staff
from estatedesk.surveys import analysis, results, selectors
from estatedesk.surveys.api.output import category_label, figures, not_found, service_errors
from estatedesk.surveys.api.schemas import CategoryFigures, EstateFigures, Figures
from estatedesk.surveys.models import Category, ReasonCode, Suggestion, Survey
from estatedesk.surveys.review_selectors import suggestions_for
from estatedesk.surveys.services import analysis as services

router = Router(tags=["analysis"])

Title = Annotated[str, text(200, required=True)]
Words = Annotated[str, text(4000, required=True)]
Summary = Annotated[str, text(8000)]
Cause = Annotated[str, text(120, required=True)]


# --- shapes ------------------------------------------------------------------------------------


class ParetoRowOut(Schema):
    code: str = Field(description='The reason code; "other" (always last) for reasons no code matched.')
    label: str
    count: int
    cumulative_share: float = Field(description="Percent, one decimal; the last row is 100.0.")
    vital: bool = Field(description="One of the vital few (up to 80 %); never the catch-all.")
    reasons: list[str] = Field(description="The reasons in the residents' own words.")


class SuggestionOut(Schema):
    id: int
    number: str
    title: str
    text: str
    category: str
    estate: int | None
    status: str
    written_by: str
    written_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str
    decision_reason: str
    owner: int | None
    due_date: date | None
    department: int | None
    action: int | None = Field(description="The corrective action an accepted suggestion opened.")
    version: int


class AnalysisOut(Schema):
    survey: int
    number: str
    overall: Figures
    categories: list[CategoryFigures]
    estates: list[EstateFigures] = Field(description="Only the estates you may see.")
    pareto: list[ParetoRowOut] = Field(
        description="Reasons of your estates (the whole survey's for its team)."
    )
    summary: str
    problem: str
    fishbone: dict[str, list[str]] = Field(description="Causes by bone: " + ", ".join(Bone.values))
    version: int = Field(description=VERSION_DESCRIPTION)
    suggestions: list[SuggestionOut]


class AnalysisIn(Input):
    version: Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]
    summary: Summary = ""
    problem: Annotated[str, text(200)] = ""
    fishbone: dict[Bone, Annotated[list[Cause], Field(max_length=8)]] = Field(default_factory=dict)


class SuggestionIn(Input):
    title: Title
    text: Words
    category: Category | None = None
    estate: BodyId | None = None


class AcceptIn(Input):
    owner: BodyId
    due_date: date = Field(description="YYYY-MM-DD, not in the past.")
    department: BodyId


class DeclineIn(Input):
    reason: Words


class ReasonCodeOut(Schema):
    id: int
    code: str
    label: str
    label_zh_hans: str
    label_zh_hant: str
    label_en: str
    keywords: list[str]
    category: str
    position: int
    active: bool


# --- helpers -----------------------------------------------------------------------------------


def _survey(request: HttpRequest, pk: int) -> Survey:
    user = current_user(request)
    survey = selectors.get_survey(user, pk)
    if survey is None or not selectors.estate_ids_in(user, survey):
        raise not_found()
    return survey


def _time(value: datetime | None) -> datetime | None:
    return value.astimezone(company_zone()) if value is not None else None


def suggestion_out(s: Suggestion) -> dict[str, Any]:
    action = getattr(s, "improvement_action", None)
    return {
        "id": s.pk,
        "number": s.number,
        "title": s.title,
        "text": s.text,
        "category": s.category,
        "estate": s.estate_id,
        "status": s.status,
        "written_by": s.written_by_name,
        "written_at": _time(s.written_at),
        "submitted_at": _time(s.submitted_at),
        "decided_at": _time(s.decided_at),
        "decided_by": s.decided_by_name,
        "decision_reason": s.decision_reason,
        "owner": s.owner_id,
        "due_date": s.due_date,
        "department": s.department_id,
        "action": action.pk if action is not None else None,
        "version": s.edit_version,
    }


def _analysis(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    user = current_user(request)
    estate_ids = selectors.estate_ids_in(user, survey)
    found = results.survey_results(survey, estate_ids=estate_ids).results
    names = {row.estate_id: row.estate.name for row in selectors.survey_estates(survey, estate_ids)}
    order = list(Category.values)
    scope = None if selectors.sees_whole_survey(user) else estate_ids
    record = services.analysis_of(survey)
    suggestions = suggestions_for(user).filter(survey=survey).select_related("improvement_action")
    return {
        "survey": survey.pk,
        "number": survey.number,
        "overall": figures(found.overall),
        "categories": [
            {"category": code, "label": category_label(code), **figures(fig)}
            for code, fig in sorted(
                found.by_category.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)
            )
        ],
        "estates": [
            {"estate": pk, "name": name, **figures(found.by_estate[pk])}
            for pk, name in names.items()
            if pk in found.by_estate
        ],
        "pareto": [
            {
                "code": bar.code,
                "label": bar.label,
                "count": bar.count,
                "cumulative_share": round(bar.cumulative_share * 100, 1),
                "vital": bar.vital,
                "reasons": bar.reasons,
            }
            for bar in analysis.reason_pareto(survey, scope)
        ],
        "summary": record.summary,
        "problem": record.problem,
        "fishbone": record.fishbone,
        "version": record.edit_version,
        "suggestions": [suggestion_out(s) for s in suggestions.order_by("pk")],
    }


def _suggestion(request: HttpRequest, pk: int) -> Suggestion:
    found = suggestions_for(current_user(request)).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def _reload(pk: int) -> dict[str, Any]:
    return suggestion_out(Suggestion.objects.select_related("improvement_action").get(pk=pk))


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/surveys/{int:survey_id}/analysis", response=responses(200, AnalysisOut, *READ_ERRORS, 404))
def get_analysis(request: HttpRequest, survey_id: Id) -> Any:
    """Results by category and estate against the targets, the Pareto of coded dissatisfaction
    reasons ("other" last, each with the reasons' own words), the fishbone and the suggestions."""
    return _analysis(request, _survey(request, survey_id))


@router.put("/surveys/{int:survey_id}/analysis", response=responses(200, AnalysisOut, *WRITE_ERRORS, 404))
def put_analysis(request: HttpRequest, survey_id: Id, payload: AnalysisIn) -> Any:
    """The summary, the problem and its fishbone (deputy GM, customer-service supervisor, GM).
    Send the `version` you read (0 for a first analysis): a newer one is 409 `stale_edit`."""
    survey = _survey(request, survey_id)
    with service_errors(["summary", "problem", "fishbone"]):
        services.save_analysis(
            actor=current_user(request),
            survey=survey.pk,
            summary=payload.summary,
            problem=payload.problem,
            fishbone={bone.value: causes for bone, causes in payload.fishbone.items()},
            based_on=payload.version,
        )
    return _analysis(request, survey)


@router.post(
    "/surveys/{int:survey_id}/suggestions", response=responses(201, SuggestionOut, *WRITE_ERRORS, 404)
)
def write_suggestion(request: HttpRequest, survey_id: Id, payload: SuggestionIn) -> Any:
    """A draft improvement suggestion (deputy GM, customer-service supervisor, GM); its number is SG-…"""
    survey = _survey(request, survey_id)
    estate = None
    if payload.estate is not None:
        estate = Estate.objects.filter(pk=payload.estate).first()
        if estate is None:
            raise invalid("estate", _("Choose one of the survey's estates."))
    with service_errors(["title", "text", "category", "estate"]):
        made = services.write_suggestion(
            actor=current_user(request),
            survey=survey.pk,
            title=payload.title,
            text=payload.text,
            category=payload.category.value if payload.category else "",
            estate=estate,
        )
    return Status(201, _reload(made.pk))


@router.post(
    "/suggestions/{int:suggestion_id}/submit", response=responses(200, SuggestionOut, *WRITE_ERRORS, 404)
)
def submit_suggestion(request: HttpRequest, suggestion_id: Id) -> Any:
    """To the GM for a decision (deputy GM or GM); the GM is told in the app."""
    suggestion = _suggestion(request, suggestion_id)
    with service_errors():
        services.submit_suggestion(actor=current_user(request), suggestion=suggestion.pk)
    return _reload(suggestion.pk)


@router.post(
    "/suggestions/{int:suggestion_id}/accept", response=responses(200, SuggestionOut, *WRITE_ERRORS, 404)
)
def accept_suggestion(request: HttpRequest, suggestion_id: Id, payload: AcceptIn) -> Any:
    """The GM accepts: owner, due date (not in the past) and responsible department; a corrective
    action opens with the owner's step (`action`)."""
    suggestion = _suggestion(request, suggestion_id)
    with service_errors(["owner", "due_date", "department"]):
        services.accept_suggestion(
            actor=current_user(request),
            suggestion=suggestion.pk,
            owner=Staff.objects.filter(pk=payload.owner).first(),
            due_date=payload.due_date,
            department=Department.objects.filter(pk=payload.department).first(),
        )
    return _reload(suggestion.pk)


@router.post(
    "/suggestions/{int:suggestion_id}/decline", response=responses(200, SuggestionOut, *WRITE_ERRORS, 404)
)
def decline_suggestion(request: HttpRequest, suggestion_id: Id, payload: DeclineIn) -> Any:
    """The GM declines with a reason; no action is opened."""
    suggestion = _suggestion(request, suggestion_id)
    with service_errors(["reason"]):
        services.decline_suggestion(
            actor=current_user(request), suggestion=suggestion.pk, reason=payload.reason
        )
    return _reload(suggestion.pk)


@router.get("/reason-codes", response=responses(200, list[ReasonCodeOut], *READ_ERRORS))
def list_reason_codes(request: HttpRequest) -> Any:
    """The reason codes that group dissatisfaction reasons, in their order (the administrator
    keeps them on the pages)."""
    return [
        {
            "id": c.pk,
            "code": c.code,
            "label": c.label(),
            "label_zh_hans": c.label_zh_hans,
            "label_zh_hant": c.label_zh_hant,
            "label_en": c.label_en,
            "keywords": c.keywords.splitlines(),
            "category": c.category,
            "position": c.position,
            "active": c.active,
        }
        for c in ReasonCode.objects.order_by("position", "code")
    ]
