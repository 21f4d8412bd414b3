"""What every page family shares: company time on the page, a service's error on its form,
and the one form-step view.

A form step is a page's small form that takes one step on one record (assess a complaint,
sign a slip, verify an action, submit a report). Every such step works the same way:

- the record is looked up in the user's scope first, so out of scope is 404 for every method;
- GET goes back to the record's page;
- a form that does not validate shows the page again, **422**, with everything typed kept;
- the step's one service is called; a ``ServiceError`` (not allowed, not possible now,
  already handled by someone else) shows the page again, as it is now, with the message next
  to its field and everything typed kept, answered with the error's status (403, 409, 422);
- success goes back to the record's page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.core.api import error_response, too_large_detail
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import ServiceError

R = TypeVar("R")
F = TypeVar("F", bound=forms.BaseForm)


def company_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Times on the page are shown and typed in company time, whatever the server's zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(company_zone()):
            return view(request, *args, **kwargs)

    return wrapper


def refused(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    """A request refused before (or instead of) its view: the API's error format under /api/,
    else a plain page in the request's language (no site layout: it may run before sign-in
    is known)."""
    if request.path.startswith(reverse("api:api-root")):
        return error_response(status, code, message)
    html = render_to_string("core/refused.html", {"title": title, "message": message})
    return HttpResponse(html, status=status)


def unusable_address(request: HttpRequest) -> HttpResponse:
    """400 for a path or query string with a control character or bytes that are not UTF-8."""
    return refused(
        request,
        400,
        "bad_request",
        _("This address cannot be opened"),
        _(
            "The address contains characters no link of ours has (a control character, or text that "
            "is not UTF-8). Check the link or type the search again."
        ),
    )


def too_large(request: HttpRequest) -> HttpResponse:
    """413 for a form or body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    return refused(request, 413, "too_large", _("Too much was sent"), too_large_detail())


def put_error(form: forms.BaseForm, error: ServiceError) -> None:
    """The service's message next to its field, or on top of the form when it names none we show."""
    field = (
        error.field if error.field in form.fields and not form.fields[error.field].widget.is_hidden else None
    )
    form.add_error(field, str(error.message))


@dataclass(frozen=True)
class FormStep(Generic[R, F]):
    """One step on one record, as a page form.

    ``load(request, pk)`` is the scoped look-up (404 out of scope); ``form(request, record,
    data)`` builds the step's form; ``run(request, record, form)`` calls the step's one
    service and returns the success message; ``render(request, record, form, status)`` shows
    the record's page with this form open; ``back(record)`` is where GET and success go.
    """

    load: Callable[[HttpRequest, int], R]
    form: Callable[[HttpRequest, R, Any], F]
    run: Callable[[HttpRequest, R, F], Any]
    render: Callable[[HttpRequest, R, F, int], HttpResponse]
    back: Callable[[R], str]
    name: str = "form_step"


def form_step_view(step: FormStep[R, F]) -> Callable[..., HttpResponse]:
    @company_time
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        record = step.load(request, pk)  # 404 before anything else
        if request.method != "POST":
            return redirect(step.back(record))
        form = step.form(request, record, request.POST)
        if not form.is_valid():
            return step.render(request, record, form, 422)
        try:
            message = step.run(request, record, form)
        except ServiceError as error:
            put_error(form, error)
            # Someone may have moved it meanwhile: show the page as it is now.
            return step.render(request, step.load(request, pk), form, error.status)
        if message:
            messages.success(request, str(message))
        return redirect(step.back(record))

    view.__name__ = view.__qualname__ = step.name
    return view
