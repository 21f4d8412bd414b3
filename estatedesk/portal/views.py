"""Resident pages (SPEC W-1): submit a complaint from an estate's QR code, follow it by a private link.

No staff account is involved: the estate page is found by the estate's code, a complaint by
its unguessable portal token. Residents see their own words, the status in plain words, the
reply and the deadline; never staff names or internal notes. Abuse is slowed by rate limits
per client address and per estate; a refused submission keeps everything typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from estatedesk.complaints import resident, services, uploads
from estatedesk.complaints.models import AWAITING_REPLY, Attachment, Channel, Complaint, Status
from estatedesk.core import qr
from estatedesk.core.actors import RESIDENT
from estatedesk.core.clientaddr import client_ip
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.core.prepared import Prepared
from estatedesk.core.web import posting_address, secret_address
from estatedesk.org import services as org_services
from estatedesk.org.models import Estate
from estatedesk.portal import ratelimit
from estatedesk.portal.forms import (
    FILES_NOT_KEPT,
    SubmissionForm,
    fingerprint,
    max_photos,
    new_submission_key,
    read_submission_key,
)
from estatedesk.portal.status_forms import (
    ACTIONS,
    InformationForm,
    RatingForm,
    add_service_error,
    mark_errors,
)

# The status as a resident would say it; "referred" is still being handled, by someone else.
PLAIN_STATUS: dict[str, Any] = {
    Status.NEW: gettext_lazy("Received, waiting to be looked at"),
    Status.IN_PROGRESS: gettext_lazy("Being handled"),
    Status.REFERRED: gettext_lazy("Being handled by the responsible party (developer or authority)"),
    Status.REPLIED: gettext_lazy("Answered"),
    Status.CLOSED: gettext_lazy("Closed"),
}


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Times are shown on the company's clock, whatever the server's zone.
    with timezone.override(company_zone()):
        response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def language_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The portal's language switch is links (``?lang=zh-hant``), not a posted form: pages whose
    address holds a token send no referrer, and browsers then refuse their forms an origin."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = request.GET.get("lang") if request.method == "GET" else None
        if chosen is None:
            return view(request, *args, **kwargs)
        rest = request.GET.copy()
        del rest["lang"]
        response = HttpResponseRedirect(request.path + (f"?{rest.urlencode()}" if rest else ""))
        if chosen in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax" by settings
            )
        return response

    return wrapper


def not_found(request: HttpRequest) -> HttpResponse:
    return render_page(request, "portal/not_found.html", {}, status=404)


def too_many(request: HttpRequest, wait: int, context: dict[str, Any], template: str) -> HttpResponse:
    minutes = max(1, (wait + 59) // 60)
    context["limit_message"] = _(
        "Too many requests from your network just now. Please wait about %(minutes)d minute(s) and try again."
    ) % {"minutes": minutes}
    response = render_page(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


# --- Submitting ---------------------------------------------------------------------------------


# The two reads of every submit, compiled once per process (``core.prepared``, decision 0062).
_ESTATE = Prepared(
    lambda *, code: Estate.objects.filter(code=code, active=True).order_by("code", "pk")[:1],
    code="\x01code\x01",
)
_SENT = Prepared(
    lambda *, key: Complaint.objects.filter(submission_key=key).only("portal_token", "submission_hash")[:1],
    key="\x01key\x01",
)


def _estate(code: str) -> Estate | None:
    return _ESTATE.first(code=code)


def _form_context(
    request: HttpRequest, estate: Estate, form: SubmissionForm, signed_key: str
) -> dict[str, Any]:
    form.mark_errors()
    return {
        "estate": estate,
        "form": form,
        "signed_key": signed_key,
        "max_photos": max_photos(),
        "notice": form.notice,
        "notice_text": form.notice.text_for(get_language()),
        # Sent back with errors: the browser has dropped the chosen files.
        "files_lost": FILES_NOT_KEPT if form.is_bound and request.FILES else "",
    }


def _refused(request: HttpRequest, estate: Estate, form: SubmissionForm, signed: str) -> HttpResponse:
    return render_page(
        request, "portal/submit.html", _form_context(request, estate, form, signed), status=422
    )


def _key_reused(
    request: HttpRequest, estate: Estate, form: SubmissionForm, error: ServiceError
) -> HttpResponse:
    """The key of a form already sent, with other content: neither the first receipt nor a
    silent second complaint. Everything typed is kept, with a fresh key, so that sending
    again makes it a new submission if that is what the resident wants."""
    form.is_valid()
    form.add_error(None, str(error.message))
    _key, signed = new_submission_key()
    return _refused(request, estate, form, signed)


@posting_address
@require_http_methods(["GET", "POST"])
@language_link
def estate(request: HttpRequest, code: str) -> HttpResponse:
    """The page an estate's QR code opens: complaint, grievance or enquiry, with photos,
    after the privacy notice the resident must acknowledge."""
    place = _estate(code)
    if place is None:
        return not_found(request)
    notice = org_services.current_privacy_notice()
    if request.method != "POST":
        _key, signed = new_submission_key()
        context = _form_context(request, place, SubmissionForm(estate=place, notice=notice), signed)
        return render_page(request, "portal/submit.html", context)

    form = SubmissionForm(request.POST, request.FILES, estate=place, notice=notice)
    body = fingerprint(request.POST, request.FILES)
    key = read_submission_key(request.POST.get("submission_key"))
    if key is None:
        key, signed = new_submission_key()
    else:
        signed = request.POST["submission_key"]
        # Sent twice (double tap, back and send again): the same receipt, no second complaint.
        done = _SENT.first(key=key)
        if done is not None:
            try:
                return redirect("portal:receipt", token=services.same_submission(done, body).portal_token)
            except services.SubmissionKeyReused as error:
                return _key_reused(request, place, form, error)

    if not form.is_valid():
        return _refused(request, place, form, signed)
    wait = ratelimit.hit("submit-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_SUBMIT_IP"))
    if wait is None:
        wait = ratelimit.hit("submit-estate", str(place.pk), ratelimit.setting("PORTAL_RATE_SUBMIT_ESTATE"))
    if wait is not None:
        return too_many(request, wait, _form_context(request, place, form, signed), "portal/submit.html")
    try:
        with uploads.discard_on_failure():
            complaint = services.record_complaint(
                actor=RESIDENT, data=form.intake(key, body), attachments=form.cleaned_data["photos"]
            )
    except services.SubmissionKeyReused as error:  # the same key sent with other words at the same moment
        return _key_reused(request, place, form, error)
    except ServiceError as error:
        form.add_service_error(error)
        return _refused(request, place, form, signed)
    return redirect("portal:receipt", token=complaint.portal_token)


# --- Following a complaint ----------------------------------------------------------------------


def _lookup(request: HttpRequest, token: str) -> Complaint | HttpResponse:
    """The complaint of a token, or the response to give instead (rate limit, not found)."""
    wait = ratelimit.hit("lookup-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_LOOKUP_IP"))
    if wait is not None:
        return too_many(request, wait, {}, "portal/limited.html")
    complaint = (
        Complaint.objects.select_related("estate", "category").filter(portal_token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if complaint is None:
        return not_found(request)
    return complaint


def _resident_photos(complaint: Complaint) -> list[Attachment]:
    """Only what the resident sent through the portal: staff files may be internal material."""
    added = resident.added_photo_ids(complaint)
    if complaint.channel != Channel.PORTAL and not added:
        return []
    files = complaint.attachments.filter(uploaded_by__isnull=True)
    if complaint.channel != Channel.PORTAL:
        files = files.filter(pk__in=added)
    return list(files)


@secret_address
@language_link
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """After sending: the number, the private link and its QR code to keep."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    link = qr.absolute_url(request, "portal:status", found.portal_token)
    context = {"complaint": found, "link": link, "qr_png": qr.png_data_uri(link)}
    return render_page(request, "portal/receipt.html", context)


