"""The lists' actions on several complaints (SPEC A-1, P-1): take (接手), forward and close, and
the handler list of the "forward" forms.

Each complaint goes through the ordinary service of its step, one by one (``complaints.batch``);
the list comes back with one message for what was done and one for each complaint refused,
with the service's reason. Ids outside the user's scope are reported as not found.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from estatedesk.complaints import batch, workflow
from estatedesk.complaints import forms_actions as f
from estatedesk.core import policy
from estatedesk.core.params import MAX_ID, Params
from estatedesk.core.web import company_time

# The pages a bulk action may return to (anything else goes to the department list).
RETURN_TO = frozenset({"complaints:list", "complaints:mine"})


def _return_to(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        try:
            if resolve(target.split("?", 1)[0]).view_name in RETURN_TO:
                return target
        except Resolver404:
            pass
    return reverse("complaints:list")


def _ids(values: list[str]) -> list[int]:
    """The ticked complaints; anything that is not an id is left out."""
    ids = []
    for value in values:
        value = value.strip()
        if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
            ids.append(int(value))
    return ids


def _report(request: HttpRequest, outcomes: list[batch.Outcome], done_text: str, **values: str) -> None:
    done = [o.label for o in outcomes if o.done]
    if done:
        numbers = pgettext("between the items of a list", ", ").join(done)
        messages.success(request, done_text % {"numbers": numbers, **values})
    for outcome in outcomes:
        if outcome.done:
            continue
        if outcome.number and outcome.number in outcome.error:
            text = _("Not done: %(reason)s") % {"reason": outcome.error}
        else:
            text = _("%(number)s not done: %(reason)s") % {"number": outcome.label, "reason": outcome.error}
        messages.warning(request, text)


@company_time
def bulk(request: HttpRequest) -> HttpResponse:
    """POST from a list: ``action`` (take, assign, close) on the ticked ``ids``, or ``take_one``
    (the row's own "take it" button). GET goes back to the list."""
    back = _return_to(request) if request.method == "POST" else reverse("complaints:list")
    if request.method != "POST":
        return redirect(back)
    if policy.role_of(request.user) not in workflow.HANDLING_ROLES:
        raise PermissionDenied
    user = request.user
    one = _ids([request.POST.get("take_one", "")])
    action = "take" if one else request.POST.get("action", "")
    ids = one or _ids(request.POST.getlist("ids"))
    if action not in ("take", "assign", "close"):
        messages.warning(request, _("Choose what to do with the ticked complaints."))
        return redirect(back)
    if not ids:
        messages.warning(request, _("Tick the complaints to act on first."))
        return redirect(back)
    if action == "take":
        _report(request, batch.take_each(actor=user, ids=ids), _("Taken, you are the handler: %(numbers)s."))
    elif action == "close":
        note = request.POST.get("note", "").strip()[:500]
        _report(request, batch.close_each(actor=user, ids=ids, note=note), _("Closed: %(numbers)s."))
    else:
        form = f.BulkAssignForm(request.POST, user=user, auto_id="bulk_%s")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.warning(request, _("Nothing was forwarded: %(reason)s") % {"reason": error})
            return redirect(back)
        department, handler = form.cleaned_data["department"], form.cleaned_data["handler"]
        outcomes = batch.assign_each(actor=user, ids=ids, department=department, handler=handler)
        text = _("Forwarded to %(department)s: %(numbers)s.")
        _report(request, outcomes, text, department=department.name)
    return redirect(back)


@require_GET
def forward_handlers(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of the handler select for the department chosen in a "forward" form:
    the people of that department the user may name. A department outside the user's scope
    (or a developer's) is 404, like one that does not exist."""
    if policy.role_of(request.user) not in workflow.HANDLING_ROLES:
        raise PermissionDenied
    department_id = Params(request.GET).id("department")
    department = (
        f.company_departments(request.user).filter(pk=department_id).first() if department_id else None
    )
    if department_id and department is None:
        raise Http404
    handlers: Any = f.handler_choices(request.user, department) if department else []
    return render(
        request,
        "complaints/_handler_options.html",
        {"chosen": department is not None, "handlers": [(s.pk, f.staff_label(s)) for s in handlers]},
    )
