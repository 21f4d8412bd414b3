"""A survey's analysis on paper and as pictures (SPEC S-9, A-3): the fishbone image, the print
view and the PDF (the Pareto drawn on the server, ``core.charts``); and the button of the next
survey's page that drafts its improvements text from the last survey's decisions.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import charts as server_charts
from estatedesk.core import fishbone, policy
from estatedesk.core import pdf as printing
from estatedesk.core.causes import Bone
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.versioning import version_field
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.surveys import analysis
from estatedesk.surveys.forms_analysis import ConfirmForm
from estatedesk.surveys.models import Survey
from estatedesk.surveys.report import build
from estatedesk.surveys.review_selectors import suggestions_for
from estatedesk.surveys.services import analysis as services
from estatedesk.surveys.views import detail as survey_detail
from estatedesk.surveys.views.analysis import bones_of, load_survey, reason_scope
from estatedesk.surveys.views.common import survey_or_404

log = logging.getLogger(__name__)


# --- the fishbone picture, the print view and the PDF -----------------------------------------


@require_GET
def analysis_fishbone(request: HttpRequest, pk: int) -> HttpResponse:
    """The fishbone as an image; out of scope is 404 like the page."""
    survey = survey_or_404(request.user, pk)
    record = services.analysis_of(survey)
    labels = {bone.value: str(bone.label) for bone in Bone}
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + fishbone.draw(
        record.problem or survey.title, record.fishbone, labels
    )
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    # Nothing in the picture needs to load or run anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def _print_html(request: HttpRequest, survey: Survey, *, pdf: bool) -> tuple[str, dict[str, Any]]:
    user = request.user
    report = build(survey, user)
    bars = analysis.reason_pareto(survey, reason_scope(user, survey))
    record = services.analysis_of(survey)
    pareto_src = ""
    if bars:
        svg = server_charts.pareto_svg(
            [b.label for b in bars],
            [b.count for b in bars],
            [b.vital for b in bars],
            title=_("Reasons for dissatisfaction"),
            count_label=_("Reasons given"),
            cumulative_label=_("Cumulative share"),
        )
        pareto_src = server_charts.data_uri(svg)
    fishbone_src = ""
    if record.fishbone:
        labels = {bone.value: str(bone.label) for bone in Bone}
        fishbone_src = server_charts.data_uri(
            fishbone.draw(record.problem or survey.title, record.fishbone, labels)
        )
    context = {
        "survey": survey,
        "report": report,
        "pdf": pdf,
        "bars": bars,
        "record": record,
        "bones": bones_of(record),
        "pareto_src": pareto_src,
        "fishbone_src": fishbone_src,
        "suggestions": list(
            suggestions_for(user).filter(survey=survey).select_related("owner", "department").order_by("pk")
        ),
        "company": CompanySettings.load().name,
        "report_title": _("Survey analysis and decisions"),
        "printed_at": company_now(),
        "printed_by": _printer(request),
        "back_url": reverse("surveys:analysis", args=[survey.pk]),
        "pdf_url": reverse("surveys:analysis_pdf", args=[survey.pk]),
    }
    with timezone.override(company_zone()):
        return render_to_string("surveys/analysis/print.html", context, request=request), context


@require_GET
@company_time
def analysis_print(request: HttpRequest, pk: int) -> HttpResponse:
    html, _context = _print_html(request, survey_or_404(request.user, pk), pdf=False)
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def analysis_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_or_404(request.user, pk)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, context = _print_html(request, survey, pdf=True)
        footer = _("%(report)s · printed %(time)s by %(person)s") % {
            "report": f"{survey.number} {survey.title}",
            "time": timezone.localtime(context["printed_at"], company_zone()).strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the survey analysis %s not made", survey.number, exc_info=True)
        context = {
            "form_title": _("Survey analysis and decisions"),
            "number": survey.number,
            "html_url": reverse("surveys:analysis_print", args=[survey.pk]),
            "back_url": reverse("surveys:analysis", args=[survey.pk]),
        }
        return render(request, "complaints/print/unavailable.html", context, status=503)
    record_export(
        request, list_name="survey-analysis", filters={"id": survey.pk, "format": "pdf"}, row_count=None
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-analysis-{survey.number}.pdf"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- the next survey's improvements text ------------------------------------------------------


class DraftForm(ConfirmForm):
    based_on_version = version_field()


def _run_draft(request: HttpRequest, survey: Survey, form: DraftForm) -> str:
    services.draft_improvements_from_last(
        actor=request.user, survey=survey.pk, based_on=form.cleaned_data["based_on_version"]
    )
    return _("Drafted from the last survey's decisions: check the text and edit it.")


def _show_detail(request: HttpRequest, survey: Survey, form: DraftForm, status: int) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return survey_detail.render_detail(request, survey, status=status)


analysis_draft_improvements = form_step_view(
    FormStep(
        load=load_survey,
        form=lambda request, survey, data: DraftForm(data, user=request.user),
        run=_run_draft,
        render=_show_detail,
        back=lambda survey: reverse("surveys:detail", args=[survey.pk]) + "#survey-improvements",
        name="analysis_draft_improvements",
    )
)
