"""The notice pages (SPEC C-2, C-3): the list and its workbook, the notice's page, and the
steps on it (schedule, publish now, cancel, withdraw, confirm the warning sign); the form that
writes or edits a notice is ``notice_form``.

Every read goes through ``selectors.notices_for`` (another estate's notice is 404 for every
method); every write is the step's one service in ``services.notices``, whose refusals land
next to their field with everything typed kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from estatedesk.communication import kinds, selectors
from estatedesk.communication.forms_notices import EmptyForm, ReasonForm, SignForm
from estatedesk.communication.models import Notice, NoticeEventKind, NoticeKind, NoticeRecipient
from estatedesk.communication.services import fanout
from estatedesk.communication.services import notices as services
from estatedesk.communication.workflow import NOTICE, WRITER_ROLES, NoticeStatus
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import now
from estatedesk.core.paging import CappedPaginator
from estatedesk.core.params import Params
from estatedesk.core.sorting import natural_key
from estatedesk.core.timeline import timeline_rows
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.org import channels as org_channels
from estatedesk.org.models import Building

PAGE_SIZE = 50
EXPORT_MAX = 50_000
FILTER_LABELS = {
    "estate": gettext_lazy("estate"),
    "kind": gettext_lazy("type"),
    "status": gettext_lazy("status"),
}
PUBLISHED = (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)


def may_write(user: Actor) -> bool:
    return policy.role_of(user) in WRITER_ROLES


def not_allowed(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Not allowed"),
            "message": _(
                "The management offices' staff and heads, the customer-service supervisor and the "
                "company's management write notices to customers."
            ),
            "status": 403,
            "home": True,
        },
        status=403,
    )


# --- The list ------------------------------------------------------------------------------------


@dataclass
class ListFilters:
    values: dict[str, str]
    notes: list[str]
    choices: dict[str, list[tuple[str, Any]]]

    def fields(self) -> list[tuple[str, Any, list[tuple[str, Any]], str]]:
        return [(key, FILTER_LABELS[key], ch, self.values.get(key, "")) for key, ch in self.choices.items()]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_notices(request: HttpRequest) -> tuple[QuerySet[Notice], ListFilters]:
    """The user's notices narrowed by the list's filters; a value not offered is dropped and noted."""
    user: Actor = request.user
    filters = ListFilters(
        values={},
        notes=[],
        choices={
            "estate": [(str(e.pk), e.name) for e in selectors.estates_for(user)],
            "kind": [(str(v), label) for v, label in NoticeKind.choices],
            "status": [(str(v), label) for v, label in NOTICE.states],
        },
    )
    params = Params(request.GET)
    # The moment a notice is dated by: published, else due to be, else written.
    rows = selectors.notices_for(user).annotate(dated=Coalesce("published_at", "publish_at", "created_at"))
    for key, choices in filters.choices.items():
        value = params.choice(key, (v for v, _label in choices), FILTER_LABELS[key])
        if value:
            filters.values[key] = value
            rows = rows.filter(**{"estate_id" if key == "estate" else key: value})
    if params.flag("urgent"):
        filters.values["urgent"] = "1"
        rows = rows.filter(urgent=True)
    q = params.text("q")
    if q:
        filters.values["q"] = q
        rows = rows.filter(Q(title__icontains=q) | Q(number__icontains=q))
    first, last = params.day("from"), params.day("to")
    if first is not None:
        filters.values["from"] = first.isoformat()
        rows = rows.filter(dated__gte=_day_start(first))
    if last is not None:
        filters.values["to"] = last.isoformat()
        rows = rows.filter(dated__lt=_day_start(last + timedelta(days=1)))
    filters.notes = params.notes
    return rows.select_related("estate").order_by("-dated", "-pk"), filters


def read_counts(notice_ids: Sequence[int]) -> dict[int, int]:
    """Households that read each published notice: one grouped query for a page of notices."""
    if not notice_ids:
        return {}
    rows = (
        NoticeRecipient.objects.filter(notice_id__in=list(notice_ids), read_at__isnull=False)
        .values("notice_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["notice_id"]: row["n"] for row in rows}


def share_text(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%" if whole else "—"


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@company_time
def notice_list(request: HttpRequest) -> HttpResponse:
    rows, filters = filter_notices(request)
    page = CappedPaginator(rows.prefetch_related("buildings"), PAGE_SIZE).get_page(request.GET.get("page"))
    published = [n.pk for n in page.object_list if n.status in PUBLISHED]
    reads = read_counts(published)
    for notice in page.object_list:
        notice.read_count = reads.get(notice.pk, 0)  # type: ignore[attr-defined]
        notice.read_share = (  # type: ignore[attr-defined]
            share_text(notice.read_count, notice.households) if notice.pk in published else ""  # type: ignore[attr-defined]
        )
    return render(
        request,
        "communication/notices/list.html",
        {
            "page": page,
            "filters": filters,
            "filter_fields": filters.fields(),
            "querystring": _querystring(request),
            "can_create": may_write(request.user),
        },
    )


EXPORT_HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Type"),
    gettext_lazy("Title"),
    gettext_lazy("Estate"),
    gettext_lazy("Buildings"),
    gettext_lazy("Work or event starts"),
    gettext_lazy("Work or event ends"),
    gettext_lazy("Status"),
    gettext_lazy("Publish at"),
    gettext_lazy("Published at"),
    gettext_lazy("Households"),
    gettext_lazy("Read"),
    gettext_lazy("Read share"),
    gettext_lazy("Urgent"),
    gettext_lazy("Reason for publishing late"),
    gettext_lazy("Written by"),
]


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(rows: QuerySet[Notice], limit: int = EXPORT_MAX) -> Iterator[Sequence[Any]]:
    chosen = list(rows.prefetch_related("buildings")[: limit + 1])
    reads = read_counts([n.pk for n in chosen if n.status in PUBLISHED])
    for index, notice in enumerate(chosen):
        if index == limit:
            yield NoteRow(
                [_("Only the first %(limit)s rows are exported; narrow the filters.") % {"limit": limit}]
            )
            return
        published = notice.status in PUBLISHED
        read = reads.get(notice.pk, 0)
        yield [
            notice.number,
            str(notice.get_kind_display()),
            notice.title,
            notice.estate.name,
            "、".join(b.name for b in notice.buildings.all()),
            _local(notice.starts_at),
            _local(notice.ends_at),
            str(notice.get_status_display()),
            _local(notice.publish_at),
            _local(notice.published_at),
            notice.households if published else "",
            read if published else "",
            share_text(read, notice.households) if published else "",
            _("Yes") if notice.urgent else "",
            notice.late_reason,
            notice.created_by_name,
        ]


@require_GET
@company_time
def notice_export(request: HttpRequest) -> HttpResponse:
    rows, _filters = filter_notices(request)
    return workbook_response(
        request, "customer-notices", EXPORT_HEADERS, export_rows(rows), sheet=_("Notices to customers")
    )


def scoped_notice(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.notices_for(request.user).select_related("estate").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


# --- The notice's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Who a published notice reached, how, and who read it."""

    households: int
    by_channel: list[tuple[str, int]]
    read: int
    unread: int
    read_share: str
    unread_not_contacted: int


