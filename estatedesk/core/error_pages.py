"""The error pages (400, 403, 404, 500 and a refused form post): the site's layout, in the
visitor's language, never Django's bare English pages.

Under /api/ the same errors are answered in the API's JSON error format. The 500 page is
rendered without the request, so that nothing on it needs the database or the session
(either may be what failed); should even that fail, a standalone page says the same.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from estatedesk.core.api import error_response
from estatedesk.core.lazy_urls import address_in
from estatedesk.core.web import too_large

TEMPLATE = "core/error.html"


def _is_api(request: HttpRequest) -> bool:
    try:
        return request.path.startswith(address_in("api"))
    except Exception:  # noqa: BLE001 - an error page must not fail on a broken URLconf
        return False


def _for_residents(request: HttpRequest) -> bool:
    """Residents' pages (the portal) offer no way into the staff site."""
    return request.path.startswith("/r/")


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message, "status": status, "home": not _for_residents(request)}
    return HttpResponse(render_to_string(TEMPLATE, context, request=request), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 (handler400), except for a form or body over the size limit: 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    title = _("This request cannot be handled")
    message = _("The request could not be understood. Go back and try again.")
    if _is_api(request):
        return error_response(400, "bad_request", message)
    return _page(request, 400, title, message)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = _(
        "Your role cannot open this page or take this step. If your work needs it, ask your "
        "superior or the system administrator."
    )
    if _is_api(request):
        return error_response(403, "permission_denied", message)
    return _page(request, 403, _("No access"), message)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = _(
        "The page you asked for does not exist, or it is outside your area of work. Check the "
        "address, or start again from the home page."
    )
    if _is_api(request):
        return error_response(404, "not_found", message)
    return _page(request, 404, _("Page not found"), message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form kept open too long, or opened before signing in again."""
    message = _(
        "This form was open too long, or was opened before you signed in again, so it was not "
        "accepted. Go back, reload the page and send it again."
    )
    return _page(request, 403, _("The form has expired"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    title = _("Something went wrong")
    message = _(
        "The server could not finish this request. What you saved before is not lost: try "
        "again in a moment, and if it happens again, tell the system administrator."
    )
    if _is_api(request):
        return error_response(500, "server_error", message)
    context = {"title": title, "message": message, "status": 500, "home": not _for_residents(request)}
    try:
        # No request: no context processor, no session, no database.
        html: str = render_to_string(TEMPLATE, context)
    except Exception:  # noqa: BLE001 - the last resort must answer
        html = (
            f'<!doctype html><html lang="{escape(get_language() or "zh-hans")}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}'
            f" · EstateDesk</title></head><body><main><h1>{escape(title)}</h1><p>{escape(message)}</p>"
            "</main></body></html>"
        )
    return HttpResponse(html, status=500)
