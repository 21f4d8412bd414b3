"""The list of surveys and the page that prepares one (SPEC S-7).

The list reads through ``selectors.surveys_for`` (scope, P-1); staff outside the survey's team
see the figures of their own estates only. Its counts are subqueries, so the list's queries do
not grow with its rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.errors import ServiceError
from estatedesk.core.web import company_time, put_error
from estatedesk.surveys import selectors, services, workflow
from estatedesk.surveys.forms import SurveyCreateForm
from estatedesk.surveys.models import Household, Survey, SurveyEstate, SurveyKind

PAGE_SIZE = 50


def may_prepare(user: Actor) -> bool:
    return policy.role_of(user) in workflow.PREPARER_ROLES


def _counted(queryset: QuerySet[Any]) -> Coalesce:
    """The number of ``queryset``'s rows of each survey, as a subquery of the survey list."""
    counts = queryset.filter(survey=OuterRef("pk")).order_by().values("survey").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), Value(0))


def survey_rows(user: Actor) -> QuerySet[Survey]:
    """The user's surveys with their figures: estates, sample, returned (in the user's estates
    unless the user runs surveys)."""
    estates = SurveyEstate.objects.all()
    households = Household.objects.all()
    if not selectors.sees_whole_survey(user):
        mine = policy.estate_ids(user) or frozenset()
        estates = estates.filter(estate__in=mine)
        households = households.filter(estate__in=mine)
    return (
        selectors.surveys_for(user)
        .select_related("version__questionnaire")
        .annotate(
            estate_count=_counted(estates),
            distributed=_counted(households),
            returned=_counted(households.filter(answered_at__isnull=False)),
        )
        .order_by("-year", "-created_at", "-pk")
    )


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@require_GET
@company_time
def survey_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(survey_rows(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for survey in page.object_list:
        survey.return_rate = rate(survey.returned, survey.distributed)  # type: ignore[attr-defined]
    return render(
        request,
        "surveys/pages/list.html",
        {"page": page, "querystring": "", "can_prepare": may_prepare(request.user)},
    )


def _form_page(request: HttpRequest, form: SurveyCreateForm, status: int = 200) -> HttpResponse:
    labels = {t.name: t.label for t in workflow.SURVEY.transitions}
    return render(request, "surveys/pages/create.html", {"form": form, "labels": labels}, status=status)


# Written out rather than a core.web FormStep: it makes a new record (no record to load first).
@company_time
def create(request: HttpRequest) -> HttpResponse:
    if not may_prepare(request.user):
        return render(
            request,
            "surveys/pages/not_allowed.html",
            {"message": _("The customer-service supervisor and the leadership prepare surveys.")},
            status=403,
        )
    if request.method != "POST":
        return _form_page(
            request, SurveyCreateForm(initial=SurveyCreateForm.initial_values(), user=request.user)
        )
    form = SurveyCreateForm(request.POST, user=request.user)
    if not form.is_valid():
        return _form_page(request, form, 422)
    data = form.cleaned_data
    special = data["kind"] == SurveyKind.SPECIAL
    try:
        survey = services.create_survey(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            estate_ids=[e.pk for e in data["estates"]],
            share=data["share"],
            version=data["template"],
            office_version=data["office_template"],
            closes_on=data["closes_on"],
            improvements=data["improvements"] or "",
            building_ids=[b.pk for b in data["buildings"]] if special else (),
        )
    except ServiceError as error:
        put_error(form, error)
        return _form_page(request, form, error.status)
    messages.success(
        request,
        _("Survey %(number)s prepared. Draw its sample when it is ready.") % {"number": survey.number},
    )
    return redirect("surveys:detail", survey.pk)
