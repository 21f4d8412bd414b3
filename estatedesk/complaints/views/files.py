"""Attachments of complaints for staff, and the portal poster of an estate (SPEC K-1, W-1, D-3).

Every view looks the object up through the user's scope first, so anything outside it is a
404 whatever the method or role.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from estatedesk.complaints import uploads
from estatedesk.complaints.models import Attachment
from estatedesk.complaints.selectors import complaints_for, get_complaint
from estatedesk.core import qr
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound
from estatedesk.org.selectors import estates_for


def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One stored file, to staff who can see its complaint."""
    found = get_object_or_404(Attachment, pk=pk, complaint__in=complaints_for(request.user))
    return uploads.file_response(found)


def act_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photos or documents to an open complaint (POST, field ``attachments``)."""
    complaint = get_complaint(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        with uploads.discard_on_failure():
            added = uploads.attach(
                actor=request.user, complaint=complaint, files=request.FILES.getlist(uploads.FIELD)
            )
    except NotFound:
        raise Http404 from None
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from None
    except InvalidInput as error:
        context = {"complaint": complaint, "error": error.message, "max_files": uploads.MAX_FILES_PER_REQUEST}
        return render(request, "complaints/attach.html", context, status=422)
    messages.success(
        request,
        _("%(count)d file(s) added to %(number)s.") % {"count": len(added), "number": complaint.number},
    )
    return redirect("complaints:detail", pk=complaint.pk)


def poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 poster with the QR code residents scan to reach the estate's portal page."""
    estate = get_object_or_404(estates_for(request.user), pk=pk)
    url = qr.absolute_url(request, "portal:estate", estate.code)
    context = {"estate": estate, "url": url, "qr_svg": qr.svg(url)}
    return render(request, "portal/poster.html", context)
