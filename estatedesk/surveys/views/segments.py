"""A survey's customer segments (SPEC S-10, A-1, A-3): the page and its workbook. The figures
come from ``segment_data.survey_segments`` over the estates the user may see; a survey the
user may not see is 404. A group with fewer than 5 valid answers shows its n and "too small
to tell", never a rate.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import xlsx
from estatedesk.core.exportlog import record_export
from estatedesk.core.web import company_time
from estatedesk.surveys import segment_data, selectors, wording
from estatedesk.surveys.figures import one_decimal
from estatedesk.surveys.models import Survey, SurveyStatus
from estatedesk.surveys.segments import BUILDING, COMPLAINED, CUSTOMER_TYPE, MIN_GROUP, Segment, Segments

EXPORT_NAME = "survey-segments"


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey = selectors.get_survey(request.user, pk)
    if survey is None:
        raise Http404
    return survey


def _titles() -> dict[str, str]:
    return {
        CUSTOMER_TYPE: _("By customer type"),
        BUILDING: _("By building"),
        COMPLAINED: _("By whether the customer complained in the period"),
    }


@dataclass(frozen=True)
class Table:
    kind: str
    title: str
    rows: list[Segment]


def tables(found: Segments) -> list[Table]:
    titles = _titles()
    return [Table(kind, titles[kind], list(found.of(kind))) for kind in (CUSTOMER_TYPE, BUILDING, COMPLAINED)]


def rate_text(segment: Segment) -> str:
    return wording.percent_text(segment.rate)


def interval_text(segment: Segment) -> str:
    bounds = segment.interval
    if bounds is None:
        return wording.DASH
    return f"{wording.percent_text(bounds[0])}–{wording.percent_text(bounds[1])}"


def _segments(request: HttpRequest, survey: Survey) -> Segments:
    return segment_data.survey_segments(survey, selectors.estate_ids_in(request.user, survey))


@require_GET
@company_time
def segments(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    found = _segments(request, survey)
    context: dict[str, Any] = {
        "survey": survey,
        "tables": [
            {
                "kind": t.kind,
                "title": t.title,
                "rows": [{"s": s, "rate": rate_text(s), "interval": interval_text(s)} for s in t.rows],
            }
            for t in tables(found)
        ],
        "min_group": MIN_GROUP,
        "provisional": survey.status == SurveyStatus.OPEN,
        "whole_survey": selectors.sees_whole_survey(request.user),
    }
    response = render(request, "surveys/segments.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def workbook(found: Segments) -> bytes:
    buffer = io.BytesIO()
    book = xlsx.new_workbook(buffer)
    head = book.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True, "valign": "top"})
    headers = [
        _("Group"),
        _("Valid answers"),
        _("Satisfied answers"),
        _("Satisfaction rate, raw (%)"),
        _("95% interval, low (%)"),
        _("95% interval, high (%)"),
        _("Too small to tell"),
    ]
    taken: list[str] = []
    for table in tables(found):
        name = xlsx.sheet_name(table.title, taken)
        taken.append(name)
        sheet = book.add_worksheet(name)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, head)
            sheet.set_column(col, col, 16 if col else 30)
        for r, s in enumerate(table.rows, start=1):
            bounds = s.interval
            cells = [
                s.label,
                s.valid,
                None if s.too_small else s.satisfied,
                one_decimal(s.rate),
                one_decimal(bounds[0]) if bounds else None,
                one_decimal(bounds[1]) if bounds else None,
                _("Yes") if s.too_small else _("No"),
            ]
            for c, value in enumerate(cells):
                xlsx.write_value(sheet, r, c, value)
        xlsx.filter_table(sheet, 0, len(table.rows), len(headers))
    book.close()
    return buffer.getvalue()


@require_GET
@company_time
def segments_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    response = xlsx.xlsx_response(workbook(_segments(request, survey)), f"survey-segments-{survey.number}")
    record_export(request, list_name=EXPORT_NAME, filters={"id": survey.pk, "format": "xlsx"}, row_count=None)
    patch_cache_control(response, private=True, no_cache=True)
    return response
