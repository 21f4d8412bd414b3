"""A survey's customer segments over the API (SPEC S-10, A-2), with the results page's
permissions: a survey the user may not see is 404; of a survey covering several estates, the
segments count only the answers of the user's estates.

A group with fewer than 5 valid answers is ``too_small``: its rate and interval are null and
only ``valid`` (its n) is given.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from estatedesk.core.api import READ_ERRORS, Id, current_user, responses
from estatedesk.surveys import segment_data, selectors
from estatedesk.surveys.api.output import not_found
from estatedesk.surveys.figures import one_decimal
from estatedesk.surveys.segments import KINDS, MIN_GROUP, Segment, Segments

router = Router(tags=["surveys"])


class SegmentOut(Schema):
    value: str = Field(description="Customer type code, building id, or yes / no (complained).")
    label: str
    valid: int = Field(description="Valid answers in the group (its n).")
    satisfied: int | None = Field(description="Null when the group is too small to tell.")
    too_small: bool = Field(description=f"Fewer than {MIN_GROUP} valid answers: no rate is given.")
    satisfaction_rate: float | None = Field(description="Raw rate, percent, one decimal.")
    ci_low: float | None = Field(description="95 % Wilson interval, percent.")
    ci_high: float | None
    below_target: bool


class SegmentsOut(Schema):
    survey: int
    number: str
    min_group: int
    customer_type: list[SegmentOut]
    building: list[SegmentOut]
    complained: list[SegmentOut]


def segment_row(segment: Segment) -> dict[str, Any]:
    interval = segment.interval
    return {
        "value": segment.value,
        "label": segment.label,
        "valid": segment.valid,
        "satisfied": None if segment.too_small else segment.satisfied,
        "too_small": segment.too_small,
        "satisfaction_rate": one_decimal(segment.rate),
        "ci_low": one_decimal(interval[0]) if interval else None,
        "ci_high": one_decimal(interval[1]) if interval else None,
        "below_target": segment.below_target,
    }


def segments_out(found: Segments) -> dict[str, Any]:
    return {kind: [segment_row(s) for s in found.of(kind)] for kind in KINDS}


@router.get("/surveys/{int:survey_id}/segments", response=responses(200, SegmentsOut, *READ_ERRORS, 404))
def survey_segments(request: HttpRequest, survey_id: Id) -> Any:
    """The survey's satisfaction by customer type, building, and whether the customer
    complained in the period (S-10), over the estates you may see."""
    user = current_user(request)
    survey = selectors.get_survey(user, survey_id)
    if survey is None:
        raise not_found()
    found = segment_data.survey_segments(survey, selectors.estate_ids_in(user, survey))
    return {"survey": survey.pk, "number": survey.number, "min_group": MIN_GROUP, **segments_out(found)}