def reach_of(notice: Notice, names: dict[str, str]) -> Reach:
    """Two grouped queries, whatever the number of households; ``names`` by channel code."""
    per_channel: Counter[str] = Counter()
    for row in (
        NoticeRecipient.objects.filter(notice=notice).values("channels").annotate(n=Count("pk")).order_by()
    ):
        for code in row["channels"] or []:
            per_channel[code] += row["n"]
    totals = NoticeRecipient.objects.filter(notice=notice).aggregate(
        total=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        waiting=Count("pk", filter=Q(read_at__isnull=True, contacted_at__isnull=True)),
    )
    total, read = totals["total"], totals["read"]
    return Reach(
        households=total,
        by_channel=[(names.get(code, code), n) for code, n in sorted(per_channel.items())],
        read=read,
        unread=total - read,
        read_share=share_text(read, total),
        unread_not_contacted=totals["waiting"],
    )


def _requirements(notice: Notice) -> dict[str, Any]:
    """What the notice's kind asks for (§7.1.4 – §7.1.9)."""
    work = kinds.is_work(notice.kind)
    latest = kinds.latest_publish(notice.starts_at, notice.lead_hours) if work and notice.starts_at else None
    went_out = notice.published_at or notice.publish_at
    return {
        "work": work,
        "latest": latest,
        "on_time": None if latest is None or went_out is None else went_out <= latest,
        "sign_required": notice.kind in kinds.SIGN_REQUIRED,
        "sign_offered": notice.kind in kinds.SIGN_OFFERED,
        "owners_only": notice.kind in kinds.OWNERS_ONLY_KINDS,
    }


