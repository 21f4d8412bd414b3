"""Complaint lists: "My work", the department list with its filters, and its Excel export.

Every row shows its due state (SPEC K-5). Lists read through ``selectors.complaint_list``,
so scope (P-1) and the related rows come in one query, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.complaints import batch, forms_actions, selectors, workflow
from estatedesk.complaints.deadlines import DueState, SoonWindows
from estatedesk.complaints.models import OPEN_STATUSES, Category, Complaint, Kind, Status
from estatedesk.complaints.views import list_rows
from estatedesk.complaints.views.common import DUE_LABELS
from estatedesk.core import crypto, policy
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import text_in
from estatedesk.core.models import CompanySettings
from estatedesk.core.paging import CappedPaginator, IdsOf
from estatedesk.core.params import Params
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.org import channels
from estatedesk.org import selectors as org_selectors

PAGE_SIZE = 50
EXPORT_MAX = 50_000

DUE_FILTERS = (DueState.DUE, DueState.DUE_SOON, DueState.OVERDUE)
VALIDITY = {
    "valid": (gettext_lazy("Valid"), Q(valid=True)),
    "invalid": (gettext_lazy("Invalid"), Q(valid=False)),
    "undecided": (gettext_lazy("Not decided yet"), Q(valid__isnull=True)),
}


@dataclass
class Clock:
    """The time a request looks at, and the company settings it needs, read once."""

    now: datetime
    zone: ZoneInfo
    windows: SoonWindows

    @classmethod
    def load(cls) -> Clock:
        company = CompanySettings.load()
        return cls(timezone.now(), company_zone(company), selectors.soon_windows(company))

    def state(self, complaint: Complaint) -> DueState:
        return selectors.due_state_of(complaint, self.now, self.windows)


# --- Filters ----------------------------------------------------------------------------------


@dataclass
class ListFilters:
    """What the department list was asked for; bad values are dropped with a note, never a 500."""

    values: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    choices: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    # The departments a complaint may be forwarded to (the bulk bar's), read with the filter's.
    forward_to: list[tuple[str, str]] = field(default_factory=list)
    # The page's ids in the list's order read another way (``selectors.newest_ids_by_halves``).
    newest_ids: IdsOf | None = None

    def fields(self) -> list[tuple[str, Any, SafeString]]:
        """(key, label, options) of each select, for the filter form; the options' markup is
        written here, as the rows' is (about 50 options through the template engine cost as
        much as the rest of the form)."""
        return [
            (key, FILTER_LABELS[key], _options(choices, self.values.get(key, "")))
            for key, choices in self.choices.items()
        ]


def _options(choices: list[tuple[str, Any]], current: str) -> SafeString:
    return mark_safe(  # noqa: S308 - values and labels escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == current else ""}>{escape(str(text))}</option>'
            for value, text in choices
        )
    )


def _choice_lists(user: RequestUser) -> tuple[dict[str, list[tuple[str, Any]]], list[tuple[str, str]]]:
    """The filters' choices, and the active departments among them (``forward_to``): the same
    rows as ``forms_actions.company_departments``, in its order, without a second query."""
    departments = list(
        org_selectors.departments_for(user)
        .filter(developer__isnull=True)
        .select_related(None)
        .values_list("pk", "name", "active")
    )
    language = get_language()
    choices: dict[str, list[tuple[str, Any]]] = {
        "estate": [(str(pk), name) for pk, name in org_selectors.estates_for(user).values_list("pk", "name")],
        "department": [(str(pk), name) for pk, name, _active in departments],
        "status": [(v, label) for v, label in Status.choices],
        "kind": [(v, label) for v, label in Kind.choices],
        "category": [
            (str(pk), text_in(language, hans, hant, en))  # str(category), without the model instances
            for pk, hans, hant, en in Category.objects.values_list(
                "pk", "name_zh_hans", "name_zh_hant", "name_en"
            )
        ],
        "validity": [(k, label) for k, (label, _q) in VALIDITY.items()],
        "due": [(str(s), DUE_LABELS[s]) for s in DUE_FILTERS],
    }
    return choices, [(str(pk), name) for pk, name, active in departments if active]


FILTER_LABELS = {
    "estate": gettext_lazy("estate"),
    "department": gettext_lazy("department"),
    "status": gettext_lazy("status"),
    "kind": gettext_lazy("kind"),
    "category": gettext_lazy("category"),
    "validity": gettext_lazy("validity"),
    "due": gettext_lazy("deadline"),
}


def filter_complaints(request: HttpRequest, clock: Clock) -> tuple[QuerySet[Complaint], ListFilters]:
    """The department list's filters, shared by the page and its export (same rows, same scope:
    ``selectors.complaint_list``, with an open status or a due filter carried into each half of
    the scope so that each is a range of an open records' index, decision 0065)."""
    params = Params(request.GET)
    choice_lists, forward_to = _choice_lists(request.user)
    result = ListFilters(choices=choice_lists, forward_to=forward_to)
    for key, choices in result.choices.items():
        value = params.choice(key, (v for v, _label in choices), FILTER_LABELS[key])
        if value:
            result.values[key] = value
    chosen = result.values
    due = selectors.due_state_q(chosen["due"], clock.now, clock.windows) if "due" in chosen else None
    within = selectors.open_within(chosen.get("status"), due)
    carried = {"due"} | ({"status"} if chosen.get("status") in OPEN_STATUSES else set())
    conditions: list[Q] = []
    for key, value in list(chosen.items()):
        if key in carried:
            continue  # in the scope's halves already
        if key == "validity":
            conditions.append(VALIDITY[value][1])
        else:
            column = {"estate": "estate_id", "department": "department_id", "category": "category_id"}
            conditions.append(Q(**{column.get(key, key): value}))
    days = {key: day for key in ("from", "to") if (day := params.day(key)) is not None}
    if "from" in days and "to" in days and days["from"] > days["to"]:
        days["from"], days["to"] = days["to"], days["from"]
        params.notes.append(_("The dates were the wrong way round; they were swapped."))
    if "from" in days:
        result.values["from"] = days["from"].isoformat()
        conditions.append(Q(received_at__gte=datetime.combine(days["from"], time.min, clock.zone)))
    if "to" in days:
        result.values["to"] = days["to"].isoformat()
        end = datetime.combine(days["to"] + timedelta(days=1), time.min, clock.zone)
        conditions.append(Q(received_at__lt=end))
    result.notes = params.notes
    text = params.text("q")
    if text:
        result.values["q"] = text
        match = (
            Q(number__icontains=text) | Q(description__icontains=text) | Q(complainant_name__icontains=text)
        )
        if selectors.is_number(text):
            match = Q(number=text.upper())  # a whole number: the unique index, not a scan
        elif crypto.is_valid_phone(text):
            match |= Q(phone_index=crypto.blind_index(text))
        conditions.append(match)
    if within is not None:
        # Narrowed to open records: the page's order from the scope's halves apart (0065).
        result.newest_ids = selectors.newest_ids_by_halves(
            request.user, Complaint.objects.filter(within, *conditions)
        )
    return selectors.complaint_list(request.user, within).filter(*conditions), result


