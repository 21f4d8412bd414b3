"""Satisfaction surveys over the API (SPEC A-2, S-2, S-3, S-7, S-8, W-1).

Same permissions as the pages: reads come from ``selectors`` (a survey covering none of the
user's estates is a 404, like a missing one; of a survey covering several, the user sees only
their estates' households and figures), every write is one call of one service, whose
refusals become the API's error format (``output.service_errors``). A questionnaire is stored
whole or not at all, and every problem with it is answered at once, each at its question
(``["body", "answers", "12"]``).

The resident's own answer (``POST /surveys/answer``) is public: the personal token travels
in the body, never in the URL (which ends up in logs), and the address is rate-limited like
the portal.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from estatedesk.core import ratelimit
from estatedesk.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    Id,
    Paging,
    current_user,
    error_response,
    invalid,
    paginate,
    responses,
)
from estatedesk.core.clientaddr import client_ip
from estatedesk.core.clock import company_zone
from estatedesk.core.workflow import require
from estatedesk.surveys import responses as answers
from estatedesk.surveys import results, selectors, services
from estatedesk.surveys.api.output import (
    answer_inputs,
    category_label,
    figures,
    household_row,
    not_found,
    raw_body,
    sample_figures,
    service_errors,
    survey_detail,
    survey_item,
)
from estatedesk.surveys.api.schemas import (
    CancelIn,
    DrawIn,
    HouseholdPage,
    OnlineIn,
    PaperIn,
    RemindedOut,
    ResponseOut,
    ResultsOut,
    SampleFilters,
    SampleOut,
    SurveyFilters,
    SurveyIn,
    SurveyOut,
    SurveyPage,
    SurveyPatch,
    ThanksOut,
)
from estatedesk.surveys.models import Category, QuestionnaireVersion, Survey
from estatedesk.surveys.workflow import SURVEY

router = Router(tags=["surveys"])

STEP_RESPONSES = responses(200, SurveyOut, *WRITE_ERRORS, 404)
# The public answer: no authentication, but a rate limit (429).
PUBLIC_ERRORS = (400, 404, 409, 413, 422, 429)


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey = selectors.get_survey(current_user(request), pk)
    if survey is None:
        raise not_found()
    return survey


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return survey_detail(_survey(request, pk), current_user(request))


# --- The resident's answer (registered first: "/surveys/answer" is no survey id) -------------


def _limited(request: HttpRequest) -> HttpResponse | None:
    """The portal's limit of posts per client address (``PORTAL_RATE_WRITE_IP``): 429 beyond it."""
    wait = ratelimit.hit("survey-answer-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_WRITE_IP"))
    if wait is None:
        return None
    detail = _(
        "Too many requests from your network just now. Please wait about %(minutes)d minute(s) and try again."
    ) % {"minutes": max(1, (wait + 59) // 60)}
    response = error_response(429, "too_many", detail)
    response["Retry-After"] = str(wait)
    return response


@router.post("/surveys/answer", auth=None, response=responses(201, ThanksOut, *PUBLIC_ERRORS))
def answer_online(request: HttpRequest, payload: OnlineIn) -> Any:
    """The resident's answer (W-1), public: the household's personal token in the body (never
    in the URL). One answer per household (409); after the survey closes, refused (422)."""
    limited = _limited(request)
    if limited is not None:
        return limited
    given = answer_inputs(payload, raw_body(request))
    household = selectors.household_by_token(payload.token)
    if household is None or (payload.survey is not None and household.survey_id != payload.survey):
        raise invalid(
            "token", _("This survey link is not valid. Please use the link or QR code you were given.")
        )
    with service_errors(["token", "answers", "reasons", "texts"], conflict_at="token"):
        response = answers.answer_online(token=payload.token, answers=given, language=get_language() or "")
    return Status(
        201,
        {
            "detail": _("Thank you: your answers have been received."),
            "submitted_at": response.submitted_at.astimezone(company_zone()),
        },
    )


# --- Reading -----------------------------------------------------------------------------------


@router.get("/surveys", response=responses(200, SurveyPage, *READ_ERRORS))
def list_surveys(request: HttpRequest, filters: Query[SurveyFilters], paging: Query[Paging]) -> Any:
    """The surveys covering your estates (all of them for the survey's team), newest first."""
    user = current_user(request)
    queryset = selectors.surveys_for(user).prefetch_related("estates__estate")
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    page = paginate(queryset, paging)
    page["items"] = [survey_item(s, user) for s in page["items"]]
    return page


@router.get("/surveys/{int:survey_id}", response=responses(200, SurveyOut, *READ_ERRORS, 404))
def get_survey(request: HttpRequest, survey_id: Id) -> Any:
    """The survey, its estates and, once drawn, the sample's figures."""
    return _detail(request, survey_id)


# --- Preparing and running ---------------------------------------------------------------------


def _version(pk: int | None, field: str) -> QuestionnaireVersion | None:
    if pk is None:
        return None
    version = QuestionnaireVersion.objects.filter(pk=pk, questionnaire__active=True).first()
    if version is None:
        raise invalid(field, _("There is no such questionnaire."))
    return version


@router.post("/surveys", response=responses(201, SurveyOut, *WRITE_ERRORS))
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    """Prepare a survey (S-7): the annual one, or a special-purpose one for chosen estates,
    buildings or households. The customer-service supervisor, the deputy GM or the GM."""
    user = current_user(request)
    fields = [*type(payload).model_fields]
    with service_errors(fields):
        require(user, SURVEY.get("create"))
        survey = services.create_survey(
            actor=user,
            kind=payload.kind,
            title=payload.title,
            estate_ids=payload.estates,
            share=payload.share,
            version=_version(payload.template, "template"),
            office_version=_version(payload.office_template, "office_template"),
            closes_on=payload.closes_on,
            improvements=payload.improvements,
            building_ids=payload.buildings,
            unit_ids=payload.units,
        )
    return Status(201, _detail(request, survey.pk))


@router.post("/surveys/{int:survey_id}/draw", response=responses(200, SampleOut, *WRITE_ERRORS, 404))
def draw_sample(request: HttpRequest, survey_id: Id, payload: DrawIn) -> Any:
    """Draw the sample, once (S-7): per estate the share of its occupied households rounded
    up, every key household, the rest at random. The same seed over the same frame gives the
    same sample. A survey already drawn: 409."""
    user = current_user(request)
    survey = _survey(request, survey_id)
    with service_errors(["seed"]):
        require(user, SURVEY.get("draw"))
        if survey.drawn_at is not None:
            raise ApiError(
                409,
                "conflict",
                _("The sample of %(number)s was drawn on %(day)s; a survey's sample is drawn once.")
                % {
                    "number": survey.number,
                    "day": survey.drawn_at.astimezone(company_zone()).date().isoformat(),
                },
            )
        survey = services.draw_sample(actor=user, survey=survey.pk, seed=payload.seed)
    return sample_figures(survey, user)


@router.patch("/surveys/{int:survey_id}", response=STEP_RESPONSES)
def update_survey(request: HttpRequest, survey_id: Id, payload: SurveyPatch) -> Any:
    """Edit the title, the improvements text, the closing day, the reminder rules, and before
    the draw the share. Send the `version` you read: someone else's edit since is 409 `stale_edit`."""
    user = current_user(request)
    survey = _survey(request, survey_id)
    with service_errors([*type(payload).model_fields]):
        services.update_survey(
            actor=user,
            survey=survey.pk,
            based_on=payload.version,
            title=payload.title,
            improvements=payload.improvements,
            closes_on=payload.closes_on,
            share=payload.share,
            reminder_gap_days=payload.reminder_gap_days,
            max_reminders=payload.max_reminders,
        )
    return _detail(request, survey_id)


@router.post("/surveys/{int:survey_id}/remind", response=responses(200, RemindedOut, *WRITE_ERRORS, 404))
def remind(request: HttpRequest, survey_id: Id) -> Any:
    """Remind by SMS the households that have not answered, no more often than the survey allows."""
    user = current_user(request)
    survey = _survey(request, survey_id)
    with service_errors():
        count = services.remind(actor=user, survey=survey.pk)
    return {"reminded": count}


def _step(request: HttpRequest, survey_id: Id, call: Any) -> Any:
    user = current_user(request)
    survey = _survey(request, survey_id)
    with service_errors(["reason"]):
        call(user, survey.pk)
    return _detail(request, survey_id)


@router.post("/surveys/{int:survey_id}/open", response=STEP_RESPONSES)
def open_survey(request: HttpRequest, survey_id: Id) -> Any:
    """Open the survey (the deputy GM's step): the links become valid, SMS go out."""
    return _step(request, survey_id, lambda user, pk: services.open_survey(actor=user, survey=pk))


@router.post("/surveys/{int:survey_id}/close", response=STEP_RESPONSES)
def close_survey(request: HttpRequest, survey_id: Id) -> Any:
    """Close the survey (the deputy GM's step): answers after this are refused."""
    return _step(request, survey_id, lambda user, pk: services.close_survey(actor=user, survey=pk))


@router.post("/surveys/{int:survey_id}/cancel", response=STEP_RESPONSES)
def cancel_survey(request: HttpRequest, survey_id: Id, payload: CancelIn) -> Any:
    """Cancel a survey not yet open (the deputy GM's step)."""
    return _step(
        request,
        survey_id,
        lambda user, pk: services.cancel_survey(actor=user, survey=pk, reason=payload.reason),
    )


# --- The sample --------------------------------------------------------------------------------


@router.get("/surveys/{int:survey_id}/sample", response=responses(200, HouseholdPage, *READ_ERRORS, 404))
def list_sample(
    request: HttpRequest, survey_id: Id, filters: Query[SampleFilters], paging: Query[Paging]
) -> Any:
    """The sampled households of your estates, by estate, building and unit."""
    user = current_user(request)
    survey = _survey(request, survey_id)
    queryset = selectors.households_for(user, survey).select_related("unit__building", "response")
    if filters.estate is not None:
        queryset = queryset.filter(estate_id=filters.estate)
    if filters.building is not None:
        queryset = queryset.filter(building_id=filters.building)
    if filters.answered is not None:
        queryset = queryset.filter(answered_at__isnull=not filters.answered)
    if filters.second_stage is not None:
        queryset = queryset.filter(second_stage=filters.second_stage)
    page = paginate(queryset, paging)
    page["items"] = [household_row(h) for h in page["items"]]
    return page


# --- Answers -----------------------------------------------------------------------------------


@router.post("/surveys/{int:survey_id}/responses", response=responses(201, ResponseOut, *WRITE_ERRORS, 404))
def enter_paper(request: HttpRequest, survey_id: Id, payload: PaperIn) -> Any:
    """Enter a returned paper questionnaire (S-8), marked as paper. Stored whole or not at
    all: every problem is answered at once, at its question; one answer per household (409)."""
    user = current_user(request)
    survey = _survey(request, survey_id)
    given = answer_inputs(payload, raw_body(request))
    with service_errors(["unit", "answers", "reasons", "texts"], conflict_at="unit"):
        response = answers.enter_paper(
            actor=user, survey=survey.pk, unit_id=payload.unit, answers=given, language=get_language() or ""
        )
    household = response.household
    return Status(
        201,
        {
            "survey": survey.pk,
            "unit": household.unit_id,
            "label": household.unit.label,
            "channel": response.channel,
            "submitted_at": response.submitted_at.astimezone(company_zone()),
            "answers": response.answers.count(),
        },
    )


# --- Results -----------------------------------------------------------------------------------


@router.get("/surveys/{int:survey_id}/results", response=responses(200, ResultsOut, *READ_ERRORS, 404))
def survey_results(request: HttpRequest, survey_id: Id) -> Any:
    """The figures (S-2, S-3): overall, per category, estate and question, each with its
    sample size, 95 % Wilson interval, the return-rate rule applied (raw, shortfall, penalty,
    adjusted, and why in words) and whether it is below target. Rates in percent, one decimal.
    The estates are yours; the company-wide figures are the whole survey's."""
    user = current_user(request)
    survey = _survey(request, survey_id)
    estate_ids = selectors.estate_ids_in(user, survey)
    found = results.survey_results(survey, estate_ids=estate_ids).results
    names = {row.estate_id: row.estate.name for row in selectors.survey_estates(survey, estate_ids)}
    order = list(Category.values)
    out = figures(found.overall)
    out.update(
        {
            "survey": survey.pk,
            "number": survey.number,
            "categories": [
                {"category": code, "label": category_label(code), **figures(fig)}
                for code, fig in sorted(
                    found.by_category.items(),
                    key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order),
                )
            ],
            "estates": [
                {"estate": pk, "name": name, **figures(found.by_estate[pk])}
                for pk, name in names.items()
                if pk in found.by_estate
            ],
            "questions": _questions(survey, found.by_question),
        }
    )
    return out


def _questions(survey: Survey, by_question: dict[int, Any]) -> list[dict[str, Any]]:
    versions = [v for v in (survey.version, survey.office_version) if v is not None]
    out = []
    for version in dict.fromkeys(versions):
        for number, question in enumerate(version.questions.order_by("position", "pk"), start=1):
            fig = by_question.get(question.pk)
            if fig is None:
                continue
            out.append(
                {
                    "question": question.pk,
                    "number": number,
                    "text": question.text(),
                    "category": question.category,
                    "template": version.pk,
                    **figures(fig),
                }
            )
    return out
