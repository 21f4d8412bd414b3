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
- a ``StaleEdit`` (someone else saved the same text meanwhile, ``core.versioning``) is a 409
  like that, which also shows the other person's text next to one's own and bases the form
  on the version now saved, so that saving again after comparing goes through;
- success goes back to the record's page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.core.api import error_response, too_large_detail
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import ServiceError, StaleEdit
from estatedesk.core.lazy_urls import address_in
from estatedesk.core.models import CompanySettings
from estatedesk.core.versioning import show_stale

R = TypeVar("R")
F = TypeVar("F", bound=forms.BaseForm)
V = TypeVar("V", bound=Callable[..., HttpResponseBase])


_COMPANY = "_estatedesk_company"


def company_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Times on the page are shown and typed in company time, whatever the server's zone.

    The company settings read for the zone are kept on the request: ``company_of`` hands
    them to the rest of the page instead of reading them again."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        company = CompanySettings.load()
        setattr(request, _COMPANY, company)
        with timezone.override(company_zone(company)):
            return view(request, *args, **kwargs)

    return wrapper


def company_of(request: HttpRequest) -> CompanySettings:
    """The company settings of this request: read once by ``company_time``, or now."""
    company = getattr(request, _COMPANY, None)
    if company is None:
        company = CompanySettings.load()
        setattr(request, _COMPANY, company)
    return cast(CompanySettings, company)


def referrer_policy(value: str) -> Callable[[V], V]:
    """A view decorator that sends ``Referrer-Policy: value`` with the view's every answer."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            response["Referrer-Policy"] = value
            return response

        return cast(V, wrapper)

    return decorate


# For pages whose address carries a secret (a resident's private token): the browser never
# sends the address on in a ``Referer`` header, neither to another site nor to our own server
# with the page's pictures and styles, where access logs would keep it. Under ``no-referrer``
# browsers send ``Origin: null`` with the page's own form posts, which CSRF protection rightly
# refuses, so such a page must not post forms (the portal's language switch there is links).
secret_address = referrer_policy("no-referrer")

# For a page that carries an identifier in its address and posts its own form (the estate's
# submission page, whose code is printed on the poster): ``strict-origin`` sends at most
# ``https://host/``, never the path, and keeps the ``Origin`` header CSRF protection checks.
posting_address = referrer_policy("strict-origin")


def refused(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    """A request refused before (or instead of) its view: the API's error format under /api/,
    else the error page in the request's language (rendered without the request: it may run
    before sign-in is known)."""
    if request.path.startswith(address_in("api")):
        return error_response(status, code, message)
    html = render_to_string(
        "core/error.html", {"title": title, "message": message, "status": status, "home": True}
    )
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


def hidden_errors_on_top(form: forms.BaseForm) -> None:
    """A hidden field's error (an out-of-date ``based_on_version``) on top of the form, where
    the page shows it; pages do not show errors next to fields nobody sees."""
    for bound in form.hidden_fields():
        for message in bound.errors:
            form.add_error(None, message)


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
            hidden_errors_on_top(form)
            return step.render(request, record, form, 422)
        try:
            message = step.run(request, record, form)
        except ServiceError as error:
            put_error(form, error)
            if isinstance(error, StaleEdit):
                show_stale(form, error)
            # Someone may have moved it meanwhile: show the page as it is now.
            return step.render(request, step.load(request, pk), form, error.status)
        if message:
            messages.success(request, str(message))
        return redirect(step.back(record))

    view.__name__ = view.__qualname__ = step.name
    return view