def render_detail(
    request: HttpRequest, notice: Notice, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user: Actor = request.user
    failed = failed or {}
    role = policy.role_of(user)
    steps = {t.name for t in NOTICE.available(notice.status, None, role)}
    names = org_channels.names()
    published = notice.status in PUBLISHED
    events = notice.events.order_by("at", "pk")
    buildings = sorted(notice.buildings.all(), key=lambda b: natural_key(b.name))
    context = {
        "notice": notice,
        "buildings": buildings,
        # Where a photo of the posted sheet was taken: the notice's buildings, else the estate's.
        "evidence_buildings": buildings
        or sorted(Building.objects.filter(estate_id=notice.estate_id), key=lambda b: natural_key(b.name)),
        "units": list(notice.units.select_related("building").order_by("building__name", "number")),
        "channel_names": [names.get(code, code) for code in notice.channels],
        "needs": _requirements(notice),
        "reach": reach_of(notice, names) if published else None,
        # Before it goes out: how many households it would reach today.
        "preview": None if published else fanout.units_of(notice).count(),
        "evidence": list(notice.evidence.select_related("building")),
        "attachments": list(notice.attachments.all()),
        "steps": steps,
        "can_write": role in WRITER_ROLES,
        "can_edit": "edit" in steps,
        "open_step": failed.get("name", ""),
        "cancel_form": failed.get("cancel") or ReasonForm(auto_id="id_cancel_%s"),
        "withdraw_form": failed.get("withdraw") or ReasonForm(auto_id="id_withdraw_%s"),
        "sign_form": failed.get("sign") or SignForm(auto_id="id_sign_%s"),
        "step_form": failed.get("schedule") or failed.get("publish"),
        "timeline": timeline_rows(events, NOTICE, dict(NoticeEventKind.choices)),
        "in_future": notice.publish_at is not None and notice.publish_at > now(),
    }
    return render(request, "communication/notices/detail.html", context, status=status)


@require_GET
@company_time
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, scoped_notice(request, pk))


# --- Steps ------------------------------------------------------------------------------------------


def _back(notice: Notice) -> str:
    return reverse("communication:notice_detail", args=[notice.pk])


def _step(name: str, form_class: type, run: Any) -> Any:
    def build(request: HttpRequest, notice: Notice, data: Any) -> Any:
        return form_class(data, auto_id=f"id_{name}_%s")

    def show(request: HttpRequest, notice: Notice, form: Any, status: int) -> HttpResponse:
        return render_detail(request, notice, failed={name: form, "name": name}, status=status)

    return form_step_view(
        FormStep(load=scoped_notice, form=build, run=run, render=show, back=_back, name=f"notice_{name}")
    )


def _run_schedule(request: HttpRequest, notice: Notice, form: EmptyForm) -> str:
    done = services.schedule_notice(actor=request.user, notice=notice.pk)
    at = timezone.localtime(done.publish_at).strftime("%Y-%m-%d %H:%M") if done.publish_at else ""
    return _("Scheduled: it goes out at %(at)s.") % {"at": at}


def _run_publish(request: HttpRequest, notice: Notice, form: EmptyForm) -> str:
    done = services.publish_notice(actor=request.user, notice=notice.pk)
    return _("Published to %(count)d households.") % {"count": done.households}


def _run_cancel(request: HttpRequest, notice: Notice, form: ReasonForm) -> str:
    services.cancel_notice(actor=request.user, notice=notice.pk, reason=form.cleaned_data["reason"])
    return _("Notice cancelled.")


def _run_withdraw(request: HttpRequest, notice: Notice, form: ReasonForm) -> str:
    services.withdraw_notice(actor=request.user, notice=notice.pk, reason=form.cleaned_data["reason"])
    return _("Notice withdrawn: the portal shows it as withdrawn.")


def _run_sign(request: HttpRequest, notice: Notice, form: SignForm) -> str:
    data = form.cleaned_data
    services.confirm_sign(
        actor=request.user, notice=notice.pk, place=data["place"], placed_at=data.get("placed_at")
    )
    return _("Warning sign confirmed.")


notice_schedule = _step("schedule", EmptyForm, _run_schedule)
notice_publish = _step("publish", EmptyForm, _run_publish)
notice_cancel = _step("cancel", ReasonForm, _run_cancel)
notice_withdraw = _step("withdraw", ReasonForm, _run_withdraw)
notice_sign = _step("sign", SignForm, _run_sign)
