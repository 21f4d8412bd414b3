"""Pages of the quarterly analysis (SPEC K-13); the annual summary's are in ``views_annual``.

Scope comes from the selectors: a draft the user may not see is "not found", exactly like a
record of another estate. Figures are shown as stored (frozen once published) through
``presenters.period_view``, so the page, the print view, the PDF and the workbook agree.
Writes go through ``services_periods``; a refused write re-renders the page with the
message and the text the user typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from estatedesk.core.clock import company_now
from estatedesk.core.timeline import timeline_rows
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.core.xlsx import workbook_response
from estatedesk.reports import presenters, selectors, services_periods
from estatedesk.reports.events import ReportEventKind
from estatedesk.reports.figures import month_bounds
from estatedesk.reports.forms_periods import AnalysisForm, DraftQuarterForm
from estatedesk.reports.models import PeriodStatus, QuarterlyAnalysis
from estatedesk.reports.periods import quarter_of
from estatedesk.reports.snapshots import PeriodReport
from estatedesk.reports.views_shared import export_response, period_charts, staff_name, when
from estatedesk.reports.workflow import QUARTERLY


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)d Q%(quarter)d") % {"year": year, "quarter": quarter}


def _previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _last_ended_quarter() -> tuple[int, int]:
    today = company_now().date()
    return _previous_quarter(today.year, quarter_of(today.month))


def _edited(analysis: QuarterlyAnalysis) -> str:
    """Who last edited it and when, as the list shows it."""
    if not analysis.edited_at:
        return ""
    return f"{staff_name(analysis.edited_by)} · {when(analysis.edited_at)}"


# --- quarterly analysis --------------------------------------------------------------------


def _analysis(request: HttpRequest, pk: int) -> QuarterlyAnalysis:
    analysis = selectors.quarterly_for(request.user).filter(pk=pk).first()
    if analysis is None:
        raise Http404
    return analysis


def _quarterly_list(
    request: HttpRequest, form: DraftQuarterForm | None = None, status: int = 200
) -> HttpResponse:
    writer = selectors.writes_quarterly(request.user)
    if writer and form is None:
        year, quarter = _last_ended_quarter()
        form = DraftQuarterForm(initial={"year": year, "quarter": quarter}, now=timezone.now())
    context = {
        "rows": _quarterly_rows(request),
        "draft_form": form if writer else None,
        "querystring": request.GET.urlencode(),
    }
    return render(request, "reports/quarterly_list.html", context, status=status)


def _quarterly_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """The rows of the list page; its Excel export writes the same ones."""
    analyses = selectors.quarterly_for(request.user).order_by("-year", "-quarter")
    return [
        {
            "analysis": a,
            "label": quarter_label(a.year, a.quarter),
            "received": PeriodReport.from_json(a.figures).current.totals.get("received"),
        }
        for a in analyses
    ]


@require_GET
@company_time
def quarterly_list(request: HttpRequest) -> HttpResponse:
    return _quarterly_list(request)


@require_GET
@company_time
def quarterly_export(request: HttpRequest) -> HttpResponse:
    """The list as a workbook (SPEC A-3): the same analyses the user's list page shows."""
    headers = [
        _("Quarter"),
        _("Status"),
        _("Complaints received"),
        _("Published by"),
        _("Published at"),
        _("Last edited"),
    ]
    rows = (
        [
            row["label"],
            row["analysis"].get_status_display(),
            row["received"],
            staff_name(row["analysis"].published_by),
            when(row["analysis"].published_at),
            _edited(row["analysis"]),
        ]
        for row in _quarterly_rows(request)
    )
    return workbook_response(request, "quarterly-analyses", headers, rows, sheet=_("Quarterly analyses"))


@require_POST
@company_time
def quarterly_draft(request: HttpRequest) -> HttpResponse:
    """Draft a quarter on demand, or refresh a draft's figures (the nightly job does the same)."""
    if not selectors.writes_quarterly(request.user):
        raise PermissionDenied
    form = DraftQuarterForm(request.POST, now=timezone.now())
    if not form.is_valid():
        return _quarterly_list(request, form, status=422)
    analysis = services_periods.draft_quarter(
        year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"], actor=request.user
    )
    label = quarter_label(analysis.year, analysis.quarter)
    if analysis.status == PeriodStatus.PUBLISHED:
        messages.info(
            request, _("%(period)s is already published; its figures stay as published.") % {"period": label}
        )
    else:
        messages.success(request, _("Figures of %(period)s drafted.") % {"period": label})
    return redirect("reports:quarterly_detail", analysis.pk)


def _render_quarter(
    request: HttpRequest, analysis: QuarterlyAnalysis, form: AnalysisForm | None = None, status: int = 200
) -> HttpResponse:
    view = presenters.period_view(analysis.figures or {})
    draft = analysis.status == PeriodStatus.DRAFT
    editable = draft and selectors.writes_quarterly(request.user)
    if editable and form is None:
        form = AnalysisForm(initial={"analysis": analysis.analysis, **version_initial(analysis)})
    ended = timezone.now() >= month_bounds(analysis.year, 3 * analysis.quarter)[1]
    context = {
        "analysis": analysis,
        "label": quarter_label(analysis.year, analysis.quarter),
        "previous_label": quarter_label(*_previous_quarter(analysis.year, analysis.quarter)),
        "view": view,
        "charts": period_charts(view, annual=False),
        # A form posted (and refused) is shown even if the text can no longer be edited: what
        # was typed is never lost.
        "form": form if editable or (form is not None and form.is_bound) else None,
        "draft": draft,
        "ended": ended,
        "timeline": timeline_rows(analysis.events.all(), QUARTERLY, dict(ReportEventKind.choices)),
    }
    response = render(request, "reports/quarterly_detail.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def quarterly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_quarter(request, _analysis(request, pk))


def _run_quarter(request: HttpRequest, analysis: QuarterlyAnalysis, form: AnalysisForm) -> str:
    """The "Save" button keeps the draft text; "Publish" freezes the figures and shows it to every department."""
    text = form.cleaned_data["analysis"]
    based_on = form.cleaned_data["based_on_version"]
    if "publish" in request.POST:
        services_periods.publish_quarter(
            actor=request.user, analysis=analysis.pk, text=text, based_on=based_on
        )
        return _("Published to all departments.")
    services_periods.edit_quarter(actor=request.user, analysis=analysis.pk, text=text, based_on=based_on)
    return _("Analysis saved. It is still a draft.")


quarterly_save = require_POST(
    form_step_view(
        FormStep(
            load=_analysis,
            form=lambda request, analysis, data: AnalysisForm(data),
            run=_run_quarter,
            render=lambda request, analysis, form, status: _render_quarter(request, analysis, form, status),
            back=lambda analysis: reverse("reports:quarterly_detail", args=[analysis.pk]),
            name="quarterly_save",
        )
    )
)


# --- print, PDF and Excel ------------------------------------------------------------------


def _quarter_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return export_response(request, _analysis(request, pk), kind="quarterly", fmt=fmt)


@require_GET
@company_time
def quarterly_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _quarter_export(request, pk, "print")


@require_GET
@company_time
def quarterly_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _quarter_export(request, pk, "pdf")


@require_GET
@company_time
def quarterly_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _quarter_export(request, pk, "xlsx")
