"""Legal holds (SPEC D-2): place one on a record, release it with a reason.

The list shows the holds in force first, then the released ones (the record of who held what,
paged). Administrators place a hold by the record's type and number (``records.holds.place_hold``)
and release it with a reason (``release_hold``); auditors read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.errors import ServiceError
from estatedesk.core.web import company_time, put_error
from estatedesk.records import holds, registry
from estatedesk.records.forms import HoldForm, ReleaseForm
from estatedesk.records.models import LegalHold
from estatedesk.records.views.access import require_admin, who

RELEASED_PAGE = 50


def type_label(key: str) -> str:
    kind = registry.record_type(key)
    return str(kind.label) if kind is not None else key


def _holds() -> Any:
    return LegalHold.objects.select_related("placed_by__staff", "released_by__staff")


def hold_row(hold: LegalHold) -> dict[str, Any]:
    return {
        "hold": hold,
        "type_label": type_label(hold.record_type),
        "placed_by": who(hold.placed_by),
        "released_by": who(hold.released_by),
    }


@company_time
def hold_list(request: HttpRequest) -> HttpResponse:
    in_force = [hold_row(h) for h in _holds().filter(released_at__isnull=True).order_by("-placed_at", "-id")]
    released = Paginator(
        _holds().filter(released_at__isnull=False).order_by("-released_at", "-id"), RELEASED_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "records/holds.html",
        {
            "in_force": in_force,
            "released": [hold_row(h) for h in released],
            "page": released,
            "querystring": "",
            "can_edit": policy.is_admin(request.user),
        },
    )


@company_time
def hold_create(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    form = HoldForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                hold = holds.place_hold(
                    actor=request.user,
                    record_type=form.cleaned_data["record_type"],
                    label=form.cleaned_data["label"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as error:
                put_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("%(record)s is on hold: it will not be disposed of until the hold is released.")
                    % {"record": hold.record_label},
                )
                return redirect(reverse("records:hold_list"))
    return render(request, "records/hold_form.html", {"form": form}, status=status)


@company_time
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    hold = _holds().filter(pk=pk).first()
    if hold is None:
        raise Http404
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                released = holds.release_hold(
                    actor=request.user, hold_id=hold.pk, reason=form.cleaned_data["reason"]
                )
            except ServiceError as error:
                put_error(form, error)
                status = error.status
                hold = _holds().get(pk=pk)  # as it is now (someone may have released it meanwhile)
            else:
                messages.success(
                    request,
                    _("The hold on %(record)s is released: the record follows its retention period again.")
                    % {"record": released.record_label},
                )
                return redirect(reverse("records:hold_list"))
    return render(request, "records/hold_release.html", {"row": hold_row(hold), "form": form}, status=status)
