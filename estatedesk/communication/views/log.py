"""The communication log's pages (SPEC C-4, §7.1.10): the list with its filters and Excel
export, a new contact, and a contact's page with its follow-ups and steps.

Each step on a contact posts to its own URL (``core.web.form_step_view``): the contact is looked
up in the user's scope first (404 outside it), the step's one service is called, and a refusal
shows the page again with the message next to its field and everything typed kept. A step on a
follow-up names it in a hidden field (URLs take only the contact's ``pk``). Names of owners,
committee members and others are masked for staff who may not see them (``log_display``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from estatedesk.communication import log_selectors, selectors
from estatedesk.communication.forms_log import ContactEditForm, ContactForm, FinishForm, FollowUpForm
from estatedesk.communication.log_display import counterpart_text, others_text, staff_text
from estatedesk.communication.models import Contact, Counterpart
from estatedesk.communication.services import log as services
from estatedesk.core import policy
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import ServiceError
from estatedesk.core.paging import IdsFirstPaginator
from estatedesk.core.params import Params
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.core.xlsx import NoteRow, workbook_response
from estatedesk.org import channels as org_channels

PAGE_SIZE = 50
EXPORT_LIMIT = 20000


def _filters(request: HttpRequest) -> tuple[log_selectors.LogFilters, Params, dict[str, str]]:
    params = Params(request.GET)
    estates = {str(e.pk) for e in selectors.estates_for(request.user)}
    estate = params.choice("estate", estates, _("estate"))
    channel = params.choice("channel", list(org_channels.names()), _("channel"))
    counterpart = params.choice("counterpart", Counterpart.values, _("with"))
    state = params.choice("state", log_selectors.STATES, _("status"))
    date_from, date_to = params.day("from"), params.day("to")
    text = params.text("q")
    filters = log_selectors.LogFilters(
        estate=int(estate) if estate else None,
        channel=channel,
        counterpart=counterpart,
        state=state,
        date_from=date_from,
        date_to=date_to,
        text=text,
    )
    kept = {
        "estate": estate,
        "channel": channel,
        "counterpart": counterpart,
        "state": state,
        "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
        "q": text,
    }
    return filters, params, {k: v for k, v in kept.items() if v}


def _row(contact: Contact, names: bool, channel_names: dict[str, str]) -> dict[str, Any]:
    return {
        "contact": contact,
        "channel": channel_names.get(contact.channel, contact.channel),
        "who": counterpart_text(contact, names=names),
    }


@require_GET
@company_time
def contact_list(request: HttpRequest) -> HttpResponse:
    filters, params, kept = _filters(request)
    rows = log_selectors.contact_rows(request.user, filters)
    page = IdsFirstPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = policy.can_see_contact_names(request.user)
    channel_names = org_channels.names()
    return render(
        request,
        "communication/log/list.html",
        {
            "page": page,
            "rows": [_row(c, names, channel_names) for c in page.object_list],
            "filters": kept,
            "notes": params.notes,
            "querystring": urlencode(kept),
            "estates": list(selectors.estates_for(request.user)),
            "channels": org_channels.choices(org_channels.Use.LOG),
            "counterparts": Counterpart.choices,
            "states": [
                (log_selectors.OPEN, _("Open follow-ups")),
                (log_selectors.OVERDUE, pgettext("contact", "Overdue follow-ups")),
            ],
            "can_create": services.may_write(request.user),
        },
    )


@require_GET
@company_time
def contact_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook; names masked as on the page (D-3)."""
    filters, _params, _kept = _filters(request)
    names = policy.can_see_contact_names(request.user)
    channel_names = org_channels.names()
    counterparts = dict(Counterpart.choices)
    rows = log_selectors.contact_rows(request.user, filters).prefetch_related("follow_ups__owner")
    headers = [
        _("Number"),
        _("Estate"),
        _("Management office"),
        pgettext("contact", "When"),
        pgettext("contact", "Subject"),
        _("Channel"),
        pgettext("contact", "With"),
        _("Who"),
        pgettext("contact", "Staff present"),
        pgettext("contact", "Others present"),
        pgettext("contact", "What was said"),
        pgettext("contact", "Follow-ups"),
        _("Open follow-ups"),
        pgettext("contact", "Overdue follow-ups"),
        _("Recorded by"),
    ]

    def lines() -> Any:
        zone = timezone.get_current_timezone()
        for n, contact in enumerate(rows.iterator(chunk_size=500)):
            if n >= EXPORT_LIMIT:
                yield NoteRow(
                    [
                        _("Only the first %(count)d records are exported: narrow the filters.")
                        % {"count": EXPORT_LIMIT}
                    ]
                )
                return
            follow_ups = "\n".join(
                f"{f.due_date:%Y-%m-%d} {f.owner.display_name}: {f.description}"
                + (f" ✓ {f.result}" if f.done_at else "")
                for f in contact.follow_ups.all()
            )
            yield [
                contact.number,
                contact.estate.name,
                contact.office.name if contact.office else "",
                contact.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                contact.subject,
                channel_names.get(contact.channel, contact.channel),
                str(counterparts.get(contact.counterpart, contact.counterpart)),
                counterpart_text(contact, names=names),
                staff_text(contact),
                others_text(contact, names=names),
                contact.summary,
                follow_ups,
                contact.open_count,  # type: ignore[attr-defined]
                contact.overdue_count,  # type: ignore[attr-defined]
                contact.created_by_name,
            ]

    return workbook_response(request, "communication-log", headers, lines(), sheet=_("Communication log"))


def _create_page(request: HttpRequest, form: ContactForm, status: int = 200) -> HttpResponse:
    return render(request, "communication/log/create.html", {"form": form}, status=status)


