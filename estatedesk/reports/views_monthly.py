"""Monthly department report pages (SPEC K-12, K-14, A-3, P-1).

The list and the detail read through ``selectors.monthly_reports_for``: a report of a
department the user does not see is "not found", on every URL. Each POST calls one service
(draft, save / submit the analysis, review) and either redirects with a message or shows
the page again with the service's message next to the field and the typed text kept.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.core.actors import Actor
from estatedesk.core.errors import NotAllowed
from estatedesk.core.exportlog import record_export
from estatedesk.core.params import Params
from estatedesk.core.pdf import PdfUnavailable
from estatedesk.core.policy import department_ids, staff_of
from estatedesk.core.timeline import timeline_rows
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_of, company_time, form_step_view
from estatedesk.core.xlsx import workbook_response, xlsx_response
from estatedesk.improvement import selectors as improvement_selectors
from estatedesk.improvement.workflow import OPENER_ROLES
from estatedesk.org.acting import name_acting
from estatedesk.org.models import Role
from estatedesk.reports import echarts, exports, presenters, selectors, services
from estatedesk.reports.events import ReportEventKind
from estatedesk.reports.figures import month_bounds
from estatedesk.reports.forms import AnalysisForm, DraftMonthForm, MonthlyFilterForm, ReviewForm
from estatedesk.reports.models import MonthlyReport, ReportStatus
from estatedesk.reports.snapshots import MonthSnapshot
from estatedesk.reports.workflow import MONTHLY

log = logging.getLogger(__name__)

PAGE_SIZE = 30

# Short sentences from figures.py's definitions, printed under "How these figures are computed".
DEFINITIONS = (
    gettext_lazy("A complaint belongs to the month in which it was received (company time zone)."),
    gettext_lazy("Grievances and enquiries are counted on their own; the figures below are complaints only."),
    gettext_lazy(
        "Valid: caused by the company; invalid: any other cause; not yet assessed: no cause recorded yet."
    ),
    gettext_lazy("Breakdowns and both Pareto charts count every complaint of the month, valid or not."),
    gettext_lazy("On-time reply rate: first replies made by the deadline ÷ complaints with a first reply."),
    gettext_lazy("Reply time: from receipt to the first reply; median and 90th percentile (nearest rank)."),
    gettext_lazy("Follow-up coverage: valid complaints with at least one visit ÷ valid complaints."),
    gettext_lazy(
        "Follow-up satisfaction: each complaint's latest answer, satisfied or very satisfied ÷ answers."
    ),
    gettext_lazy("Reopened: complaints reopened after a dissatisfied visit."),
    gettext_lazy(
        "Repeat complainants: two or more complaints in the month from the same customer, "
        "phone number or name."
    ),
    gettext_lazy(
        "Open items: records of the department received before the month's end and still open then."
    ),
    gettext_lazy("Pareto: categories (or causes) by count; together the vital few make up 80%."),
    gettext_lazy("A submitted report keeps the figures it was submitted with; later edits do not change it."),
)


# --- scope ---------------------------------------------------------------------------------


def _report(user: Actor, pk: int) -> MonthlyReport:
    report = selectors.monthly_reports_for(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def _filtered(request: HttpRequest) -> tuple[MonthlyFilterForm, QuerySet[MonthlyReport]]:
    form = MonthlyFilterForm(request.GET or None, user=request.user)
    reports = selectors.monthly_reports_for(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("year"):
            reports = reports.filter(year=data["year"])
        if data.get("month"):
            reports = reports.filter(month=data["month"])
        if data.get("department"):
            reports = reports.filter(department=data["department"])
        if data.get("status"):
            reports = reports.filter(status=data["status"])
    return form, reports.order_by("-year", "-month", "department__name", "pk")


def _writes(user: Actor, report: MonthlyReport) -> bool:
    """The head of the report's department, while the report is a draft."""
    staff = staff_of(user)
    return (
        report.status == ReportStatus.DRAFT
        and staff is not None
        and staff.role == Role.DEPARTMENT_HEAD
        and report.department_id in (department_ids(user) or ())
    )


def _opens_actions(user: Actor) -> bool:
    staff = staff_of(user)
    return staff is not None and staff.role in OPENER_ROLES


# --- list ----------------------------------------------------------------------------------


