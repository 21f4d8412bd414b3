"""Half-year statistics over the API (SPEC A-2, S-5, I-1), with the permissions of the pages:
reads come from ``review_selectors.half_years_for`` (another estate's statistics are 404),
every write is one call of ``services.half_year``. The figures are those kept on the record
(one decimal, like every rate of the API); each line lists the numbers of the corrective /
preventive actions opened from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from estatedesk.core.api import (
    READ_ERRORS,
    VERSION_DESCRIPTION,
    WRITE_ERRORS,
    BodyId,
    Id,
    Input,
    JsonInt,
    Paging,
    current_user,
    paginate,
    responses,
    text,
)
from estatedesk.core.clock import company_zone
from estatedesk.core.params import MAX_ID
from estatedesk.core.versioning import MAX_VERSION
from estatedesk.surveys.api.output import not_found, service_errors
from estatedesk.surveys.models import HalfYearStatistics
from estatedesk.surveys.review_selectors import half_years_for
from estatedesk.surveys.services import half_year as services

router = Router(tags=["half-year statistics"])


class HalfYearFilters(Schema):
    office: int | None = Field(None, ge=1, le=MAX_ID, description="A management office (department id).")
    year: int | None = Field(None, ge=2000, le=2100)
    half: int | None = Field(None, ge=1, le=2, description="1: January–June; 2: July–December.")


class Ref(Schema):
    id: int
    name: str


class HalfYearItem(Schema):
    id: int
    office: Ref
    estate: Ref
    year: int
    half: int
    computed_at: datetime | None
    signed_at: datetime | None
    signed_by: str


class HalfYearPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HalfYearItem]


class LineOut(Schema):
    id: int
    kind: str = Field(description="below_target or issue.")
    category: str
    reason_code: str
    summary: str = Field(description="As written when computed, in the company's language.")
    households: int
    actions: list[str] = Field(description="Numbers of the actions opened from this line.")


class HalfYearOut(HalfYearItem):
    version: int
    conclusions: str
    figures: dict[str, Any] = Field(
        description="rows (per category: target, consultation and survey figures with n, rate, "
        "low, high, adjusted, below), issues (per reason code: households, share, listed), "
        "consultations, survey, heard, issue_threshold."
    )
    lines: list[LineOut]


class ComputeIn(Input):
    office: BodyId = Field(description="The management office (department id).")
    year: Annotated[JsonInt, Field(ge=2000, le=2100)]
    half: Annotated[JsonInt, Field(ge=1, le=2)]


class ConclusionsIn(Input):
    conclusions: Annotated[str, text(8000)]
    version: Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]


def _time(value: datetime | None) -> datetime | None:
    return value.astimezone(company_zone()) if value is not None else None


def _item(s: HalfYearStatistics) -> dict[str, Any]:
    return {
        "id": s.pk,
        "office": {"id": s.office_id, "name": s.office.name},
        "estate": {"id": s.estate_id, "name": s.estate.name},
        "year": s.year,
        "half": s.half,
        "computed_at": _time(s.computed_at),
        "signed_at": _time(s.signed_at),
        "signed_by": s.signed_by_name,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    s = half_years_for(current_user(request)).select_related("office", "estate").filter(pk=pk).first()
    if s is None:
        raise not_found()
    lines = [
        {
            "id": line.pk,
            "kind": line.kind,
            "category": line.category,
            "reason_code": line.reason_code,
            "summary": line.summary,
            "households": line.households,
            "actions": [a.number for a in line.improvement_actions.all()],
        }
        for line in s.lines.prefetch_related("improvement_actions")
    ]
    return {
        **_item(s),
        "version": s.edit_version,
        "conclusions": s.conclusions,
        "figures": s.figures or {},
        "lines": lines,
    }


@router.get("/half-year-statistics", response=responses(200, HalfYearPage, *READ_ERRORS))
def list_half_years(request: HttpRequest, filters: Query[HalfYearFilters], paging: Query[Paging]) -> Any:
    """The half-year statistics of your estates' offices (all for the survey's team), newest first."""
    queryset = half_years_for(current_user(request)).select_related("office", "estate")
    if filters.office is not None:
        queryset = queryset.filter(office=filters.office)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    if filters.half is not None:
        queryset = queryset.filter(half=filters.half)
    page = paginate(queryset.order_by("-year", "-half", "estate__code", "pk"), paging)
    page["items"] = [_item(s) for s in page["items"]]
    return page


@router.post("/half-year-statistics", response=responses(201, HalfYearOut, *WRITE_ERRORS))
def compute_half_year(request: HttpRequest, payload: ComputeIn) -> Any:
    """Compute an office's half year, or compute it again while it is not signed off (409
    once signed). Lines found again keep their id; a line with actions is never dropped."""
    with service_errors(["office", "year", "half"]):
        statistics = services.compute_half_year(
            actor=current_user(request), office=payload.office, year=payload.year, half=payload.half
        )
    return Status(201, _detail(request, statistics.pk))


@router.get(
    "/half-year-statistics/{int:statistics_id}", response=responses(200, HalfYearOut, *READ_ERRORS, 404)
)
def get_half_year(request: HttpRequest, statistics_id: Id) -> Any:
    """The figures by category, the issues, and the lines with the actions opened from them."""
    return _detail(request, statistics_id)


@router.post(
    "/half-year-statistics/{int:statistics_id}/conclusions",
    response=responses(200, HalfYearOut, *WRITE_ERRORS, 404),
)
def edit_conclusions(request: HttpRequest, statistics_id: Id, payload: ConclusionsIn) -> Any:
    """The director's conclusions, with the `version` they were written on (409 when stale)."""
    with service_errors(["conclusions"]):
        services.edit_conclusions(
            actor=current_user(request),
            statistics=statistics_id,
            text=payload.conclusions,
            based_on=payload.version,
        )
    return _detail(request, statistics_id)


@router.post(
    "/half-year-statistics/{int:statistics_id}/sign-off",
    response=responses(200, HalfYearOut, *WRITE_ERRORS, 404),
)
def sign_off(request: HttpRequest, statistics_id: Id) -> Any:
    """The office director (or the deputy GM or GM) signs off: the figures are kept as signed."""
    with service_errors():
        services.sign_off(actor=current_user(request), statistics=statistics_id)
    return _detail(request, statistics_id)
