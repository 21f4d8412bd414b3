"""The QR slips of a questionnaire consultation (SPEC S-4, W-1): one slip per household of the
sample not answered yet, with its unit, its personal link (text and QR code) and what to do;
eight to an A4 page, each building starting a new page (``?building=`` prints one building).
No names: the slip goes into a letterbox. Like the survey's slips (``views.sheets``), every
print is recorded in the export log, and only a consultation of the user's estates is printed.
"""

from __future__ import annotations

import logging
from itertools import groupby
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import pdf as printing
from estatedesk.core import policy, qr
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.params import Params
from estatedesk.surveys.models import Consultation, ConsultationMethod, ConsultationStatus, ConsultedHousehold
from estatedesk.surveys.views.consultation_entry import consultation_or_404

log = logging.getLogger(__name__)

SLIPS_PER_PAGE = 8
PRINTABLE = (ConsultationStatus.PLANNED, ConsultationStatus.RUNNING)
EXPORT_NAME = "consultation-slips"


def _households(request: HttpRequest, pk: int) -> tuple[Consultation, list[ConsultedHousehold]]:
    consultation = consultation_or_404(request.user, pk)
    if consultation.method != ConsultationMethod.QUESTIONNAIRE or consultation.status not in PRINTABLE:
        raise Http404
    rows = ConsultedHousehold.objects.filter(
        consultation=consultation, asked=True, answered_at__isnull=True
    ).select_related("unit", "building")
    building = Params(request.GET).id("building")
    if building is not None:
        rows = rows.filter(building_id=building)
    households = list(rows.order_by("building__name", "unit__floor", "unit__number", "pk"))
    if not households:
        raise Http404
    return consultation, households


def _pages(request: HttpRequest, households: list[ConsultedHousehold]) -> list[list[list[Any]]]:
    """Pages of four rows of two slips; a building's slips never share a page with another's."""
    pages: list[list[list[Any]]] = []
    for _building, group in groupby(households, key=lambda h: h.building_id):
        slips: list[dict[str, Any] | None] = []
        for household in group:
            link = qr.absolute_url(request, "portal:consultation", household.token)
            slips.append({"household": household, "link": link, "qr": qr.svg_data_uri(link)})
        for start in range(0, len(slips), SLIPS_PER_PAGE):
            chunk = slips[start : start + SLIPS_PER_PAGE]
            chunk += [None] * (SLIPS_PER_PAGE - len(chunk))
            pages.append([chunk[i : i + 2] for i in range(0, SLIPS_PER_PAGE, 2)])
    return pages


def _context(
    request: HttpRequest, consultation: Consultation, households: list[ConsultedHousehold], *, pdf: bool
) -> dict[str, Any]:
    staff = policy.staff_of(request.user)
    query = request.GET.urlencode()
    return {
        "consultation": consultation,
        "estate": consultation.estate,
        "topics": ("、" if (get_language() or "").startswith("zh") else ", ").join(
            consultation.topic_labels()
        ),
        "pages": _pages(request, households),
        "count": len(households),
        "office_phone": consultation.estate.service_phone,
        "company": CompanySettings.load().name,
        "printed_at": company_now(),
        "printed_by": staff.display_name if staff else request.user.get_username(),
        "pdf": pdf,
        "back_url": reverse("surveys:consultation_entry", args=[consultation.pk]),
        "pdf_url": reverse("surveys:consultation_slips_pdf", args=[consultation.pk])
        + (f"?{query}" if query else ""),
    }


def _record(request: HttpRequest, consultation: Consultation, count: int, fmt: str) -> None:
    record_export(
        request,
        list_name=EXPORT_NAME,
        filters={
            "consultation": consultation.number,
            "building": request.GET.get("building", "")[:12],
            "format": fmt,
        },
        row_count=count,
    )


@require_GET
def slips(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, households = _households(request, pk)
    with timezone.override(company_zone()):
        response = render(
            request,
            "surveys/consultations/entry_slips.html",
            _context(request, consultation, households, pdf=False),
        )
    _record(request, consultation, len(households), "html")
    patch_cache_control(response, private=True, no_cache=True, no_store=True)
    return response


@require_GET
def slips_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, households = _households(request, pk)
    template = "surveys/consultations/entry_slips.html"
    with timezone.override(company_zone()):
        context = _context(request, consultation, households, pdf=True)
        if not printing.pdf_available():
            context["pdf"] = False
            return render(request, template, context, status=503)
        html = render_to_string(template, context, request=request)
        footer = _("QR slips · %(title)s · %(place)s · printed %(time)s by %(person)s") % {
            "title": consultation.number,
            "place": consultation.estate.name,
            "time": context["printed_at"].strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        try:
            data = printing.render_for(request, html, footer=footer)
        except (printing.PdfUnavailable, OSError):
            log.exception("QR slips of consultation %s failed", consultation.number)
            context["pdf"] = False
            return render(request, template, context, status=503)
    _record(request, consultation, len(households), "pdf")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{consultation.number}-slips.pdf"'
    patch_cache_control(response, private=True, no_cache=True, no_store=True)
    return response