def chase_rate() -> resident.ChaseRate:
    rate = ratelimit.setting("PORTAL_RATE_CHASE")
    return resident.ChaseRate(times=rate.count, within=timedelta(seconds=rate.seconds))


DONE: dict[str, Any] = {
    "info": gettext_lazy("Thank you. What you added is with the person handling your matter."),
    "chase": gettext_lazy("Thank you. We have asked the person handling your matter to hurry."),
    "rate": gettext_lazy("Thank you for rating our reply."),
    "reopened": gettext_lazy(
        "Thank you. We are sorry the reply did not help: your matter is being handled again."
    ),
}


def _status_context(
    request: HttpRequest,
    found: Complaint,
    info_form: InformationForm | None = None,
    rating_form: RatingForm | None = None,
    chase_error: str = "",
) -> dict[str, Any]:
    info_form = info_form or InformationForm()
    rating_form = rating_form or RatingForm()
    for form in (info_form, rating_form):
        mark_errors(form)
    opens_at = resident.chase_opens_at(found, chase_rate()) if resident.can_chase(found) else None
    done = request.GET.get("done", "") if request.method == "GET" else ""
    return {
        "complaint": found,
        "plain_status": PLAIN_STATUS.get(found.status, found.get_status_display()),
        "awaiting_reply": found.status in AWAITING_REPLY,
        "replied": bool(found.replied_at and found.reply),
        "photos": _resident_photos(found),
        "additions": resident.additions(found),
        "office_phone": found.estate.service_phone,
        "info_form": info_form,
        "rating_form": rating_form,
        "can_add": found.is_open,
        "can_chase": resident.can_chase(found) and opens_at is None,
        "chase_waiting": resident.can_chase(found) and opens_at is not None,
        "chase_opens_at": opens_at,
        "chase_error": chase_error,
        "can_rate": resident.can_rate(found),
        "rating_reopens": resident.dissatisfied_reopens(found),
        "rating": resident.current_rating(found),
        "done_message": DONE.get(done, ""),
        "files_lost": FILES_NOT_KEPT if info_form.is_bound and request.FILES else "",
    }