def _page(request: HttpRequest, queryset: QuerySet[Complaint], ids_of: IdsOf | None = None) -> Any:
    """The page of rows, each a named tuple of ``list_rows.COLUMNS`` (``ids_of``: the
    paginator's, a faster reading of the page's ids in the same order)."""
    paginator = CappedPaginator(queryset, PAGE_SIZE, shape=list_rows.shape, ids_of=ids_of)
    return paginator.get_page(request.GET.get("page"))


def _rows(
    request: HttpRequest, page: Any, clock: Clock, forward_to: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """Each row's due state, whether the user may take it (接手) and its markup
    (``list_rows``); the checkboxes and bar of the bulk actions for those who handle
    complaints. No query of its own where ``forward_to`` (the departments of the bar's
    "forward", already read by the filters) is given; one for them otherwise."""
    staff, departments = batch.staff_departments(request.user)
    rows = page.object_list
    states = [clock.state(row) for row in rows]
    takeable = [batch.may_take(staff, departments, row) for row in rows]
    bulk = staff is not None and staff.role in workflow.HANDLING_ROLES and bool(rows)
    context: dict[str, Any] = {
        "rows": list_rows.write_rows(rows, states, takeable, clock.zone, bulk=bulk),
        "bulk": bulk,
    }
    if bulk:
        form = forms_actions.BulkAssignForm(user=request.user, auto_id="bulk_%s", departments=forward_to)
        context.update(bulk_form=form, next_url=request.get_full_path())
    return context


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Pages ------------------------------------------------------------------------------------


def my_work(user: RequestUser) -> QuerySet[Complaint]:
    """Open complaints the user handles, and unassigned ones of the user's departments, soonest due first."""
    staff = policy.staff_of(user)
    if staff is None:
        return Complaint.objects.none()
    departments = policy.own_department_ids(user)
    return (
        selectors.complaint_list(user)
        .filter(open=True)
        .filter(Q(handler=staff) | Q(handler__isnull=True, department__in=departments))
        .order_by(F("reply_due").asc(nulls_last=True), "-received_at", "-id")
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    clock = Clock.load()
    with timezone.override(clock.zone):
        page = _page(request, my_work(request.user))
        return render(
            request,
            "complaints/mine.html",
            {
                "page": page,
                "querystring": _querystring(request),
                "due_labels": DUE_LABELS,
                **_rows(request, page, clock),
            },
        )


@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    clock = Clock.load()
    queryset, filters = filter_complaints(request, clock)
    with timezone.override(clock.zone):
        page = _page(request, queryset.order_by("-received_at", "-id"), filters.newest_ids)
        querystring = _querystring(request)
        return render(
            request,
            "complaints/list.html",
            {
                "page": page,
                "filters": filters,
                "filter_fields": filters.fields(),
                "more_filters": len([key for key in filters.values if key != "q"]),
                "f": filters.values,
                "querystring": querystring,
                "can_record": policy.role_of(request.user) in workflow.INTAKE_ROLES,
                **_rows(request, page, clock, filters.forward_to),
            },
        )


# --- Excel export (A-3) -------------------------------------------------------------------------


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("Yes") if value else _("No"))


def export_rows(
    queryset: QuerySet[Complaint], clock: Clock, *, see_names: bool, limit: int = EXPORT_MAX
) -> Iterator[Sequence[Any]]:
    """One row per complaint, streamed from the database; a note row if the limit cut it short."""
    validity = {True: _("Valid"), False: _("Invalid"), None: ""}
    channel_names = channels.names()
    for index, c in enumerate(queryset[: limit + 1].iterator(chunk_size=2000)):
        if index == limit:
            yield NoteRow(
                [
                    _(
                        "Only the first %(limit)s rows are exported. Narrow the filters (for example the dates) to export the rest."
                    )
                    % {"limit": f"{limit:,}"}
                ]
            )
            return
        name = c.complainant_name if see_names else crypto.mask_name(c.complainant_name)
        yield [
            c.number,
            c.get_kind_display(),
            c.get_status_display(),
            _local(c.received_at, clock.zone),
            c.estate.name,
            c.unit.label if c.unit else "",
            name,
            crypto.mask_phone(c.contact_phone),
            channel_names.get(c.channel, c.channel),
            str(c.category),
            c.department.name,
            c.handler.display_name if c.handler else "",
            validity[c.valid],
            _local(c.reply_due, clock.zone),
            str(DUE_LABELS[clock.state(c)]),
            _local(c.replied_at, clock.zone),
            _yes_no(c.on_time),
            c.description,
        ]


EXPORT_HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Kind"),
    gettext_lazy("Status"),
    gettext_lazy("Received at"),
    gettext_lazy("Estate"),
    gettext_lazy("Unit"),
    gettext_lazy("Complainant"),
    gettext_lazy("Contact phone"),
    gettext_lazy("Channel"),
    gettext_lazy("Category"),
    gettext_lazy("Department"),
    gettext_lazy("Handler"),
    gettext_lazy("Validity"),
    gettext_lazy("Reply due"),
    gettext_lazy("Deadline"),
    gettext_lazy("Replied at"),
    gettext_lazy("Replied on time"),
    gettext_lazy("Description"),
]


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    clock = Clock.load()
    queryset, _filters = filter_complaints(request, clock)
    rows = export_rows(
        queryset.order_by("-received_at", "-id"),
        clock,
        see_names=policy.can_see_contact_names(request.user),
    )
    return workbook_response(request, "complaints", EXPORT_HEADERS, rows, sheet=_("Complaint list"))
