"""The rectification progress page, its workbook and its PDF (SPEC R-5, A-3).

Every figure comes from ``progress.build`` over the user's own scope (``selectors.items_for``):
the property company sees its estates, the developer's customer service its developer's
items, a team its own. The PDF prints the tables only (decision 0042): the charts restate the
same numbers, and the signed paper is the tables.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import pdf as printing
from estatedesk.core import policy
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.params import Params
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import xlsx_response
from estatedesk.rectification import progress_charts, progress_export
from estatedesk.rectification.figures import days_text, percent_text
from estatedesk.rectification.progress import Progress, build, read_filters

log = logging.getLogger(__name__)

EXPORT_NAME = "rectification-progress"


def _progress(request: HttpRequest) -> tuple[Progress, Params]:
    params = Params(request.GET)
    return build(request.user, read_filters(params)), params


def _charts(progress: Progress) -> dict[str, Any]:
    def pairs(key: str) -> list[tuple[str, Any]]:
        return [(row.label, row.counts) for row in progress.table(key).rows]

    names = {
        "with_property": _("With the property company"),
        "with_developer": _("With the developer"),
        "awaiting_resident": _("Awaiting the resident"),
        "accepted": _("Accepted"),
    }
    if not progress.total.items:
        return {}
    return {
        "batch": progress_charts.status_by_batch(pairs("report"), names),
        "round": progress_charts.items_by_round(pairs("round"), _("Items")),
        "overdue": progress_charts.overdue_by_team(pairs("team"), _("Overdue")),
    }


def _query(progress: Progress) -> str:
    query = urlencode(progress.filters.query())
    return f"?{query}" if query else ""


def _rates(progress: Progress) -> dict[str, str]:
    total = progress.total
    return {
        "pass_rate": percent_text(total.first_round_pass_rate),
        "average_days": days_text(total.average_days),
        "overdue_share": percent_text(total.overdue_share),
    }


@require_GET
@company_time
def progress_page(request: HttpRequest) -> HttpResponse:
    progress, params = _progress(request)
    context = {
        "progress": progress,
        "notes": params.notes,
        "charts": _charts(progress),
        "rates": _rates(progress),
        "query": _query(progress),
    }
    response = render(request, "rectification/progress/page.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _filename() -> str:
    return EXPORT_NAME  # ASCII: a header carries it


@require_GET
@company_time
def progress_xlsx(request: HttpRequest) -> HttpResponse:
    progress, _params = _progress(request)
    response = xlsx_response(progress_export.workbook(progress), _filename())
    record_export(
        request, list_name=EXPORT_NAME, filters={**progress.filters.query(), "format": "xlsx"}, row_count=None
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


@require_GET
@company_time
def progress_pdf(request: HttpRequest) -> HttpResponse:
    progress, _params = _progress(request)
    printed_at = company_now()
    context = {
        "progress": progress,
        "rates": _rates(progress),
        "company": CompanySettings.load().name,
        "printed_at": printed_at,
        "printed_by": _printer(request),
        "pdf": True,
    }
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        with timezone.override(company_zone()):
            html = render_to_string("rectification/progress/print.html", context, request=request)
        footer = _("%(report)s · printed %(time)s by %(person)s") % {
            "report": _("Rectification progress"),
            "time": printed_at.strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the rectification progress not made", exc_info=True)
        page = reverse("rectification:progress") + _query(progress)
        fallback = {
            "form_title": _("Rectification progress"),
            "number": "",
            "html_url": page,
            "back_url": page,
        }
        return render(request, "complaints/print/unavailable.html", fallback, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename()}.pdf"'
    record_export(
        request, list_name=EXPORT_NAME, filters={**progress.filters.query(), "format": "pdf"}, row_count=None
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
