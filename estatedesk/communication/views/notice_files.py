"""A notice's evidence photos and attachments, to staff in scope (SPEC C-2, C-3, D-3).

Each view looks the notice up through the user's scope first (``selectors.notices_for``), so
anything outside it is a 404 whatever the method; a file is found only under its own notice.
The forms keep what was typed when a step is refused (422; a browser cannot keep a chosen file).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from estatedesk.communication import selectors
from estatedesk.communication.models import Notice, NoticeAttachment, NoticeEvidence
from estatedesk.communication.services import notice_files
from estatedesk.core import uploads
from estatedesk.core.errors import NotFound, ServiceError
from estatedesk.core.sorting import natural_key
from estatedesk.core.web import company_time, put_error
from estatedesk.org.models import Building

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
capfirst_lazy = lazy(capfirst, str)


def _notice(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.notices_for(request.user).select_related("estate").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


class EvidenceForm(forms.Form):
    photo = forms.FileField(label=pgettext_lazy("notice recipients", "Photo"), required=False)
    taken_at = forms.DateTimeField(
        label=capfirst_lazy(gettext_lazy("posted at")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    place = forms.CharField(label=capfirst_lazy(gettext_lazy("place")), max_length=notice_files.PLACE_LENGTH)
    building = forms.ChoiceField(label=gettext_lazy("Building"), required=False)

    def __init__(self, notice: Notice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"
        self.fields["place"].widget.attrs["placeholder"] = _(
            "e.g. the notice board in the lobby of building 3"
        )
        self.fields["building"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(
                (str(b.pk), b.name)
                for b in sorted(
                    Building.objects.filter(estate=notice.estate), key=lambda b: natural_key(b.name)
                )
            ),
        ]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            "application/pdf,image/jpeg,image/png,image/webp,image/gif"
        )


def _page(
    request: HttpRequest,
    notice: Notice,
    *,
    evidence_form: EvidenceForm | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_evidence = notice_files.can_add_evidence(user, notice)
    can_attach = notice_files.can_attach(user, notice)
    context = {
        "notice": notice,
        "evidence": list(notice.evidence.select_related("building").order_by("taken_at", "pk")),
        "attachments": list(notice.attachments.order_by("pk")),
        "evidence_form": evidence_form or (EvidenceForm(notice) if can_evidence else None),
        "attachment_form": attachment_form or (AttachmentForm() if can_attach else None),
        "max_size": uploads.max_bytes(),
    }
    return render(request, "communication/notices/_c2_files.html", context, status=status)


@require_http_methods(["GET", "POST"])
@company_time
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The photos of the posted notice (GET) and adding one (POST)."""
    notice = _notice(request, pk)
    if request.method != "POST":
        return _page(request, notice)
    form = EvidenceForm(notice, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, notice, evidence_form=form, status=422)
    try:
        with uploads.discard_on_failure():
            notice_files.add_evidence(
                actor=request.user,
                notice=notice,
                upload=form.cleaned_data["photo"],
                taken_at=form.cleaned_data["taken_at"],
                place=form.cleaned_data["place"],
                building=int(form.cleaned_data["building"]) if form.cleaned_data["building"] else None,
            )
    except NotFound:
        raise Http404 from None
    except ServiceError as error:
        put_error(form, error)
        return _page(request, _notice(request, pk), evidence_form=form, status=error.status)
    messages.success(request, _("The photo of the posted notice is added."))
    return redirect(reverse("communication:notice_evidence_add", args=[notice.pk]))


@require_http_methods(["GET", "POST"])
@company_time
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice's attachments (GET) and adding one (POST)."""
    notice = _notice(request, pk)
    if request.method != "POST":
        return _page(request, notice)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, notice, attachment_form=form, status=422)
    try:
        with uploads.discard_on_failure():
            notice_files.add_attachment(actor=request.user, notice=notice, upload=form.cleaned_data["file"])
    except NotFound:
        raise Http404 from None
    except ServiceError as error:
        put_error(form, error)
        return _page(request, _notice(request, pk), attachment_form=form, status=error.status)
    messages.success(request, _("The attachment is added."))
    return redirect(reverse("communication:notice_attachment_add", args=[notice.pk]))


@require_GET
def evidence_file(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    found = get_object_or_404(NoticeEvidence, pk=evidence_id, notice=notice)
    label = f"{notice.number}-{found.pk}.{found.file.rsplit('.', 1)[-1]}"
    return uploads.file_response(found.file, content_type=found.content_type, label=label)


@require_GET
def attachment_file(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    found = get_object_or_404(NoticeAttachment, pk=attachment_id, notice=notice)
    return uploads.file_response(found.file, content_type=found.content_type, label=found.name)
