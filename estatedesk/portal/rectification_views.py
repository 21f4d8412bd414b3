"""A unit's rectification items through its private link (SPEC R-4, W-1; decision 0040).

* ``/r/z/<token>/``: the unit's items — first those waiting for the resident, then those in
  progress (the status in plain words, the round), then those accepted (with the date).
* ``/r/z/<token>/<item_id>/``: one item — where, what, the measure, the round, the photos of
  the defect and of this round's work; while it waits for the resident, two forms posted to
  the same address: accept (a signature drawn on the phone, or the name typed; the time is
  recorded) or object (what is still wrong, photos), which starts the next round.
* ``/r/z/<token>/photo/<photo_id>/``: a photo that page shows, for this unit's items only.

No account: the token is the unit (``rectification.selectors.link_of``); another unit's item or
photo is the portal's not-found page, like an unknown link. Writes go through
``rectification.services.resident`` only; a second submission (a double tap, two phones at
once, a page left open) is told the item was already handled (409) and nothing is recorded
twice — the service locks the row and checks its status. Bad input is 422 with the message in
the resident's language and everything typed kept. Like the other portal pages: limits per
network address, the token never in a log (``core.redact``) nor sent to another site (the list
and photos ``no-referrer``; the item page posts its forms, so ``strict-origin``: the origin
only), and the language switch is links.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from estatedesk.core import uploads
from estatedesk.core.clientaddr import client_ip
from estatedesk.core.errors import AlreadyHandled, NotFound, ServiceError
from estatedesk.core.params import Params
from estatedesk.core.web import posting_address, secret_address
from estatedesk.portal import ratelimit
from estatedesk.portal import rectification_reads as reads
from estatedesk.portal.forms import FILES_NOT_KEPT
from estatedesk.portal.rectification_forms import (
    ACTIONS,
    AcceptForm,
    ObjectionForm,
    mark_errors,
    put_service_error,
)
from estatedesk.portal.views import language_link, not_found, render_page, too_many
from estatedesk.rectification import selectors
from estatedesk.rectification.display import signer
from estatedesk.rectification.models import Item, UnitLink
from estatedesk.rectification.services import resident

ITEM_PAGE = "portal/rectification/item.html"

DONE: dict[str, Any] = {
    "accepted": gettext_lazy("Thank you. Your acceptance has been recorded."),
    "objected": gettext_lazy(
        "Thank you. We have passed on what is still wrong: the item is being rectified again."
    ),
}


def _lookup(request: HttpRequest, token: str) -> UnitLink | HttpResponse:
    """The unit's link, or the answer to give instead (rate limit, not found)."""
    wait = ratelimit.hit("rectification-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_LOOKUP_IP"))
    if wait is not None:
        return too_many(request, wait, {}, "portal/limited.html")
    link = selectors.link_of(token) if 20 <= len(token) <= 64 else None
    return not_found(request) if link is None else link


def _item_url(link: UnitLink, item: Item) -> str:
    return reverse("portal:rectification_item", args=[link.token, item.pk])


@secret_address
@require_http_methods(["GET"])
@language_link
def items(request: HttpRequest, token: str) -> HttpResponse:
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    groups = reads.unit_items(found)
    context = {
        "link": found,
        "unit": found.unit,
        "estate": found.unit.estate,
        "groups": groups,
        "plain": reads.PLAIN_STATUS,
        "office_phone": found.unit.estate.service_phone,
    }
    return render_page(request, "portal/rectification/list.html", context)


def _context(
    request: HttpRequest,
    link: UnitLink,
    item: Item,
    *,
    accept_form: AcceptForm | None = None,
    objection_form: ObjectionForm | None = None,
    done: str = "",
    handled: str = "",
    unsent: str = "",
) -> dict[str, Any]:
    accept_form = accept_form or AcceptForm()
    objection_form = objection_form or ObjectionForm()
    for form in (accept_form, objection_form):
        mark_errors(form)
    return {
        "link": link,
        "unit": link.unit,
        "estate": link.unit.estate,
        "item": item,
        "plain_status": reads.plain_status(item.status),
        "awaiting": reads.awaiting(item) and not handled,
        "shows_due_date": reads.shows_due_date(item),
        "photos": reads.item_photos(item),
        "signer": signer(item, full=False),
        "accept_form": accept_form,
        "objection_form": objection_form,
        "kept_signature": accept_form.kept_signature(),
        "files_lost": FILES_NOT_KEPT if objection_form.is_bound and request.FILES else "",
        "done": done,
        "done_message": DONE.get(done, ""),
        "handled_message": handled,
        "unsent": unsent,
        "action": _item_url(link, item),
        "office_phone": link.unit.estate.service_phone,
    }


