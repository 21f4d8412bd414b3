from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from estatedesk.core import policy
from estatedesk.core.params import request_line_problem
from estatedesk.core.redact import redact
from estatedesk.core.web import unusable_address

SIGNED_IN_AT = "estatedesk_signed_in_at"
slow_query_log = logging.getLogger("estatedesk.slow_query")
SLOW_SQL_MAX_CHARS = 2000  # a long IN (...) or UNION still fits one readable log line


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


class _QueryClock:
    """An ``execute_wrapper``: counts the statements of one request and adds up their time.

    Keeps no SQL and no parameters; only a statement slower than ``slow_after`` seconds is
    logged, as its SQL text with placeholders (never the values, which can be a resident's
    phone index, a search or a token), its duration and the path without the query string."""

    __slots__ = ("count", "seconds", "slow_after", "request")

    def __init__(self, request: HttpRequest, slow_after: float | None):
        self.count = 0
        self.seconds = 0.0
        self.slow_after = slow_after
        self.request = request

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.count += 1
            self.seconds += took
            if self.slow_after is not None and took >= self.slow_after:
                self._log_slow(sql, took, context)

    def _log_slow(self, sql: str, took: float, context: Any) -> None:
        alias = getattr(context.get("connection"), "alias", "?") if isinstance(context, dict) else "?"
        slow_query_log.warning(
            "slow query %.1f ms on %s (%s %s): %s",
            took * 1000,
            alias,
            self.request.method,
            redact(self.request.path),
            " ".join(str(sql).split())[:SLOW_SQL_MAX_CHARS],
        )


class ServerTimingMiddleware:
    """Time per request for an operator (issue 18, docs/decisions/0057-server-timing-and-memory.md).

    Every request's statements, on every database alias, are counted and timed through
    ``execute_wrapper`` (no SQL text kept). Signed-in staff members get the figures in a
    ``Server-Timing`` header (the browser's developer tools show it); residents and anonymous
    visitors never do, since timings tell an outsider how big the data behind a page is. With
    ``SLOW_QUERY_MS`` set, a statement slower than that is logged (``_QueryClock``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slow_ms = settings.SLOW_QUERY_MS
        clock = _QueryClock(request, None if slow_ms is None else slow_ms / 1000)
        start = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(clock))
            response = self.get_response(request)
        total_ms = (time.perf_counter() - start) * 1000
        # After the clock stopped: the staff look-up, cached on the user by then for any staff
        # page, is no statement of the page's own.
        if policy.is_staff_member(getattr(request, "user", None)):
            db_ms = clock.seconds * 1000
            response["Server-Timing"] = (
                f'db;dur={db_ms:.1f};desc="{clock.count} queries", '
                f"app;dur={max(total_ms - db_ms, 0.0):.1f}, total;dur={total_ms:.1f}"
            )
        return response
