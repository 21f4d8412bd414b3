"""The drawn sample of a survey (SPEC S-7, S-8, P-1): the households of the user's estates,
filtered by estate, building, answered or not, key or not; and the same list in Excel.

Customers' names are masked for those who may not see them (auditors, ``policy``); the
personal link's token never appears here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.core.actors import Actor
from estatedesk.core.paging import IdsFirstPaginator
from estatedesk.core.params import Params
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.org.models import Building
from estatedesk.surveys import selectors
from estatedesk.surveys.models import Household, KeyReason, ResponseChannel, Survey
from estatedesk.surveys.views.common import shown_name, survey_or_404

PAGE_SIZE = 50
EXPORT_MAX = 50_000
YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
FILTER_LABELS = {
    "estate": gettext_lazy("estate"),
    "building": gettext_lazy("building"),
    "answered": gettext_lazy("answered"),
    "key": gettext_lazy("key household"),
}


@dataclass
class SampleFilters:
    values: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    choices: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)

    def fields(self) -> list[tuple[str, Any, list[tuple[str, Any]], str]]:
        return [(key, FILTER_LABELS[key], ch, self.values.get(key, "")) for key, ch in self.choices.items()]


def filter_households(request: HttpRequest, survey: Survey) -> tuple[QuerySet[Household], SampleFilters]:
    """The page's and the export's rows: the same filters, the same scope."""
    user: Actor = request.user
    estates = selectors.survey_estates(survey, selectors.estate_ids_in(user, survey))
    buildings = Building.objects.filter(estate__in=[e.estate_id for e in estates]).order_by(
        "estate__code", "name"
    )
    filters = SampleFilters(
        choices={
            "estate": [(str(e.estate_id), e.estate.name) for e in estates],
            "building": [
                (str(b.pk), f"{b.estate.name} · {b.name}" if len(estates) > 1 else b.name)
                for b in buildings.select_related("estate")
            ],
            "answered": YES_NO,
            "key": YES_NO,
        }
    )
    params = Params(request.GET)
    households = selectors.households_for(user, survey).select_related(
        "estate", "building", "unit", "customer", "response"
    )
    for key, choices in filters.choices.items():
        value = params.choice(key, (v for v, _label in choices), FILTER_LABELS[key])
        if not value:
            continue
        filters.values[key] = value
        if key == "estate":
            households = households.filter(estate_id=value)
        elif key == "building":
            households = households.filter(building_id=value)
        elif key == "answered":
            households = households.filter(answered_at__isnull=value == "no")
        else:
            households = households.filter(second_stage=value == "yes")
    filters.notes = params.notes
    return households.order_by("estate__code", "building__name", "unit__floor", "unit__number", "pk"), filters


def reasons_text(household: Household) -> str:
    labels = dict(KeyReason.choices)
    return "、".join(str(labels.get(r, r)) for r in household.reasons or [])


def channel_of(household: Household) -> str:
    response = getattr(household, "response", None) if household.answered_at else None
    return response.get_channel_display() if response is not None else ""


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@company_time
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_or_404(request.user, pk)
    households, filters = filter_households(request, survey)
    page = IdsFirstPaginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    for h in page.object_list:
        h.shown_name = shown_name(request.user, h.customer.name if h.customer else "")  # type: ignore[attr-defined]
        h.reasons_text = reasons_text(h)  # type: ignore[attr-defined]
        h.channel = channel_of(h)  # type: ignore[attr-defined]
        h.paper = h.channel and h.response.channel == ResponseChannel.PAPER  # type: ignore[attr-defined]
    return render(
        request,
        "surveys/pages/sample.html",
        {
            "survey": survey,
            "page": page,
            "filters": filters,
            "filter_fields": filters.fields(),
            "querystring": _querystring(request),
        },
    )


EXPORT_HEADERS = [
    gettext_lazy("Estate"),
    gettext_lazy("Building"),
    gettext_lazy("Unit"),
    gettext_lazy("Customer"),
    gettext_lazy("Key household"),
    gettext_lazy("Why a key household"),
    gettext_lazy("Link sent by SMS"),
    gettext_lazy("Reminders sent"),
    gettext_lazy("Answered"),
    gettext_lazy("Answered at"),
]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(
    user: Actor, households: QuerySet[Household], limit: int = EXPORT_MAX
) -> Iterator[Sequence[Any]]:
    for index, h in enumerate(households[: limit + 1].iterator(chunk_size=1000)):
        if index == limit:
            yield NoteRow(
                [_("Only the first %(limit)s rows are exported; narrow the filters.") % {"limit": limit}]
            )
            return
        yield [
            h.estate.name,
            h.building.name,
            h.unit.number,
            shown_name(user, h.customer.name if h.customer else ""),
            _("Yes") if h.second_stage else "",
            reasons_text(h),
            _local(h.sms_sent_at),
            h.reminders_sent,
            channel_of(h),
            _local(h.answered_at),
        ]


@require_GET
@company_time
def sample_export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_or_404(request.user, pk)
    households, _filters = filter_households(request, survey)
    return workbook_response(
        request,
        f"survey-{survey.number}-sample",
        EXPORT_HEADERS,
        export_rows(request.user, households),
        sheet=_("Sampled households"),
    )
