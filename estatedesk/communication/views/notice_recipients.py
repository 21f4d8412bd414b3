"""Who a notice reached (SPEC C-3, D-3): the recipients page, its export, a call or visit.

The page sums the households by building (reached by SMS, e-mail, the portal; read or not)
and lists them a page at a time (ids first, ``core.paging``: a notice may reach 50,000
households), filtered by building and by read / unread / "to phone or visit" (unread and not
yet contacted: for an urgent notice that list comes first). Each unread household of a
published notice has a small form to record the call or visit (``notices.record_contact``).

Households are listed by their unit. Names and phone numbers are not on the page nor in the
export: those who may see contact details get each occupant with the phone masked and the
"show full number" button of the customer register, which logs who asked (``org``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.communication import kinds, selectors
from estatedesk.communication.models import Notice, NoticeRecipient
from estatedesk.communication.services import fanout, notices
from estatedesk.communication.workflow import NOTICE, NoticeStatus
from estatedesk.core import policy
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.paging import IdsFirstPaginator
from estatedesk.core.params import Params
from estatedesk.core.sorting import natural_key
from estatedesk.core.web import company_time
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.org import channels as org_channels
from estatedesk.org.models import Occupancy

PAGE_SIZE = 50
capfirst_lazy = lazy(capfirst, str)
EXPORT_MAX = 100_000
ALL, TO_CONTACT, UNREAD, READ = "all", "to_contact", "unread", "read"
SHOW_LABELS = {
    ALL: pgettext_lazy("notice recipients", "All households"),
    TO_CONTACT: pgettext_lazy("notice recipients", "To phone or visit"),
    UNREAD: pgettext_lazy("notice recipients", "Not read"),
    READ: pgettext_lazy("notice recipients", "Read"),
}
KEPT_PARAMS = ("building", "show", "page")


def notice_or_404(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.notices_for(request.user).select_related("estate").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def can_record_contact(user: Any, notice: Notice) -> bool:
    transition = NOTICE.get("record_contact")
    return transition.allows(notice.status) and policy.role_of(user) in transition.roles


@dataclass
class BuildingSummary:
    building_id: int
    name: str
    households: int = 0
    sms: int = 0
    email: int = 0
    portal: int = 0
    read: int = 0
    contacted: int = 0

    @property
    def unread(self) -> int:
        return self.households - self.read


@dataclass
class Summary:
    buildings: list[BuildingSummary] = field(default_factory=list)

    def total(self) -> BuildingSummary:
        total = BuildingSummary(0, "")
        for b in self.buildings:
            for key in ("households", "sms", "email", "portal", "read", "contacted"):
                setattr(total, key, getattr(total, key) + getattr(b, key))
        return total


def _has(code: str) -> Q:
    # Channels are a JSON list of codes; its text holds each code in quotes on SQLite and
    # PostgreSQL alike (``contains`` on JSON is not portable to SQLite).
    return Q(channels__icontains=f'"{code}"')


def summary_of(notice: Notice) -> Summary:
    """Households by building in one grouped query."""
    rows = (
        NoticeRecipient.objects.filter(notice=notice)
        .values("building_id", "building__name")
        .annotate(
            households=Count("pk"),
            sms=Count("pk", filter=_has(kinds.SMS)),
            email=Count("pk", filter=_has(kinds.EMAIL)),
            portal=Count("pk", filter=_has(kinds.PORTAL)),
            read=Count("read_at"),
            contacted=Count("contacted_at"),
        )
        .order_by()
    )
    ordered = sorted(rows, key=lambda r: (natural_key(r["building__name"]), r["building_id"]))
    return Summary(
        [
            BuildingSummary(
                r["building_id"],
                r["building__name"],
                r["households"],
                r["sms"],
                r["email"],
                r["portal"],
                r["read"],
                r["contacted"],
            )
            for r in ordered
        ]
    )


def default_show(notice: Notice) -> str:
    """An urgent published notice opens on the households still to phone or visit."""
    return TO_CONTACT if notice.urgent and notice.status == NoticeStatus.PUBLISHED else ALL


@dataclass
class Filters:
    building: str = ""
    show: str = ALL
    notes: list[str] = field(default_factory=list)


def filter_recipients(
    data: QueryDict, notice: Notice, summary: Summary
) -> tuple[QuerySet[NoticeRecipient], Filters]:
    """The page's and the export's rows: the same filters."""
    params = Params(data)
    filters = Filters(show=default_show(notice))
    filters.building = params.choice(
        "building", (str(b.building_id) for b in summary.buildings), gettext_lazy("building")
    )
    filters.show = params.choice("show", SHOW_LABELS, gettext_lazy("households")) or filters.show
    filters.notes = params.notes
    rows = NoticeRecipient.objects.filter(notice=notice).select_related("unit", "building")
    if filters.building:
        rows = rows.filter(building_id=int(filters.building))
    if filters.show == READ:
        rows = rows.filter(read_at__isnull=False)
    elif filters.show == UNREAD:
        rows = rows.filter(read_at__isnull=True)
    elif filters.show == TO_CONTACT:
        rows = rows.filter(read_at__isnull=True, contacted_at__isnull=True)
    return rows.order_by("building_id", "unit__floor", "unit__number", "pk"), filters


def channel_text(codes: Sequence[str], names: dict[str, str]) -> str:
    return pgettext("list separator", ", ").join(names.get(code, code) for code in codes)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=capfirst_lazy(gettext_lazy("how")))
    outcome = forms.CharField(
        label=capfirst_lazy(gettext_lazy("outcome")),
        max_length=notices.OUTCOME_LENGTH,
        widget=forms.TextInput,
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = org_channels.choices(org_channels.Use.LOG)  # type: ignore[attr-defined]


def _kept_query(data: QueryDict) -> str:
    """The page's own parameters only, so the form brings the reader back where they were."""
    query = QueryDict(mutable=True)
    for key in KEPT_PARAMS:
        value = data.get(key, "")
        if isinstance(value, str) and value and len(value) <= 20:
            query[key] = value
    return query.urlencode()