def _status_page(request: HttpRequest, found: Complaint, status: int = 200, **forms: Any) -> HttpResponse:
    return render_page(request, "portal/status.html", _status_context(request, found, **forms), status=status)


def _done(found: Complaint, what: str) -> HttpResponse:
    # The fragment replaces the form's own (#add-information…), which a browser would carry over
    # to the redirect: the page opens at the thank-you line.
    return HttpResponseRedirect(
        reverse("portal:status", args=[found.portal_token]) + (f"?done={what}#done" if what else "")
    )


@posting_address
@require_http_methods(["GET", "POST"])
@language_link
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The private status page: what the resident sent, where it stands, the reply, the office's
    phone number; and the resident's own steps (posted here, ``action`` in the body): add
    information, chase, rate the reply. It posts forms, so it sends ``strict-origin`` (the
    origin only, never the token in its path), not ``no-referrer`` (decision 0008)."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    if request.method != "POST":
        return _status_page(request, found)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _done(found, "")
    wait = ratelimit.hit("write-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_WRITE_IP"))
    if wait is not None:
        return too_many(request, wait, _status_context(request, found), "portal/status.html")
    if action == "info":
        return _add_information(request, found)
    if action == "chase":
        return _chase(request, found)
    return _rate(request, found)


def _add_information(request: HttpRequest, found: Complaint) -> HttpResponse:
    form = InformationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _status_page(request, found, 422, info_form=form)
    try:
        with uploads.discard_on_failure():
            resident.add_information(
                actor=RESIDENT,
                complaint=found,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
    except ServiceError as error:
        add_service_error(form, error)
        return _status_page(request, found, 422, info_form=form)
    return _done(found, "info")


def _chase(request: HttpRequest, found: Complaint) -> HttpResponse:
    try:
        resident.chase(actor=RESIDENT, complaint=found, rate=chase_rate())
    except resident.ChaseTooSoon as error:
        wait = max(1, int((error.opens_at - timezone.now()).total_seconds()))
        response = _status_page(request, found, 429, chase_error=str(error.message))
        response["Retry-After"] = str(wait)
        return response
    except ServiceError as error:
        return _status_page(request, found, 422, chase_error=str(error.message))
    return _done(found, "chase")


def _rate(request: HttpRequest, found: Complaint) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _status_page(request, found, 422, rating_form=form)
    try:
        rating = resident.rate(
            actor=RESIDENT,
            complaint=found,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except ServiceError as error:
        add_service_error(form, error)
        return _status_page(request, found, 422, rating_form=form)
    return _done(found, "reopened" if rating.reopened else "rate")


@secret_address
def photo(request: HttpRequest, token: str, photo_id: int) -> HttpResponseBase:
    """One of the resident's own photos, reached through their token only."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    attachment = next((a for a in _resident_photos(found) if a.pk == photo_id), None)
    if attachment is None:
        raise Http404
    return uploads.file_response(attachment)
