"""Printed forms (SPEC K-16) and the procedure's help page with its flowcharts (K-17).

Each form has an HTML print view and a PDF made from the very same template, in the
language of the request, filled from the records: the complaint handling record
(顧客投訴處理記錄表, §9.2), the work transfer slip (工作傳簽單, §9.3) and the work
arrangement notice (工作安排通知單, §9.4). Scope comes from the selectors, so a record
outside the user's estates is a 404 here as everywhere.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints import selectors, workflow
from estatedesk.complaints.chain import SKIPPED, slip_chain
from estatedesk.complaints.events import ComplaintEvent
from estatedesk.complaints.models import (
    Complaint,
    Event,
    ReplyManner,
    Satisfaction,
    SlipLevel,
    TransferSlip,
    VisitMethod,
    WorkNotice,
)
from estatedesk.complaints.views.common import person_name
from estatedesk.core import crypto, flowchart, policy, qr
from estatedesk.core import pdf as printing
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.i18n import is_traditional, join_list
from estatedesk.core.models import CompanySettings
from estatedesk.core.workflow import Workflow
from estatedesk.org.acting import name_acting
from estatedesk.org.models import Role

log = logging.getLogger(__name__)

DEADLINE_BASIS = {
    "requested": gettext_lazy("the reply time the customer asked for"),
    "urgent": gettext_lazy("urgent: clock hours"),
    "normal": gettext_lazy("not urgent: working days"),
    "invalid": gettext_lazy("invalid: explanation in working days"),
}


@dataclass(frozen=True)
class Signed:
    """A signature line on a form: who did it and when, from the records."""

    name: str
    at: datetime | None


def _page_path(*candidates: tuple[str, int]) -> str:
    """The first staff page that exists for the record (the slip and notice pages may not)."""
    for name, pk in candidates:
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return ""


def _absolute(request: HttpRequest, path: str) -> str:
    """For the QR code: a phone scanning the paper needs the whole address."""
    return request.build_absolute_uri(path) if path else ""


def _staff_name(staff: Any) -> str:
    return staff.display_name if staff is not None else ""


def _last(events: list[Event], *actions: ComplaintEvent) -> Event | None:
    found = [e for e in events if e.action in actions]
    return found[-1] if found else None


def _signed(event: Event | None, fallback: str = "") -> Signed:
    if event is None:
        return Signed("", None)
    return Signed(event.actor_name or fallback, event.at)


# --- The three forms ---------------------------------------------------------------------------


def _record(request: HttpRequest, pk: int) -> tuple[Complaint, dict[str, Any]]:
    c = selectors.get_complaint(request.user, pk)
    page = reverse("complaints:detail", args=[c.pk])
    context = record_context(
        c, complainant=person_name(request.user, c.complainant_name), qr_url=_absolute(request, page)
    )
    return c, context


def record_context(c: Complaint, *, complainant: str, qr_url: str = "") -> dict[str, Any]:
    """The record form's own context, without a request: the print view and the records
    archive (``complaints.retention``) fill the same template from it."""
    recorded, assessed_kinds, reply_kind = (
        (ComplaintEvent.RECORD, ComplaintEvent.RECORD_ANSWERED),
        (ComplaintEvent.ASSESS, ComplaintEvent.REASSESS),
        ComplaintEvent.REPLY,
    )
    events = list(c.events.filter(action__in=(*recorded, *assessed_kinds, reply_kind)).order_by("at", "id"))
    closing = c.events.filter(to_status=workflow.CLOSED).order_by("at", "id").last()
    created = _last(events, *recorded)
    reply_event = _last(events, reply_kind)
    if c.replied_by is not None or c.replied_at is not None:
        replied = Signed(_staff_name(c.replied_by), c.replied_at or (reply_event.at if reply_event else None))
    else:
        replied = _signed(reply_event)
    assessed = c.valid is not None
    ticks = {
        "valid": c.valid is True,
        "invalid": c.valid is False,
        "serious": assessed and c.serious,
        "not_serious": assessed and not c.serious,
        "urgent": assessed and c.urgent,
        "not_urgent": assessed and not c.urgent,
        "on_time": c.on_time is True,
        "late": c.on_time is False,
    }
    return {
        "c": c,
        "ticks": ticks,
        # Translators: the title of the paper form 顧客投訴處理記錄表 (§9.2)
        "form_title": _("Customer complaint handling record"),
        "form_ref": "§9.2",
        "number": c.number,
        "complainant": complainant,
        "phone": c.masked_phone,
        "recorded": _signed(created, _("Resident portal") if c.recorded_by_id is None else ""),
        "assessed": _signed(_last(events, *assessed_kinds)),
        "replied": replied,
        "closed": _signed(closing),
        "basis": DEADLINE_BASIS.get(c.due_basis, ""),
        "visits": list(c.visits.select_related("visitor")),
        "slips": list(c.slips.order_by("raised_at", "id")),
        "satisfaction_choices": Satisfaction.choices,
        "visit_methods": VisitMethod.choices,
        "reply_manners": ReplyManner.choices,
        "qr_url": qr_url,
        "back_url": reverse("complaints:detail", args=[c.pk]),
    }


def _slip(request: HttpRequest, pk: int) -> tuple[TransferSlip, dict[str, Any]]:
    slip = get_object_or_404(
        selectors.slips_for(request.user).select_related(
            "complaint__estate", "complaint__unit__building", "complaint__category", "result_by"
        ),
        pk=pk,
    )
    signatures = list(slip.signatures.select_related("signer"))
    states = {
        step.role: step.state
        for step in slip_chain(
            status=slip.status,
            first_signer=slip.first_signer,
            raised_by="",
            raised_at=slip.raised_at,
            signatures=signatures,
        )
    }
    levels = []
    for value, label in SlipLevel.choices:
        sig = next((s for s in signatures if s.level == value), None)
        who = name_acting(sig.signer.display_name, sig.acting_for) if sig is not None else ""
        # A level the slip went past without a signature is marked, so nobody signs it by hand.
        levels.append({"label": label, "sig": sig, "who": who, "skipped": states.get(value) == SKIPPED})
    c = slip.complaint
    page = _page_path(("complaints:slip_detail", slip.pk), ("complaints:detail", c.pk))
    context = {
        "slip": slip,
        "c": c,
        # Translators: the title of the paper form 工作傳簽單 (§9.3)
        "form_title": _("Work transfer slip"),
        "form_ref": "§9.3",
        "number": slip.number,
        "complainant": person_name(request.user, c.complainant_name),
        "levels": levels,
        "notices": list(slip.notices.select_related("department").order_by("issued_at", "id")),
        "qr_url": _absolute(request, page),
        "back_url": page,
    }
    return slip, context


def _notice(request: HttpRequest, pk: int) -> tuple[WorkNotice, dict[str, Any]]:
    notice = get_object_or_404(
        selectors.notices_for(request.user).select_related(
            "slip", "reported_by", "verified_by", "complaint__estate"
        ),
        pk=pk,
    )
    candidates = [("complaints:notice_detail", notice.pk)]
    if notice.complaint_id:
        candidates.append(("complaints:detail", notice.complaint_id))
    page = _page_path(*candidates)
    returned = notice.status == workflow.ISSUED and bool(notice.verification)
    context = {
        "notice": notice,
        # Translators: the title of the paper form 工作安排通知單 (§9.4)
        "form_title": _("Work arrangement notice"),
        "form_ref": "§9.4",
        "number": notice.number,
        "returned": returned,
        "accepted": notice.status == workflow.VERIFIED,
        "qr_url": _absolute(request, page),
        "back_url": page or reverse("complaints:help"),
    }
    return notice, context


FORMS: dict[str, tuple[Callable[[HttpRequest, int], tuple[Any, dict[str, Any]]], str]] = {
    "record": (_record, "complaints/print/record.html"),
    "slip": (_slip, "complaints/print/slip.html"),
    "notice": (_notice, "complaints/print/notice.html"),
}

# What the export audit calls each form's PDF.
DOCUMENTS = {"record": "complaint-record", "slip": "transfer-slip", "notice": "work-notice"}


def _show(request: HttpRequest, form: str, pk: int, *, pdf: bool) -> HttpResponse:
    load, template = FORMS[form]
    with timezone.override(company_zone()):
        obj, context = load(request, pk)
        staff = policy.staff_of(request.user)
        context.update(
            company=CompanySettings.load().name,
            printed_at=company_now(),
            printed_by=staff.display_name if staff else request.user.get_username(),
            qr=qr.svg_data_uri(context["qr_url"]) if context.get("qr_url") else "",
            html_url=reverse(f"complaints:{form}_print", args=[pk]),
            pdf_url=reverse(f"complaints:{form}_pdf", args=[pk]),
            pdf=pdf,
        )
        if not pdf:
            response = render(request, template, context)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if not printing.pdf_available():
            return render(request, "complaints/print/unavailable.html", context, status=503)
        html = render_to_string(template, context, request=request)
        footer = _("%(title)s %(number)s · printed %(time)s by %(person)s") % {
            "title": context["form_title"],
            "number": obj.number,
            "time": context["printed_at"].strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        try:
            data = printing.render_for(request, html, footer=footer)
        except (printing.PdfUnavailable, OSError):
            # Pango or its fonts broken at run time: the print view still works.
            log.exception("PDF of %s %s failed", form, obj.number)
            return render(request, "complaints/print/unavailable.html", context, status=503)
    record_export(
        request, list_name=DOCUMENTS[form], filters={"number": obj.number, "format": "pdf"}, row_count=None
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{obj.number}.pdf"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


def record_pdf_bytes(c: Complaint, *, printed_by: str) -> bytes:
    """The record form as a PDF without a request, for the records archive (SPEC D-2): the
    complainant's name masked as auditors see it, no QR code (the page will be gone).
    Raises ``PdfUnavailable`` where WeasyPrint cannot run."""
    with timezone.override(company_zone()):
        context = record_context(c, complainant=crypto.mask_name(c.complainant_name))
        context.update(
            company=CompanySettings.load().name,
            printed_at=company_now(),
            printed_by=printed_by,
            qr="",
            html_url="",
            pdf_url="",
            pdf=True,
        )
        html = render_to_string(FORMS["record"][1], context)
        footer = _("%(title)s %(number)s · printed %(time)s by %(person)s") % {
            "title": context["form_title"],
            "number": c.number,
            "time": context["printed_at"].strftime("%Y-%m-%d %H:%M"),
            "person": printed_by,
        }
        return printing.render_pdf(
            html,
            base_url="http://localhost/",
            footer=footer,
            page_template=_("Page %(page)s of %(pages)s"),
            traditional=is_traditional(),
        )


def record_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, "record", pk, pdf=False)


def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, "record", pk, pdf=True)


def slip_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, "slip", pk, pdf=False)


def slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, "slip", pk, pdf=True)


def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, "notice", pk, pdf=False)


def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, "notice", pk, pdf=True)


# --- Flowcharts and the help page ----------------------------------------------------------------


# The procedure's own charts, placed where the help page explains them; every other published
# chart (other apps publish theirs) follows in a section of its own. The rectification chart
# (§9.6) is the rectification app's, found by its name when that app published it.
PROCEDURE_CHARTS = ("complaint", "slip", "notice", "rectification_item")


def _svg(chart: flowchart.Chart) -> str:
    return flowchart.draw(chart.workflow, title=str(chart.title), traditional=is_traditional())


def _steps(wf: Workflow) -> list[dict[str, str]]:
    """The same table as text: for screen readers, phones and anyone who prefers reading."""
    states = dict(wf.states)
    roles = dict(Role.choices)
    order = [value for value, _label in Role.choices]
    rows = []
    for t in wf.transitions:
        who = sorted(t.roles, key=lambda r: order.index(r) if r in order else len(order))
        rows.append(
            {
                "name": t.name,
                "label": str(t.label),
                "from": join_list(str(states[s]) for s in t.sources) or _("(new record)"),
                "to": str(states[t.target]) if t.target else _("(state unchanged)"),
                "who": join_list(str(roles.get(r, r)) for r in who),
            }
        )
    return rows


def help_page(request: HttpRequest) -> HttpResponse:
    charts = [
        {
            "name": chart.name,
            "title": chart.title,
            "svg": mark_safe(_svg(chart)),  # noqa: S308 - built by flowchart.draw, every label escaped
            "steps": _steps(chart.workflow),
        }
        for chart in flowchart.published()
    ]
    return render(
        request,
        "complaints/help.html",
        {
            "charts": {c["name"]: c for c in charts if c["name"] in PROCEDURE_CHARTS},
            "other_charts": [c for c in charts if c["name"] not in PROCEDURE_CHARTS],
            "company": CompanySettings.load(),
        },
    )


def flowchart_svg(request: HttpRequest, name: str) -> HttpResponse:
    """Any published flowchart as an image, cacheable: it changes only with the code and the language."""
    chart = flowchart.chart(name)
    if chart is None:
        raise Http404
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + _svg(chart)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=86400)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response