@company_time
def monthly_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(
    request: HttpRequest, *, draft_form: DraftMonthForm | None = None, status: int = 200
) -> HttpResponse:
    form, reports = _filtered(request)
    params = request.GET.copy()
    params.pop("page", None)
    if draft_form is None:
        today = timezone.localdate()
        draft_form = DraftMonthForm(user=request.user, initial={"year": today.year, "month": today.month})
    draftable = draft_form.fields["department"].queryset  # type: ignore[attr-defined]
    context = {
        "filter_form": form,
        "page": Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page")),
        "querystring": params.urlencode(),
        "draft_form": draft_form,
        "can_draft": draftable.exists(),
        "reviews": selectors.reviews_monthly(request.user),
    }
    return render(request, "reports/monthly_list.html", context, status=status)


@company_time
def monthly_export(request: HttpRequest) -> HttpResponse:
    _form, reports = _filtered(request)
    headers = [
        _("Department"),
        _("Year"),
        _("Month"),
        _("Status"),
        _("Complaints received"),
        _("Valid complaints"),
        _("On-time reply rate"),
        _("Submitted by"),
        _("Submitted at"),
        _("Decision"),
        _("Reviewed by"),
        _("Reviewed at"),
    ]

    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def rows() -> Any:
        for r in reports:
            figures = MonthSnapshot.from_json(r.figures)
            yield [
                r.department.name,
                r.year,
                r.month,
                r.get_status_display(),
                figures.received,
                figures.valid,
                presenters.rate_text(figures.rate("on_time")),
                r.submitted_by.display_name if r.submitted_by else "",
                when(r.submitted_at),
                r.get_decision_display() if r.decision else "",
                r.reviewed_by.display_name if r.reviewed_by else "",
                when(r.reviewed_at),
            ]

    return workbook_response(request, "monthly-reports", headers, rows(), sheet=_("Monthly reports"))


@company_time
def monthly_draft(request: HttpRequest) -> HttpResponse:
    """Draft (or refresh) one department's month on demand; a month not yet over is a preview."""
    if request.method != "POST":
        return redirect("reports:monthly_list")
    form = DraftMonthForm(request.POST, user=request.user)
    if not form.fields["department"].queryset.exists():  # type: ignore[attr-defined]
        raise PermissionDenied
    if not form.is_valid():
        return _render_list(request, draft_form=form, status=422)
    year, month, department = (
        form.cleaned_data["year"],
        form.cleaned_data["month"],
        form.cleaned_data["department"],
    )
    start, _end = month_bounds(year, month)
    if start > timezone.now():
        form.add_error("month", _("This month has not begun yet."))
        return _render_list(request, draft_form=form, status=422)
    (report,) = services.draft_month(
        year=year, month=month, department=department, actor=request.user, company=company_of(request)
    )
    if report.status == ReportStatus.DRAFT:
        messages.success(
            request, _("The figures of this month were drafted from the records as they are now.")
        )
    else:
        messages.info(request, _("This report was already submitted; its figures stay as submitted."))
    return redirect("reports:monthly_detail", report.pk)


# --- detail --------------------------------------------------------------------------------


def _pareto_chart(rows: list[presenters.ParetoLine]) -> dict[str, Any] | None:
    if not rows:
        return None
    return echarts.pareto(
        [r.name for r in rows],
        [r.count for r in rows],
        [r.vital for r in rows],
        count_name=_("Complaints"),
        cumulative_name=_("Cumulative %"),
    )


# A busy month's repeat complainants run to hundreds or thousands of rows (1,672 with 26,587
# links in the 1,000,000-complaint bench): the page shows those with the most complaints and
# links to the rest; the print and the Excel workbook list them all (decision 0069).
REPEATS_SHOWN = 50


