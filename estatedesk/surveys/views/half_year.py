"""Half-year statistics pages (SPEC S-5, I-1; procedure §7.3.3): the list with the form that
computes an office's half year, the statistics (categories against targets from both sources,
the lines with the actions opened from them), the director's conclusions and sign-off.
The print view, PDF and workbook are in ``half_year_print``. Out of scope is 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from estatedesk.core import policy
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.surveys import half_year_display as display
from estatedesk.surveys.forms_half_year import ComputeForm, ConclusionsForm
from estatedesk.surveys.models import Half, HalfYearStatistics
from estatedesk.surveys.review_selectors import half_years_for
from estatedesk.surveys.services import half_year as services
from estatedesk.surveys.views.common import optional_url

PAGE_SIZE = 50
# The roles that open corrective actions (``improvement.workflow.OPENER_ROLES``; surveys sits
# below improvement and may not import it): the link is shown to them, the page decides.
ACTION_OPENER_ROLES = frozenset({"department_head", "cs_supervisor", "deputy_gm", "gm"})


def statistics_or_404(request: HttpRequest, pk: int) -> HalfYearStatistics:
    found = half_years_for(request.user).select_related("office", "estate").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_compute(request: HttpRequest) -> bool:
    return policy.role_of(request.user) in services.COMPUTE_ROLES


# --- list and compute ---------------------------------------------------------------------------


def _list_page(request: HttpRequest, form: ComputeForm | None, status: int = 200) -> HttpResponse:
    params = Params(request.GET)
    rows = half_years_for(request.user).select_related("office", "estate")
    offices = services.offices_for(request.user)
    chosen: dict[str, Any] = {}
    office = params.id("office")
    if office is not None:
        chosen["office"] = office
        rows = rows.filter(office=office)
    year = params.id("year")
    if year is not None:
        chosen["year"] = year
        rows = rows.filter(year=year)
    half = params.id("half")
    if half in (1, 2):
        chosen["half"] = half
        rows = rows.filter(half=half)
    page = Paginator(rows.order_by("-year", "-half", "estate__code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "surveys/half_year/list.html",
        {
            "page": page,
            "offices": offices,
            "halves": Half.choices,
            "chosen": chosen,
            "querystring": query.urlencode(),
            "form": form
            if form is not None
            else (ComputeForm(user=request.user) if may_compute(request) else None),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def half_year_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, None)


@require_POST
@company_time
def half_year_compute(request: HttpRequest) -> HttpResponse:
    form = ComputeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _list_page(request, form, 422)
    data = form.cleaned_data
    try:
        statistics = services.compute_half_year(
            actor=request.user, office=data["office"], year=data["year"], half=data["half"]
        )
    except ServiceError as error:
        put_error(form, error)
        return _list_page(request, form, error.status)
    messages.success(request, _("The half-year statistics are computed."))
    return redirect("surveys:half_year_detail", statistics.pk)


# --- the statistics -----------------------------------------------------------------------------


def action_url(line_pk: int) -> str:
    base = optional_url("improvement:create")
    if not base:
        return ""
    return f"{base}?{urlencode({'source': 'half_year_statistics', 'half_year_line': line_pk})}"


def detail_context(request: HttpRequest, statistics: HalfYearStatistics) -> dict[str, Any]:
    lines = display.with_texts(statistics, list(statistics.lines.prefetch_related("improvement_actions")))
    may_open = policy.role_of(request.user) in ACTION_OPENER_ROLES
    for line in lines:
        line.action_url = action_url(line.pk) if may_open else ""  # type: ignore[attr-defined]
        line.actions = list(line.improvement_actions.all())  # type: ignore[attr-defined]
    return {
        "statistics": statistics,
        "period": display.period_text(statistics),
        "rows": display.rows(statistics),
        "issues": display.issues(statistics),
        "lines": lines,
        "figures": statistics.figures or {},
        "may_compute": may_compute(request) and not statistics.signed,
        "may_sign": services.may_sign(request.user, statistics) and not statistics.signed,
        "may_edit": may_compute(request) and not statistics.signed,
    }


def _page(
    request: HttpRequest,
    statistics: HalfYearStatistics,
    form: ConclusionsForm | None,
    status: int,
    error: str = "",
) -> HttpResponse:
    context = detail_context(request, statistics)
    if form is None and context["may_edit"]:
        form = ConclusionsForm(
            initial={"conclusions": statistics.conclusions, **version_initial(statistics)}, user=request.user
        )
    context.update(form=form, error=error)
    response = render(request, "surveys/half_year/detail.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def half_year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, statistics_or_404(request, pk), None, 200)


def _form(request: HttpRequest, statistics: HalfYearStatistics, data: Any) -> ConclusionsForm:
    return ConclusionsForm(data, user=request.user)


def _save(request: HttpRequest, statistics: HalfYearStatistics, form: ConclusionsForm) -> str:
    services.edit_conclusions(
        actor=request.user,
        statistics=statistics,
        text=form.cleaned_data["conclusions"],
        based_on=form.cleaned_data["based_on_version"],
    )
    return _("The conclusions are saved.")


def _back(statistics: HalfYearStatistics) -> str:
    return reverse("surveys:half_year_detail", args=[statistics.pk])


half_year_conclusions = form_step_view(
    FormStep(statistics_or_404, _form, _save, _page, _back, name="half_year_conclusions")
)


@company_time
def half_year_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    statistics = statistics_or_404(request, pk)  # 404 out of scope, whatever the method
    if request.method != "POST":
        return redirect(_back(statistics))
    try:
        services.compute_half_year(
            actor=request.user, office=statistics.office_id, year=statistics.year, half=statistics.half
        )
    except ServiceError as error:
        return _page(request, statistics, None, error.status, str(error.message))
    messages.success(request, _("The half-year statistics are computed."))
    return redirect(_back(statistics))


@company_time
def half_year_sign(request: HttpRequest, pk: int) -> HttpResponse:
    statistics = statistics_or_404(request, pk)  # 404 out of scope, whatever the method
    if request.method != "POST":
        return redirect(_back(statistics))
    try:
        services.sign_off(actor=request.user, statistics=statistics)
    except ServiceError as error:
        return _page(request, statistics, None, error.status, str(error.message))
    messages.success(request, _("The half-year statistics are signed off."))
    return redirect(_back(statistics))