def _not_allowed(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Not allowed"),
            "message": _("Your role cannot do this: %(step)s.") % {"step": services.RECORD.label},
            "status": 403,
        },
        status=403,
    )


# Written out rather than a FormStep: it makes a new record (no record to load first).
@company_time
def contact_create(request: HttpRequest) -> HttpResponse:
    if not services.may_write(request.user):
        return _not_allowed(request)
    if request.method != "POST":
        estates = list(selectors.estates_for(request.user)[:2])
        initial: dict[str, Any] = {"occurred_at": timezone.localtime(now()).replace(second=0, microsecond=0)}
        if len(estates) == 1:
            initial["estate"] = estates[0].pk
        return _create_page(request, ContactForm(initial=initial, user=request.user))
    form = ContactForm(request.POST, user=request.user)
    if not form.is_valid():
        return _create_page(request, form, 422)
    try:
        contact = services.record_contact_entry(actor=request.user, **form.service_arguments())
    except ServiceError as error:
        put_error(form, error)
        return _create_page(request, form, error.status)
    messages.success(
        request, _("Contact %(number)s recorded. Add the follow-ups agreed.") % {"number": contact.number}
    )
    return redirect("communication:contact_detail", contact.pk)


# --- The contact's page ----------------------------------------------------------------------


def _contact(request: HttpRequest, pk: int) -> Contact:
    contact = log_selectors.get_contact(request.user, pk)
    if contact is None:
        raise Http404
    return contact


def render_detail(
    request: HttpRequest, contact: Contact, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    failed = failed or {}
    names = policy.can_see_contact_names(user)
    writer = services.may_write(user)
    failed_at = failed.get("at")
    follow_ups = log_selectors.follow_ups_of(contact, company_today())
    for f in follow_ups:
        f.may_finish = f.done_at is None and services.may_finish(user, f)  # type: ignore[attr-defined]
        mine = failed_at == f.pk
        f.finish_form = (failed.get("finish") if mine else None) or FinishForm(  # type: ignore[attr-defined]
            initial={"follow_up": f.pk}, user=user, auto_id=f"id_finish{f.pk}_%s"
        )
        f.finish_open = mine  # type: ignore[attr-defined]
    edit_initial = {"subject": contact.subject, "summary": contact.summary, **version_initial(contact)}
    context = {
        "contact": contact,
        "channel": org_channels.name_of(contact.channel),
        "who": counterpart_text(contact, names=names),
        "others": others_text(contact, names=names),
        "staff": staff_text(contact),
        "follow_ups": follow_ups,
        "writer": writer,
        "open_step": failed.get("name", ""),
        "edit_form": failed.get("edit")
        or ContactEditForm(initial=edit_initial, user=user, auto_id="id_edit_%s"),
        "follow_up_form": failed.get("follow_up")
        or FollowUpForm(estate=contact.estate_id, user=user, auto_id="id_follow_%s"),
    }
    return render(request, "communication/log/detail.html", context, status=status)


@require_GET
@company_time
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _contact(request, pk))


def _back(contact: Contact) -> str:
    return reverse("communication:contact_detail", args=[contact.pk])


def _hidden(form: Any, field: str) -> int | None:
    value = form.data.get(form.add_prefix(field))
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _step(name: str, build: Any, run: Any, at: Any = None, anchor: str = "") -> Any:
    def show(request: HttpRequest, contact: Contact, form: Any, status: int) -> HttpResponse:
        failed: dict[str, Any] = {name: form, "name": name}
        if at is not None:
            failed["at"] = at(form)
        return render_detail(request, contact, failed=failed, status=status)

    def back(contact: Contact) -> str:
        return f"{_back(contact)}#{anchor}" if anchor else _back(contact)

    return form_step_view(
        FormStep(load=_contact, form=build, run=run, render=show, back=back, name=f"contact_{name}")
    )


def _run_edit(request: HttpRequest, contact: Contact, form: ContactEditForm) -> str:
    data = form.cleaned_data
    services.edit_contact(
        actor=request.user,
        contact=contact.pk,
        based_on=data["based_on_version"],
        subject=data["subject"],
        summary=data["summary"],
    )
    return _("Contact saved.")


def _run_follow_up(request: HttpRequest, contact: Contact, form: FollowUpForm) -> str:
    data = form.cleaned_data
    services.add_follow_up(
        actor=request.user,
        contact=contact.pk,
        description=data["description"],
        owner=data["owner"],
        due_date=data["due_date"],
    )
    return _("Follow-up added.")


def _run_finish(request: HttpRequest, contact: Contact, form: FinishForm) -> str:
    data = form.cleaned_data
    services.finish_follow_up(
        actor=request.user, contact=contact.pk, follow_up=data["follow_up"], result=data["result"]
    )
    return _("Follow-up recorded as done.")


def _edit_form(request: HttpRequest, contact: Contact, data: Any) -> ContactEditForm:
    return ContactEditForm(data, user=request.user, auto_id="id_edit_%s")


def _follow_up_form(request: HttpRequest, contact: Contact, data: Any) -> FollowUpForm:
    return FollowUpForm(data, estate=contact.estate_id, user=request.user, auto_id="id_follow_%s")


def _finish_form(request: HttpRequest, contact: Contact, data: Any) -> FinishForm:
    pk = _hidden(FinishForm(data), "follow_up")
    return FinishForm(data, user=request.user, auto_id=f"id_finish{pk}_%s")


contact_edit = _step("edit", _edit_form, _run_edit)
contact_follow_up_add = _step("follow_up", _follow_up_form, _run_follow_up, anchor="follow-ups")
contact_follow_up_done = _step(
    "finish", _finish_form, _run_finish, at=lambda form: _hidden(form, "follow_up"), anchor="follow-ups"
)