def _with_flag(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query[name] = "1"
    return f"?{query.urlencode()}"


def render_detail(
    request: HttpRequest,
    report: MonthlyReport,
    *,
    analysis_form: AnalysisForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    frozen = report.status != ReportStatus.DRAFT
    differs = frozen and services.live_differs(report)
    params = Params(request.GET)
    live = frozen and params.flag("live")
    figures = services.month_figures(report.department, report.year, report.month) if live else None
    all_repeats = params.flag("all_repeats")
    view = presenters.monthly_view(
        report,
        figures=figures,
        repeat_limit=None if all_repeats else REPEATS_SHOWN,
    )
    writes = _writes(user, report)
    if analysis_form is None and writes:
        analysis_form = AnalysisForm(initial={"analysis": report.analysis, **version_initial(report)})
    if review_form is None and report.status == ReportStatus.SUBMITTED and selectors.reviews_monthly(user):
        review_form = ReviewForm(initial={"kind": "corrective", "department": report.department_id})
    draft_form = DraftMonthForm(
        user=user, initial={"year": report.year, "month": report.month, "department": report.department_id}
    )
    can_refresh = (
        report.status == ReportStatus.DRAFT
        and draft_form.fields["department"].queryset.filter(pk=report.department_id).exists()  # type: ignore[attr-defined]
    )
    _start, end = month_bounds(report.year, report.month)
    context = {
        "report": report,
        "view": view,
        "all_repeats_url": _with_flag(request, "all_repeats") + "#repeat-complainants",
        "live": live,
        "live_differs": differs,
        "month_over": timezone.now() >= end,
        "category_chart": _pareto_chart(view["category_pareto"]),
        "cause_chart": _pareto_chart(view["cause_pareto"]),
        "definitions": DEFINITIONS,
        "analysis_form": analysis_form,
        "review_form": review_form,
        "draft_form": draft_form if can_refresh else None,
        "actions": list(
            improvement_selectors.for_report(user, report.pk)
            .select_related("department")
            .order_by("opened_at", "pk")
        ),
        "can_open_action": _opens_actions(user),
        "timeline": timeline_rows(report.events.all(), MONTHLY, dict(ReportEventKind.choices), name_acting),
    }
    response = render(request, "reports/monthly_detail.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@company_time
def monthly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _report(request.user, pk))


def _load(request: HttpRequest, pk: int) -> MonthlyReport:
    return _report(request.user, pk)


def _back(report: MonthlyReport) -> str:
    return reverse("reports:monthly_detail", args=[report.pk])


def _run_save(request: HttpRequest, report: MonthlyReport, form: AnalysisForm) -> str:
    """The head's analysis: "save" keeps a draft, "submit" sends the report to the deputy GM."""
    text = form.cleaned_data["analysis"]
    based_on = form.cleaned_data["based_on_version"]
    submitting = "submit" in request.POST
    try:
        if submitting:
            services.submit(actor=request.user, report=report.pk, analysis=text, based_on=based_on)
        else:
            services.save_analysis(actor=request.user, report=report.pk, analysis=text, based_on=based_on)
    except NotAllowed as error:
        # Not the head of this department: the "not allowed" page, not a note on the form.
        raise PermissionDenied(str(error.message)) from error
    if submitting:
        return _("Submitted to the deputy general manager.")
    return _("Analysis saved as a draft.")


monthly_save = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, report, data: AnalysisForm(data),
        run=_run_save,
        render=lambda request, report, form, status: render_detail(
            request, report, analysis_form=form, status=status
        ),
        back=_back,
        name="monthly_save",
    )
)


def _run_review(request: HttpRequest, report: MonthlyReport, form: ReviewForm) -> str:
    """The deputy GM's decision (K-14): no action, or an action opened and linked here."""
    data = form.cleaned_data
    try:
        services.review(
            actor=request.user,
            report=report.pk,
            decision=data["decision"],
            note=data.get("note") or "",
            new_action=form.new_action(),
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error  # as in _run_save
    return _("Review recorded.")


monthly_review = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, report, data: ReviewForm(data),
        run=_run_review,
        render=lambda request, report, form, status: render_detail(
            request, report, review_form=form, status=status
        ),
        back=_back,
        name="monthly_review",
    )
)


@company_time
def review_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.reviews_monthly(request.user):
        raise PermissionDenied
    reports = selectors.review_queue(request.user)
    return render(request, "reports/review_queue.html", {"reports": reports})


# --- print, PDF, Excel (estatedesk/reports/exports.py makes them) ----------------------------


def _file_stem(report: MonthlyReport) -> str:
    return f"monthly-report-{report.year}-{report.month:02d}-{report.department_id}"


@company_time
def monthly_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request.user, pk)
    response = HttpResponse(exports.monthly_print_html(report, request=request))
    patch_cache_control(response, private=True, no_cache=True)
    return response


@company_time
def monthly_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request.user, pk)
    try:
        data = exports.monthly_pdf(report, request=request)
    except (PdfUnavailable, OSError):
        log.exception("PDF of monthly report %s failed", report.pk)
        context = {
            "form_title": _("Monthly complaint report"),
            "number": f"{report.department.name} {presenters.month_label(report.year, report.month)}",
            "html_url": reverse("reports:monthly_print", args=[pk]),
            "back_url": reverse("reports:monthly_detail", args=[pk]),
        }
        return render(request, "complaints/print/unavailable.html", context, status=503)
    record_export(
        request, list_name="monthly-report", filters={"id": report.pk, "format": "pdf"}, row_count=None
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_stem(report)}.pdf"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


@company_time
def monthly_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request.user, pk)
    response = xlsx_response(exports.monthly_xlsx(report), _file_stem(report))
    record_export(
        request, list_name="monthly-report", filters={"id": report.pk, "format": "xlsx"}, row_count=None
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
