"""Rectification reports (SPEC R-2): the list with counts by stage, a new report, a report's
page with its items by unit, and its title and notes edited with a version (decision 0011).

Reports and items are read through ``selectors`` (out of scope: 404). The developer's people
and the teams see the reports that hold their items, and only those items and their counts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import policy
from estatedesk.core.clock import company_today, company_zone, now
from estatedesk.core.errors import ServiceError, StaleEdit
from estatedesk.core.paging import IdsFirstPaginator
from estatedesk.core.params import Params
from estatedesk.core.versioning import show_stale, version_initial
from estatedesk.core.web import company_time, hidden_errors_on_top, put_error
from estatedesk.rectification import display, registers, selectors
from estatedesk.rectification.forms_reports import ReportEditForm, ReportForm
from estatedesk.rectification.models import Report, Source
from estatedesk.rectification.services import items as services
from estatedesk.rectification.workflow import ENTRY_ROLES, ITEM

PAGE_SIZE = 30


def may_enter(user: Any) -> bool:
    """The property side's staff who collect items (and so open reports)."""
    return selectors.side_of(user) == "property" and policy.role_of(user) in ENTRY_ROLES


def _not_allowed(request: HttpRequest) -> HttpResponse:
    message = _("Your role cannot do this: %(step)s.") % {"step": ITEM.get("create").label}
    return render(
        request, "core/error.html", {"title": _("Not allowed"), "message": message, "status": 403}, status=403
    )


def scoped_report(request: HttpRequest, pk: int) -> Report:
    report = (
        selectors.reports_for(request.user)
        .select_related("estate", "developer", "finding_department")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def _stages(counts: dict[str, int]) -> list[tuple[str, Any, int]]:
    return [(key, label, counts.get(key, 0)) for key, label in registers.STAGES]


@require_GET
@company_time
def report_list(request: HttpRequest) -> HttpResponse:
    params = Params(request.GET)
    estates = registers.report_estates(request.user)
    estate = params.choice("estate", [str(e.pk) for e in estates], _("estate"))
    reports = registers.report_rows(request.user, int(estate) if estate else None)
    page = IdsFirstPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = registers.stage_counts(
        selectors.items_for(request.user), [r.pk for r in page.object_list], company_today()
    )
    kept = {"estate": estate} if estate else {}
    return render(
        request,
        "rectification/reports/list.html",
        {
            "page": page,
            "rows": [(r, _stages(counts[r.pk])) for r in page.object_list],
            "stages": registers.STAGES,
            "estates": estates,
            "estate": estate,
            "notes": params.notes,
            "querystring": urlencode(kept),
            "can_create": may_enter(request.user),
        },
    )


# --- A new report ---------------------------------------------------------------------------------


def _create_page(request: HttpRequest, form: ReportForm, status: int = 200) -> HttpResponse:
    return render(request, "rectification/reports/create.html", {"form": form}, status=status)


# Written out rather than a FormStep: it makes a new record (no record to load first).
@company_time
def report_create(request: HttpRequest) -> HttpResponse:
    if not may_enter(request.user):
        return _not_allowed(request)
    if request.method != "POST":
        initial: dict[str, Any] = {"source": Source.HANDOVER}
        estates = list(selectors.estates_for(request.user)[:2])
        if len(estates) == 1:
            initial["estate"] = estates[0].pk
        return _create_page(request, ReportForm(initial=initial, user=request.user))
    form = ReportForm(request.POST, user=request.user)
    if not form.is_valid():
        return _create_page(request, form, 422)
    try:
        report = services.create_report(actor=request.user, **form.service_arguments())
    except ServiceError as error:
        put_error(form, error)
        return _create_page(request, form, error.status)
    messages.success(request, _("Report %(number)s opened. Enter its items.") % {"number": report.number})
    return redirect("rectification:report_detail", report.pk)


# --- The report's page ----------------------------------------------------------------------------


@require_GET
@company_time
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoped_report(request, pk)
    user = request.user
    groups = registers.items_by_unit(user, report)
    at, zone = now(), company_zone()
    for group in groups:
        for item in group.items:
            item.due_state = display.due_of(item, at, zone)  # type: ignore[attr-defined]
    counts = registers.stage_counts(selectors.items_for(user), [report.pk], company_today())[report.pk]
    return render(
        request,
        "rectification/reports/detail.html",
        {
            "report": report,
            "stages": _stages(counts),
            "groups": groups,
            "item_count": sum(len(g.items) for g in groups),
            "property_side": selectors.side_of(user) == "property",
            "can_enter": may_enter(user),
        },
    )


# --- Title and notes ------------------------------------------------------------------------------


def _edit_page(request: HttpRequest, report: Report, form: ReportEditForm, status: int = 200) -> HttpResponse:
    return render(request, "rectification/reports/edit.html", {"report": report, "form": form}, status=status)


@company_time
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = scoped_report(request, pk)  # 404 out of scope, before anything else
    if not may_enter(request.user):
        return _not_allowed(request)
    if request.method != "POST":
        initial = {"title": report.title, "notes": report.notes, **version_initial(report)}
        return _edit_page(request, report, ReportEditForm(initial=initial, user=request.user))
    form = ReportEditForm(request.POST, user=request.user)
    if not form.is_valid():
        hidden_errors_on_top(form)
        return _edit_page(request, report, form, 422)
    data = form.cleaned_data
    try:
        services.edit_report(
            actor=request.user,
            report=report.pk,
            title=data["title"],
            notes=data.get("notes") or "",
            based_on=data["based_on_version"],
        )
    except ServiceError as error:
        put_error(form, error)
        if isinstance(error, StaleEdit):
            show_stale(form, error)
        return _edit_page(request, scoped_report(request, pk), form, error.status)
    messages.success(request, _("Report saved."))
    return redirect("rectification:report_detail", report.pk)