def _occupants(unit_ids: list[int]) -> dict[int, list[Any]]:
    """The people of the page's unread households, for the "show full number" button."""
    found: dict[int, list[Any]] = {}
    if not unit_ids:
        return found
    rows = Occupancy.objects.filter(unit_id__in=unit_ids).select_related("customer").order_by("unit_id", "pk")
    for occupancy in rows:
        found.setdefault(occupancy.unit_id, []).append(occupancy.customer)
    return found


def _page(
    request: HttpRequest,
    notice: Notice,
    data: QueryDict,
    *,
    failed: tuple[int, ContactForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    summary = summary_of(notice)
    rows, filters = filter_recipients(data, notice, summary)
    page = IdsFirstPaginator(rows, PAGE_SIZE).get_page(data.get("page"))
    names = org_channels.names()
    contact_allowed = can_record_contact(request.user, notice)
    reveal = policy.can_reveal_contact(request.user) and notice.status == NoticeStatus.PUBLISHED
    unread_units = [r.unit_id for r in page.object_list if r.read_at is None]
    occupants = _occupants(unread_units) if reveal else {}
    for r in page.object_list:
        r.channel_names = channel_text(r.channels, names)  # type: ignore[attr-defined]
        r.contact_name = names.get(r.contact_channel, r.contact_channel)  # type: ignore[attr-defined]
        r.occupants = occupants.get(r.unit_id, [])  # type: ignore[attr-defined]
    query = QueryDict(mutable=True)
    for key in ("building", "show"):
        value = data.get(key)
        if isinstance(value, str) and value:
            query[key] = value
    failed_unit = None
    if failed is not None:
        failed_unit = (
            NoticeRecipient.objects.filter(notice=notice, unit_id=failed[0])
            .select_related("unit", "building")
            .first()
        )
    context = {
        "notice": notice,
        "summary": summary,
        "total": summary.total(),
        "page": page,
        "filters": filters,
        "show_choices": [
            (key, SHOW_LABELS[key])
            for key in (
                (TO_CONTACT, ALL, UNREAD, READ) if default_show(notice) == TO_CONTACT else SHOW_LABELS
            )
        ],
        "querystring": query.urlencode(),
        "back": _kept_query(data),
        "published": notice.status == NoticeStatus.PUBLISHED,
        "expected": fanout.units_of(notice).count()
        if notice.status in (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED)
        else None,
        "contact_allowed": contact_allowed,
        "contact_form": ContactForm() if contact_allowed else None,
        "failed_form": failed[1] if failed else None,
        "failed_unit": failed_unit,
        "reveal": reveal,
    }
    return render(request, "communication/notices/recipients.html", context, status=status)


@require_GET
@company_time
def recipients(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, notice_or_404(request, pk), request.GET)


@company_time
def contact(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """Record that an unread household was phoned or visited; 422 keeps what was typed."""
    notice = notice_or_404(request, pk)  # 404 out of scope, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ContactForm(request.POST)
    back_query = QueryDict(form.data.get("back", "") if isinstance(form.data.get("back", ""), str) else "")
    if form.is_valid():
        try:
            notices.record_contact(
                actor=request.user,
                notice=notice,
                unit=unit_id,
                channel=form.cleaned_data["channel"],
                outcome=form.cleaned_data["outcome"],
            )
        except NotFound:
            raise Http404 from None
        except (InvalidInput, NotAllowed, AlreadyHandled) as error:
            if isinstance(error, NotAllowed):
                form.add_error(None, str(error.message))
            else:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
            status = (
                403 if isinstance(error, NotAllowed) else 409 if isinstance(error, AlreadyHandled) else 422
            )
            return _page(request, notice, back_query, failed=(unit_id, form), status=status)
        messages.success(request, _("The call or visit is recorded."))
        url = reverse("communication:notice_recipients", args=[notice.pk])
        kept = _kept_query(back_query)
        return redirect(f"{url}?{kept}" if kept else url)
    if not NoticeRecipient.objects.filter(notice=notice, unit_id=unit_id).exists():
        raise Http404
    return _page(request, notice, back_query, failed=(unit_id, form), status=422)


EXPORT_HEADERS = [
    gettext_lazy("Building"),
    gettext_lazy("Unit"),
    pgettext_lazy("notice recipients", "Reached by"),
    capfirst_lazy(gettext_lazy("read at")),
    capfirst_lazy(gettext_lazy("contacted at")),
    capfirst_lazy(gettext_lazy("how")),
    capfirst_lazy(gettext_lazy("outcome")),
    capfirst_lazy(gettext_lazy("contacted by")),
]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(rows: QuerySet[NoticeRecipient], limit: int = EXPORT_MAX) -> Iterator[Sequence[Any]]:
    """Households by unit: no names, no phone numbers (SPEC D-3)."""
    names = org_channels.names()
    for index, r in enumerate(rows[: limit + 1].iterator(chunk_size=2000)):
        if index == limit:
            yield NoteRow(
                [_("Only the first %(limit)s rows are exported; narrow the filters.") % {"limit": limit}]
            )
            return
        yield [
            r.building.name,
            r.unit.number,
            channel_text(r.channels, names),
            _local(r.read_at),
            _local(r.contacted_at),
            names.get(r.contact_channel, r.contact_channel),
            r.contact_outcome,
            r.contacted_by_name,
        ]


@require_GET
@company_time
def recipients_export(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_or_404(request, pk)
    rows, _filters = filter_recipients(request.GET, notice, summary_of(notice))
    return workbook_response(
        request,
        f"notice-{notice.number}-recipients",
        EXPORT_HEADERS,
        export_rows(rows),
        sheet=_("Households reached"),
        list_name="notice-recipients",
        record={"notice": notice.number},
    )
