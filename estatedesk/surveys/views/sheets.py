"""The QR slips of a survey's sample (SPEC S-8): per building, one slip per sampled household
with its unit, its personal link (as text and as a QR code) and a few words on what to do;
eight slips to an A4 page with cut lines, as an HTML print view and a PDF made from the same
template, in the language of the request.

The slips are the households' keys to the survey (whoever holds one answers for the household),
so every print is recorded in the export log, and only the households of the user's estates
are printed: another estate's building is "not found". There is nothing to print before the
draw (no households yet) nor after the survey closes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import pdf as printing
from estatedesk.core import policy, qr
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.params import MAX_ID
from estatedesk.org.models import Building
from estatedesk.surveys import selectors
from estatedesk.surveys.models import Household, Survey, SurveyStatus

log = logging.getLogger(__name__)

PRINTABLE = (SurveyStatus.DRAWN, SurveyStatus.OPEN)
SLIPS_PER_PAGE = 8
EXPORT_NAME = "survey-sheets"


def _survey(request: HttpRequest, pk: int) -> Survey:
    survey = selectors.get_survey(request.user, pk)
    if survey is None:
        raise Http404
    return survey


def _survey_page(survey: Survey) -> str:
    """The survey's own page when the pages family has one, else the survey list or home."""
    for name, args in (("surveys:detail", [survey.pk]), ("surveys:list", []), ("home", [])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"


@require_GET
def sheets(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a building of the sample (in the user's estates) to print its slips."""
    survey = _survey(request, pk)
    rows: list[Any] = []
    if survey.status in PRINTABLE:
        rows = list(
            selectors.households_for(request.user, survey)
            .values("building_id", "building__name", "estate__name", "estate__code")
            .annotate(households=Count("pk"), answered=Count("answered_at"))
            .order_by("estate__code", "building__name")
        )
    context = {
        "survey": survey,
        "rows": rows,
        "printable": survey.status in PRINTABLE,
        "drawn": survey.status != SurveyStatus.DRAFT,
        "back_url": _survey_page(survey),
    }
    response = render(request, "surveys/sheets.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _households(request: HttpRequest, survey: Survey, building_pk: int) -> tuple[Building, list[Household]]:
    if survey.status not in PRINTABLE or not 0 < building_pk <= MAX_ID:
        raise Http404
    households = list(
        selectors.households_for(request.user, survey)
        .filter(building_id=building_pk)
        .select_related("unit", "building", "estate")
    )
    if not households:  # another estate's building, or none of this sample
        raise Http404
    return households[0].building, households


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _context(
    request: HttpRequest, survey: Survey, building: Building, households: list[Household], *, pdf: bool
) -> dict[str, Any]:
    estate = building.estate
    slips = []
    for household in households:
        link = qr.absolute_url(request, "portal:survey", household.token)
        slips.append({"household": household, "link": link, "qr": qr.svg_data_uri(link)})
    pages = [chunk + [None] * (SLIPS_PER_PAGE - len(chunk)) for chunk in _chunks(slips, SLIPS_PER_PAGE)]
    staff = policy.staff_of(request.user)
    return {
        "survey": survey,
        "estate": estate,
        "building": building,
        "pages": [[page[i : i + 2] for i in range(0, SLIPS_PER_PAGE, 2)] for page in pages],
        "count": len(slips),
        "office_phone": estate.service_phone,
        "company": CompanySettings.load().name,
        "printed_at": company_now(),
        "printed_by": staff.display_name if staff else request.user.get_username(),
        "pdf": pdf,
        "back_url": reverse("surveys:sheets", args=[survey.pk]),
        "pdf_url": reverse("surveys:sheet_pdf", args=[survey.pk, building.pk]),
    }


def _record(request: HttpRequest, survey: Survey, building: Building, count: int, fmt: str) -> None:
    record_export(
        request,
        list_name=EXPORT_NAME,
        filters={"survey": survey.number, "building": str(building.pk), "format": fmt},
        row_count=count,
    )


@require_GET
def sheet_print(request: HttpRequest, pk: int, building_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    building, households = _households(request, survey, building_pk)
    with timezone.override(company_zone()):
        context = _context(request, survey, building, households, pdf=False)
        response = render(request, "surveys/sheet.html", context)
    _record(request, survey, building, len(households), "html")
    patch_cache_control(response, private=True, no_cache=True, no_store=True)
    return response


@require_GET
def sheet_pdf(request: HttpRequest, pk: int, building_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    building, households = _households(request, survey, building_pk)
    with timezone.override(company_zone()):
        context = _context(request, survey, building, households, pdf=True)
        if not printing.pdf_available():
            context["pdf"] = False
            return render(request, "surveys/sheet.html", context, status=503)
        html = render_to_string("surveys/sheet.html", context, request=request)
        footer = _("QR slips · %(title)s · %(place)s · printed %(time)s by %(person)s") % {
            "title": survey.title,
            "place": f"{building.estate.name} {building.name}",
            "time": context["printed_at"].strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        try:
            data = printing.render_for(request, html, footer=footer)
        except (printing.PdfUnavailable, OSError):
            log.exception("QR slips of survey %s failed", survey.number)
            context["pdf"] = False
            return render(request, "surveys/sheet.html", context, status=503)
    _record(request, survey, building, len(households), "pdf")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{survey.number}-{building.pk}.pdf"'
    patch_cache_control(response, private=True, no_cache=True, no_store=True)
    return response