def _page(
    request: HttpRequest, link: UnitLink, item: Item, *, status: int = 200, **parts: Any
) -> HttpResponse:
    return render_page(request, ITEM_PAGE, _context(request, link, item, **parts), status=status)


def _already_handled(request: HttpRequest, link: UnitLink, item_id: int, unsent: str = "") -> HttpResponse:
    """Someone else (another phone, the office on paper, the first of two taps) got there first:
    the item as it is now, and nothing recorded by this submission."""
    item = reads.unit_item(link, item_id)
    if item is None:
        return not_found(request)
    message = _(
        "This item has already been handled (it is now: %(status)s). Nothing more was recorded from this page."
    ) % {"status": reads.plain_status(item.status)}
    return _page(request, link, item, status=409, handled=message, unsent=unsent)


@posting_address
@require_http_methods(["GET", "POST"])
@language_link
def item(request: HttpRequest, token: str, item_id: int) -> HttpResponse:
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    record = reads.unit_item(found, item_id)
    if record is None:
        return not_found(request)
    if request.method != "POST":
        return _page(request, found, record, done=Params(request.GET).choice("done", DONE))
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return HttpResponseRedirect(_item_url(found, record))
    wait = ratelimit.hit(
        "rectification-write-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_WRITE_IP")
    )
    if wait is not None:
        # Everything typed is kept (the drawing and the photos cannot be).
        kept = _context(
            request,
            found,
            record,
            accept_form=AcceptForm(initial={"signed_name": request.POST.get("accept-signed_name", "")}),
            objection_form=ObjectionForm(initial={"objection": request.POST.get("object-objection", "")}),
        )
        return too_many(request, wait, kept, ITEM_PAGE)
    if action == "accept":
        return _accept(request, found, record)
    return _object(request, found, record)


def _accept(request: HttpRequest, link: UnitLink, record: Item) -> HttpResponse:
    form = AcceptForm(request.POST)
    if not reads.awaiting(record):
        return _already_handled(request, link, record.pk)
    if not form.is_valid():
        return _page(request, link, record, status=422, accept_form=form)
    try:
        with uploads.discard_on_failure():
            resident.accept(
                token=link.token,
                item_id=record.pk,
                signature=form.signature_file,
                signed_name=form.cleaned_data["signed_name"],
            )
    except NotFound:
        return not_found(request)
    except AlreadyHandled:
        return _already_handled(request, link, record.pk)
    except ServiceError as error:
        if _moved_on(link, record):
            return _already_handled(request, link, record.pk)
        put_service_error(form, error)
        return _page(request, link, record, status=error.status, accept_form=form)
    return HttpResponseRedirect(_item_url(link, record) + "?done=accepted#done")


def _object(request: HttpRequest, link: UnitLink, record: Item) -> HttpResponse:
    form = ObjectionForm(request.POST, request.FILES)
    unsent = str(request.POST.get(form.add_prefix("objection"), ""))[:2000]
    if not reads.awaiting(record):
        return _already_handled(request, link, record.pk, unsent)
    if not form.is_valid():
        return _page(request, link, record, status=422, objection_form=form)
    try:
        with uploads.discard_on_failure():
            resident.object_to(
                token=link.token,
                item_id=record.pk,
                objection=form.cleaned_data["objection"],
                photos=form.cleaned_data["photos"],
            )
    except NotFound:
        return not_found(request)
    except AlreadyHandled:
        return _already_handled(request, link, record.pk, unsent)
    except ServiceError as error:
        if _moved_on(link, record):
            return _already_handled(request, link, record.pk, unsent)
        put_service_error(form, error)
        return _page(request, link, record, status=error.status, objection_form=form)
    return HttpResponseRedirect(_item_url(link, record) + "?done=objected#done")


def _moved_on(link: UnitLink, record: Item) -> bool:
    """The item left the resident's hands meanwhile: the service's "not possible now" (an
    objection to an item another phone objected to first, say) is then "already handled"."""
    now_item = reads.unit_item(link, record.pk)
    return now_item is None or not reads.awaiting(now_item)


@secret_address
@require_http_methods(["GET"])
def photo(request: HttpRequest, token: str, photo_id: int) -> HttpResponseBase:
    """A photo the unit's item page shows, through the unit's link only."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    picture = reads.unit_photo(found, photo_id)
    if picture is None:
        return not_found(request)
    return uploads.file_response(picture.file, content_type=picture.content_type, label=picture.name)
