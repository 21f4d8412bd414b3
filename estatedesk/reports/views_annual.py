"""Annual complaint summary pages (SPEC K-15, I-2): list, draft, detail, the deputy GM's
summary, and its print view, PDF and workbook.

The quarterly analysis has its pages in ``views_periods``; what both share is in ``views_shared``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
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
from estatedesk.improvement.selectors import action_list
from estatedesk.org.acting import name_acting
from estatedesk.reports import presenters, selectors, services_periods
from estatedesk.reports.events import ReportEventKind
from estatedesk.reports.figures import month_bounds
from estatedesk.reports.forms_periods import DraftYearForm, SummaryForm
from estatedesk.reports.models import AnnualStatus, AnnualSummary
from estatedesk.reports.snapshots import PeriodReport
from estatedesk.reports.views_shared import export_response, period_charts, staff_name, when
from estatedesk.reports.workflow import ANNUAL

# --- annual summary ------------------------------------------------------------------------


def _summary(request: HttpRequest, pk: int) -> AnnualSummary:
    summary = selectors.annual_for(request.user).filter(pk=pk).first()
    if summary is None:
        raise Http404
    return summary


def _annual_list(request: HttpRequest, form: DraftYearForm | None = None, status: int = 200) -> HttpResponse:
    writer = selectors.writes_annual(request.user)
    if writer and form is None:
        form = DraftYearForm(initial={"year": company_now().year - 1}, now=timezone.now())
    context = {
        "rows": _annual_rows(request),
        "draft_form": form if writer else None,
        "querystring": request.GET.urlencode(),
    }
    return render(request, "reports/annual_list.html", context, status=status)


def _annual_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """The rows of the list page; its Excel export writes the same ones."""
    rows = []
    for s in selectors.annual_for(request.user).order_by("-year"):
        figures = PeriodReport.from_json(s.figures)
        rows.append(
            {
                "summary": s,
                "received": figures.current.totals.get("received"),
                "actions": (figures.actions or {}).get("opened"),
            }
        )
    return rows


@require_GET
@company_time
def annual_export(request: HttpRequest) -> HttpResponse:
    """The list as a workbook (SPEC A-3): the same summaries the user's list page shows."""
    headers = [
        _("Year"),
        _("Status"),
        _("Complaints received"),
        _("Actions opened"),
        _("Issued by"),
        _("Issued at"),
    ]

    def line(row: dict[str, Any]) -> list[Any]:
        summary = row["summary"]
        return [
            summary.year,
            summary.get_status_display(),
            row["received"],
            row["actions"],
            staff_name(summary.published_by),
            when(summary.published_at),
        ]

    return workbook_response(
        request,
        "annual-summaries",
        headers,
        (line(row) for row in _annual_rows(request)),
        sheet=_("Annual summaries"),
    )


@require_GET
@company_time
def annual_list(request: HttpRequest) -> HttpResponse:
    return _annual_list(request)


@require_POST
@company_time
def annual_draft(request: HttpRequest) -> HttpResponse:
    if not selectors.writes_annual(request.user):
        raise PermissionDenied
    form = DraftYearForm(request.POST, now=timezone.now())
    if not form.is_valid():
        return _annual_list(request, form, status=422)
    summary = services_periods.draft_year(year=form.cleaned_data["year"], actor=request.user)
    if summary.status == AnnualStatus.ISSUED:
        messages.info(
            request, _("%(year)d is already issued; its figures stay as issued.") % {"year": summary.year}
        )
    else:
        messages.success(request, _("Figures of %(year)d drafted.") % {"year": summary.year})
    return redirect("reports:annual_detail", summary.pk)


def _year_actions(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    """The year's corrective and preventive actions the user may open (the counts above are company-wide)."""
    start, end = month_bounds(year, 1)[0], month_bounds(year, 12)[1]
    actions = (
        action_list(request.user)
        .filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(ineffective=Count("verifications", filter=Q(verifications__effective=False)))
        .order_by("opened_at", "pk")
    )
    return [{"action": a, "url": reverse("improvement:detail", args=[a.pk])} for a in actions]


def _render_annual(
    request: HttpRequest, summary: AnnualSummary, form: SummaryForm | None = None, status: int = 200
) -> HttpResponse:
    view = presenters.period_view(summary.figures or {})
    draft = summary.status == AnnualStatus.DRAFT
    editable = draft and selectors.writes_annual(request.user)
    if editable and form is None:
        form = SummaryForm(initial={"summary": summary.summary, **version_initial(summary)})
    context = {
        "summary": summary,
        "view": view,
        "charts": period_charts(view, annual=True),
        "actions": view["actions"] or {},
        "action_rows": _year_actions(request, summary.year),
        "reports": view["monthly_reports"] or {},
        # A form posted (and refused) is shown even if the text can no longer be edited: what
        # was typed is never lost.
        "form": form if editable or (form is not None and form.is_bound) else None,
        "draft": draft,
        "ended": timezone.now() >= month_bounds(summary.year, 12)[1],
        "timeline": timeline_rows(summary.events.all(), ANNUAL, dict(ReportEventKind.choices), name_acting),
    }
    response = render(request, "reports/annual_detail.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def annual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_annual(request, _summary(request, pk))


def _run_annual(request: HttpRequest, summary: AnnualSummary, form: SummaryForm) -> str:
    """The "Save" button keeps the draft text; "Issue" freezes the figures and the summary."""
    text = form.cleaned_data["summary"]
    based_on = form.cleaned_data["based_on_version"]
    if "issue" in request.POST:
        services_periods.publish_annual(actor=request.user, summary=summary.pk, text=text, based_on=based_on)
        return _("Annual summary issued.")
    services_periods.save_annual_text(actor=request.user, summary=summary.pk, text=text, based_on=based_on)
    return _("Summary saved. It is still a draft.")


annual_save = require_POST(
    form_step_view(
        FormStep(
            load=_summary,
            form=lambda request, summary, data: SummaryForm(data),
            run=_run_annual,
            render=lambda request, summary, form, status: _render_annual(request, summary, form, status),
            back=lambda summary: reverse("reports:annual_detail", args=[summary.pk]),
            name="annual_save",
        )
    )
)


# --- print, PDF and Excel ------------------------------------------------------------------


def _annual_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return export_response(request, _summary(request, pk), kind="annual", fmt=fmt)


@require_GET
@company_time
def annual_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _annual_export(request, pk, "print")


@require_GET
@company_time
def annual_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _annual_export(request, pk, "pdf")


@require_GET
@company_time
def annual_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _annual_export(request, pk, "xlsx")
