"""The evaluation standard as the paper questionnaire a household fills in (SPEC S-1): the print
view and the PDF, in the language chosen (the stored texts and the printed labels alike)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from estatedesk.core import pdf as printing
from estatedesk.core import policy
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.surveys.views.standards import sheet, text_language, version_in_reach

log = logging.getLogger(__name__)


def _print(request: HttpRequest, pk: int, *, pdf: bool) -> HttpResponse:
    """The paper form in one language: the stored texts and the printed labels alike."""
    version = version_in_reach(request, pk)
    language = text_language(request)
    with timezone.override(company_zone()), translation.override(language):
        staff = policy.staff_of(request.user)
        query = f"?lang={language}"
        printed_at = company_now()
        context: dict[str, Any] = {
            "version": version,
            "sheet": sheet(version, language),
            "text_language": language,
            "company": CompanySettings.load().name,
            "printed_at": printed_at,
            "printed_by": staff.display_name if staff else request.user.get_username(),
            "form_title": version.title(language),
            "number": f"v{version.number}",
            "back_url": reverse("surveys:standard_detail", args=[pk]) + query,
            "html_url": reverse("surveys:standard_print", args=[pk]) + query,
            "pdf_url": reverse("surveys:standard_pdf", args=[pk]) + query,
            "pdf": pdf,
            "text_lines": range(3),
        }
        template = "surveys/standards/print.html"
        if not pdf:
            response = render(request, template, context)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if not printing.pdf_available():
            return render(request, "complaints/print/unavailable.html", context, status=503)
        html = render_to_string(template, context, request=request)
        footer = _("%(title)s %(number)s · printed %(time)s by %(person)s") % {
            "title": version.title(language),
            "number": context["number"],
            "time": printed_at.strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        try:
            data = printing.render_for(request, html, footer=footer)
        except (printing.PdfUnavailable, OSError):
            log.exception("PDF of standard version %s failed", version.pk)
            return render(request, "complaints/print/unavailable.html", context, status=503)
    record_export(
        request,
        list_name="evaluation-standard",
        filters={"version": version.pk, "language": language, "format": "pdf"},
        row_count=None,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="standard-{version.questionnaire_id}-v{version.number}-{language}.pdf"'
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


def standard_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _print(request, pk, pdf=False)


def standard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _print(request, pk, pdf=True)
