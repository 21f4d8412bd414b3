"""Corrective / preventive actions (SPEC I-1): the list with its filters, its Excel export,
and the page that opens an action. The action's own page is in ``views_detail``.

The list reads through ``selectors.action_list`` (scope, P-1); overdue means a step past its
due date, counted in the company's days (``selectors.overdue`` with the company's today).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.complaints.models import Complaint, Kind
from estatedesk.complaints.selectors import complaints_for
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.core.errors import InvalidInput, ServiceError
from estatedesk.core.params import Params
from estatedesk.core.web import company_time, put_error
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.improvement import selectors, services, sources, workflow
from estatedesk.improvement.forms import OpenActionForm
from estatedesk.improvement.models import Action, ActionKind, ActionStatus, Source
from estatedesk.org import selectors as org_selectors
from estatedesk.surveys.review_selectors import half_year_lines_for

if TYPE_CHECKING:
    from estatedesk.reports.models import MonthlyReport

PAGE_SIZE = 50
EXPORT_MAX = 20_000

FILTER_LABELS = {
    "status": gettext_lazy("status"),
    "kind": gettext_lazy("kind"),
    "source": gettext_lazy("source"),
    "department": gettext_lazy("department"),
}


def days_overdue(action: Action, today: date) -> int:
    """Days since the earliest unfinished step was due; 0 when nothing is overdue."""
    if action.next_due is None or action.status not in selectors.OPEN_STATUSES:
        return 0
    return max(0, (today - action.next_due).days)


def may_open(user: Actor) -> bool:
    return policy.role_of(user) in workflow.OPENER_ROLES


def source_text(action: Action) -> str:
    """The source record in words: a complaint's number, a report's month, or the reference."""
    if action.source_complaint_id and action.source_complaint:
        return action.source_complaint.number
    if action.source_report_id and action.source_report:
        return sources.report_name(action.source_report)
    return action.source_reference


# --- Filters -----------------------------------------------------------------------------------


@dataclass
class ListFilters:
    """What the list was asked for; a value that is not a choice is dropped with a note."""

    values: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    choices: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)

    def fields(self) -> list[tuple[str, Any, list[tuple[str, Any]], str]]:
        return [(key, FILTER_LABELS[key], ch, self.values.get(key, "")) for key, ch in self.choices.items()]


def _choices(user: Actor) -> dict[str, list[tuple[str, Any]]]:
    departments = org_selectors.departments_for(user).filter(developer__isnull=True)
    return {
        "status": list(ActionStatus.choices),
        "kind": list(ActionKind.choices),
        "source": list(Source.choices),
        "department": [(str(d.pk), d.name) for d in departments],
    }


def filter_actions(request: HttpRequest, today: date) -> tuple[QuerySet[Action], ListFilters]:
    """The list's filters, shared by the page and its export (same rows, same scope)."""
    params = Params(request.GET)
    actions = selectors.action_list(request.user).select_related("source_report__department")
    result = ListFilters(choices=_choices(request.user))
    for key, choices in result.choices.items():
        value = params.choice(key, (v for v, _label in choices), FILTER_LABELS[key])
        if not value:
            continue
        result.values[key] = value
        actions = actions.filter(**{"department_id" if key == "department" else key: value})
    result.notes = params.notes
    if params.flag("overdue"):
        result.values["overdue"] = "1"
        actions = selectors.overdue(actions, today)
    text = params.text("q")
    if text:
        result.values["q"] = text
        actions = actions.filter(Q(number__icontains=text) | Q(title__icontains=text))
    return actions, result


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@company_time
def action_list(request: HttpRequest) -> HttpResponse:
    today = company_today()
    actions, filters = filter_actions(request, today)
    page = Paginator(actions.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page.object_list:
        action.days_overdue = days_overdue(action, today)  # type: ignore[attr-defined]
        action.source_text = source_text(action)  # type: ignore[attr-defined]
    return render(
        request,
        "improvement/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_fields": filters.fields(),
            "f": filters.values,
            "querystring": _querystring(request),
            "can_open": may_open(request.user),
            "today": today,
        },
    )


# --- Excel export (A-3) ------------------------------------------------------------------------

EXPORT_HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Kind"),
    gettext_lazy("Source"),
    gettext_lazy("Source record"),
    gettext_lazy("Title"),
    gettext_lazy("Problem"),
    gettext_lazy("Responsible department"),
    gettext_lazy("Estate"),
    gettext_lazy("Status"),
    gettext_lazy("Next step due"),
    gettext_lazy("Days overdue"),
    gettext_lazy("Opened by"),
    gettext_lazy("Opened at"),
    gettext_lazy("Cause analysis"),
    gettext_lazy("Verified at"),
    gettext_lazy("Closed at"),
]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(actions: QuerySet[Action], today: date, limit: int = EXPORT_MAX) -> Iterator[Sequence[Any]]:
    for index, a in enumerate(actions[: limit + 1].iterator(chunk_size=1000)):
        if index == limit:
            yield NoteRow(
                [_("Only the first %(limit)s rows are exported; narrow the filters.") % {"limit": limit}]
            )
            return
        late = days_overdue(a, today)
        yield [
            a.number,
            a.get_kind_display(),
            a.get_source_display(),
            source_text(a),
            a.title,
            a.problem,
            a.department.name,
            a.estate.name if a.estate else "",
            a.get_status_display(),
            a.next_due.isoformat() if a.next_due else "",
            late or "",
            a.opened_by.display_name,
            _local(a.opened_at),
            a.cause_analysis,
            _local(a.verified_at),
            _local(a.closed_at),
        ]


