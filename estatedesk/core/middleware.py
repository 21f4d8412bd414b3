from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from estatedesk.core import policy
from estatedesk.core.params import request_line_problem
from estatedesk.core.web import unusable_address

SIGNED_IN_AT = "estatedesk_signed_in_at"


class RequestLineMiddleware:
    """400 before anything else reads the request when its path or query string holds a NUL or
    another control character, or a query string is not UTF-8 (``core.params``): no view, no
    token look-up (``/r/c/<token>%00/``) and no search ever gets one. Early in the chain, so
    the language is taken from the request here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_query = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
        if request_line_problem(request.path_info, request.GET, raw_query) is None:
            return self.get_response(request)
        with translation.override(translation.get_language_from_request(request)):
            return unusable_address(request)


class SessionExpiryMiddleware:
    """Absolute session lifetime: a sign-in lasts SESSION_ABSOLUTE_SECONDS however active.

    Idle expiry is the cookie age, refreshed at most once a minute so that not every
    request writes the session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SIGNED_IN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
            last = request.session.get("estatedesk_seen", 0)
            if now - int(last) > 60:
                request.session["estatedesk_seen"] = now  # marks the session modified: idle timer restarts
        return self.get_response(request)


class PolicyMiddleware:
    """Enforces policy.URL_RULES on every resolved URL; unknown URLs are refused."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        if match.view_name.startswith("django.") or getattr(view_func, "__module__", "").startswith(
            "django.views.static"
        ):
            return None
        rule = policy.rule_for(match.view_name)
        if rule is None:
            raise PermissionDenied("URL without a permission rule")
        if policy.check_rule(request.user, rule):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
