"""The form that writes or edits a notice to customers (SPEC C-2): the lead time is checked
against the moment the notice would go out (its publish time, or now) before anything is
stored, so that a late work notice asks for its reason here rather than at the Publish button
(decision 0032); publishing and scheduling check it again. A stale edit shows both texts.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from estatedesk.communication import kinds, selectors
from estatedesk.communication.forms_notices import NoticeForm, unit_labels
from estatedesk.communication.models import Audience, Notice, NoticeKind
from estatedesk.communication.services import notices as services
from estatedesk.communication.views.notices import may_write, not_allowed, scoped_notice
from estatedesk.communication.workflow import NOTICE
from estatedesk.core import richtext
from estatedesk.core.actors import Actor
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput, ServiceError, StaleEdit
from estatedesk.core.versioning import Comparison, StaleView, show_stale, version_initial
from estatedesk.core.web import company_time, hidden_errors_on_top, put_error

# --- The form ------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: NoticeForm, notice: Notice | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "communication/notices/form.html",
        {
            "form": form,
            "notice": notice,
            "lead_hours": form.lead_hours,
            "work_kinds": json.dumps(sorted(str(k) for k in kinds.WORK_KINDS)),
            "audiences": json.dumps({str(k): list(kinds.audiences_for(k)) for k in NoticeKind.values}),
        },
        status=status,
    )


def _draft(form: NoticeForm, estate: int) -> services.NoticeDraft:
    data = form.cleaned_data
    return services.NoticeDraft(
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        estate=estate,
        buildings=list(data.get("buildings") or []),
        units=[u.pk for u in form.resolved_units],
        audience=data.get("audience") or Audience.HOUSEHOLDS.value,
        starts_at=data.get("starts_at"),
        ends_at=data.get("ends_at"),
        publish_at=data.get("publish_at"),
        channels=list(data.get("channels") or []),
        urgent=bool(data.get("urgent")),
        late_reason=data.get("late_reason") or "",
    )


def check_lead_time(draft: services.NoticeDraft, lead_hours: int) -> None:
    """A work notice that would go out (at its publish time, or now) later than the lead time
    before the work asks for its reason here, on the form, before anything is stored."""
    when = draft.publish_at or now()
    if (
        draft.starts_at is not None
        and kinds.is_late(draft.kind, publish_at=when, starts_at=draft.starts_at, lead_hours=lead_hours)
        and not draft.late_reason.strip()
    ):
        raise InvalidInput(services.late_message(draft.starts_at, lead_hours), field="late_reason")


def _plain_stale(form: NoticeForm) -> None:
    """The conflict shows texts, not the body's HTML: both sides read as the page would."""
    stale = getattr(form, "stale_edit", None)
    if stale is None:
        return
    body = str(form.fields["body"].label)
    rows = [
        Comparison(r.label, richtext.plain(r.theirs), richtext.plain(richtext.clean(r.yours)))
        if r.label == body
        else r
        for r in stale.rows
    ]
    form.stale_edit = StaleView(rows, stale.saved_by, stale.saved_at)  # type: ignore[attr-defined]


@company_time
def notice_create(request: HttpRequest) -> HttpResponse:
    user: Actor = request.user
    if not may_write(user):
        return not_allowed(request)
    lead = services.lead_hours()
    if request.method != "POST":
        initial: dict[str, Any] = {"channels": [kinds.PORTAL]}
        estates = list(selectors.estates_for(user)[:2])
        if len(estates) == 1:
            initial["estate"] = estates[0].pk
        return _form_page(request, NoticeForm(initial=initial, user=user, lead_hours=lead))
    form = NoticeForm(request.POST, user=user, lead_hours=lead)
    if not form.is_valid():
        return _form_page(request, form, status=422)
    draft = _draft(form, form.cleaned_data["estate"])
    try:
        check_lead_time(draft, lead)
        notice = services.create_notice(actor=user, draft=draft)
    except ServiceError as error:
        put_error(form, error)
        return _form_page(request, form, status=error.status)
    messages.success(request, _("Notice %(number)s saved as a draft.") % {"number": notice.number})
    return redirect("communication:notice_detail", notice.pk)


def _edit_initial(notice: Notice) -> dict[str, Any]:
    return {
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "estate": notice.estate_id,
        "buildings": list(notice.buildings.values_list("pk", flat=True)),
        "units": unit_labels(notice.units.select_related("building").order_by("building__name", "number")),
        "audience": notice.audience,
        "starts_at": notice.starts_at,
        "ends_at": notice.ends_at,
        "publish_at": notice.publish_at,
        "channels": list(notice.channels),
        "urgent": notice.urgent,
        "late_reason": notice.late_reason,
        **version_initial(notice),
    }


@company_time
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = scoped_notice(request, pk)  # 404 out of scope, before anything else
    user: Actor = request.user
    if not may_write(user):
        return not_allowed(request)
    if not NOTICE.get("edit").allows(notice.status):
        messages.info(request, _("A notice that has gone out, or was cancelled, is no longer edited."))
        return redirect("communication:notice_detail", notice.pk)
    lead = notice.lead_hours
    if request.method != "POST":
        form = NoticeForm(initial=_edit_initial(notice), user=user, notice=notice, lead_hours=lead)
        return _form_page(request, form, notice)
    # The estate is shown, not posted (a disabled field): its value is the notice's.
    form = NoticeForm(
        request.POST, initial={"estate": notice.estate_id}, user=user, notice=notice, lead_hours=lead
    )
    if not form.is_valid():
        hidden_errors_on_top(form)
        return _form_page(request, form, notice, 422)
    draft = _draft(form, notice.estate_id)
    try:
        check_lead_time(draft, lead)
        services.edit_notice(
            actor=user, notice=notice.pk, draft=draft, based_on=form.cleaned_data["based_on_version"]
        )
    except ServiceError as error:
        put_error(form, error)
        if isinstance(error, StaleEdit):
            show_stale(form, error)
            _plain_stale(form)
        return _form_page(request, form, scoped_notice(request, pk), error.status)
    messages.success(request, _("Notice saved."))
    return redirect("communication:notice_detail", notice.pk)