@require_GET
@company_time
def export(request: HttpRequest) -> HttpResponse:
    today = company_today()
    actions, _filters = filter_actions(request, today)
    return workbook_response(
        request,
        "actions",
        EXPORT_HEADERS,
        export_rows(actions.order_by("-opened_at", "-pk"), today),
        sheet=_("Corrective and preventive actions"),
    )


# --- Opening an action ---------------------------------------------------------------------------


def not_allowed(request: HttpRequest, message: Any) -> HttpResponse:
    return render(request, "improvement/not_allowed.html", {"message": message}, status=403)


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], Complaint | None, MonthlyReport | None]:
    """Initial values from ``?complaint=``, ``?half_year_line=`` or ``?report=``; a record out
    of scope is 404."""
    initial: dict[str, Any] = {"kind": ActionKind.CORRECTIVE}
    complaint = report = None
    params = Params(request.GET)
    complaint_id, report_id = params.id("complaint"), params.id("report")
    if params.raw("complaint").strip():
        scoped = complaints_for(request.user).select_related("department")
        complaint = scoped.filter(pk=complaint_id).first() if complaint_id else None
        if complaint is None:
            raise Http404
        initial.update(
            source=Source.GRIEVANCE if complaint.kind == Kind.GRIEVANCE else Source.COMPLAINT,
            source_complaint=complaint.number,
            department=complaint.department_id,
        )
    elif params.raw("half_year_line").strip():
        line_id = params.id("half_year_line")
        line = (
            half_year_lines_for(request.user).select_related("statistics").filter(pk=line_id).first()
            if line_id is not None
            else None
        )
        if line is None:
            raise Http404
        initial.update(
            source=Source.HALF_YEAR_STATISTICS,
            source_half_year_line=line.pk,
            department=line.statistics.office_id,
            title=line.summary[:200],
            problem=line.summary,
        )
    elif params.raw("report").strip():
        report = sources.find_report(request.user, report_id) if report_id is not None else None
        if report is None:
            raise Http404
        initial.update(source=Source.MONTHLY_REPORT, source_report=report.pk, department=report.department_id)
    return initial, complaint, report


def _complaint_pk(number: str) -> int | None:
    """The complaint a typed number names; its scope is checked by the service."""
    number = number.strip().upper()
    if not number:
        return None
    pk = Complaint.objects.filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        raise InvalidInput(_("No such complaint in your scope."), field="source_complaint")
    return pk


def _form_context(form: OpenActionForm, user: Actor) -> dict[str, Any]:
    """The source records the (bound or initial) form points at, to show them beside the form."""
    raw = form.data if form.is_bound else form.initial
    number = str(raw.get("source_complaint") or "").strip().upper()
    complaint = complaints_for(user).filter(number=number).first() if number else None
    report_pk = str(raw.get("source_report") or "")
    report = sources.find_report(user, int(report_pk)) if report_pk.isdigit() else None
    line_pk = str(raw.get("source_half_year_line") or "")
    line = (
        half_year_lines_for(user).select_related("statistics__office").filter(pk=int(line_pk)).first()
        if line_pk.isdigit()
        else None
    )
    return {
        "form": form,
        "half_year_line": line,
        "complaint": complaint,
        "report": report,
        "report_name": sources.report_name(report) if report else "",
        "report_url": sources.report_url(report) if report else "",
    }


# Written out rather than a core.web FormStep: it makes a new record (no record to load first),
# and a refusal of the opener's role is the "not allowed" page, not an error on the form.
@company_time
def create(request: HttpRequest) -> HttpResponse:
    if not may_open(request.user):
        return not_allowed(
            request,
            _("Department heads, the customer-service supervisor and the leadership open actions."),
        )
    if request.method != "POST":
        initial, _complaint, _report = _prefill(request)
        form = OpenActionForm(initial=initial, user=request.user)
        return render(request, "improvement/form.html", _form_context(form, request.user))
    form = OpenActionForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "improvement/form.html", _form_context(form, request.user), status=422)
    data = form.cleaned_data
    try:
        action = services.open_action(
            actor=request.user,
            kind=data["kind"],
            source=data["source"],
            title=data["title"],
            problem=data["problem"],
            department=data["department"],
            source_complaint=_complaint_pk(data["source_complaint"])
            if data["source"] in (Source.COMPLAINT, Source.GRIEVANCE)
            else None,
            source_report=data["source_report"] if data["source"] == Source.MONTHLY_REPORT else None,
            source_half_year_line=data["source_half_year_line"]
            if data["source"] == Source.HALF_YEAR_STATISTICS
            else None,
            source_reference=data["source_reference"],
        )
    except ServiceError as error:
        if error.status == 403:
            return not_allowed(request, error.message)
        put_error(form, error)
        return render(
            request, "improvement/form.html", _form_context(form, request.user), status=error.status
        )
    messages.success(request, _("Action %(number)s opened.") % {"number": action.number})
    return redirect("improvement:detail", action.pk)
