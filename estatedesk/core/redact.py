"""What never reaches a log: full phone numbers, private links, typed searches, secrets (SPEC D-3, W-1).

Log lines outlive the data they mention, are copied to log services and read by people who
may not see the records. One function, ``redact``, cleans any text before it is written:

- **phone numbers**: a mobile number (11 digits from 13… to 19…, with or without +86 / 0086,
  spaces or dashes) keeps its last four digits: ``*******5678``;
- **query strings**: every value after ``?`` is masked (``?q=*&page=2``), because searches
  carry phone numbers and names; only short numbers (a page, an id, at most six digits) stay;
- **private links**: the token in the path of every URL pattern that captures a ``<token>``
  (today the resident's status link ``/r/c/<token>/``) becomes ``***``;
- **credentials**: API tokens (``edk_…``) and ``Authorization`` / ``Cookie`` values.

It is used by ``RedactingFilter`` (on every handler in ``settings.LOGGING``) and by the
gunicorn logger class in ``core/accesslog.py`` (the web server's access log). The same
function cleans the outbox's console provider before it logs a message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

MASK = "*"
TOKEN_MASK = "***"

# A mobile number anywhere in a line: optional country prefix, 1[3-9]x, then 8 digits,
# optionally written 3-4-4 with spaces or dashes; never part of a longer digit run.
_PHONE = re.compile(r"(?<!\d)(?:(?:\+|00|%2[bB])?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
# "?" then everything up to the end of the URL (a space, a quote, an angle bracket, a fragment).
_QUERY = re.compile(r"\?([^\s\"'<>#]*)")
_KEPT_VALUE = re.compile(r"\d{1,6}")
_API_TOKEN = re.compile(r"\bedk_[A-Za-z0-9_\-]+")
_CREDENTIAL = re.compile(r"(?i)\b(authorization|cookie|set-cookie)(['\"]?\s*[:=]\s*['\"]?)([^\"'\r\n]+)")
# A converter in a route ("<int:pk>", "<str:token>"); a capture named "token" is private.
_ROUTE_PART = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_TOKEN = "(?P<token>"
_TOKEN_AT = "\x00"
_SEGMENT_END = r"[^/?#\s\"'<>&]+"


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return MASK * 7 + digits[-4:]


def _query_value(part: str) -> str:
    key, equals, value = part.partition("=")
    if not equals:
        return part if not part or _KEPT_VALUE.fullmatch(part) else MASK
    if not value or _KEPT_VALUE.fullmatch(value):
        return part
    return f"{key}={MASK}"


def redact_query(query: str) -> str:
    """``q=13912345678&page=2`` → ``q=*&page=2``: keys stay, values go unless a short number."""
    return re.sub(r"[^&;]+", lambda m: _query_value(m.group(0)), query)


# --- Private paths, read from the URL patterns -----------------------------------------------

_paths_lock = threading.RLock()  # re-entered if loading the URLconf logs something
_private_paths: re.Pattern[str] | None = None


def _fragment(pattern: object) -> str:
    """A URL pattern as a regex fragment, its token capture replaced by a marker."""
    # lazy: Django's URL classes, only once a URLconf is walked
    from django.urls.resolvers import RoutePattern

    if isinstance(pattern, RoutePattern):
        route, parts, at = str(pattern), [], 0
        for found in _ROUTE_PART.finditer(route):
            parts.append(re.escape(route[at : found.start()]))
            parts.append(_TOKEN_AT if found.group(1) == "token" else "[^/]+")
            at = found.end()
        parts.append(re.escape(route[at:]))
        return "".join(parts)
    regex = str(pattern).lstrip("^").removesuffix("\\Z").removesuffix("$")
    regex = regex.replace(_REGEX_TOKEN, _TOKEN_AT, 1)
    return re.sub(r"\(\?P<\w+>", "(?:", regex)  # one alternation may not name a group twice


def _prefixes(patterns: Iterable[object], above: str) -> Iterable[str]:
    """The path regex in front of the token of every URL pattern that captures one."""
    # lazy: Django's URL classes, only once a URLconf is walked
    from django.urls import URLResolver

    for entry in patterns:
        if getattr(entry, "loaded", True) is False:
            # An include loaded on use (the API, core.lazy_urls): walking it would import it at
            # the first log line. It has no private-link routes (tests/test_startup_imports.py).
            continue
        path = above + _fragment(getattr(entry, "pattern", ""))
        if isinstance(entry, URLResolver):
            yield from _prefixes(entry.url_patterns, path)
        elif _TOKEN_AT in path:
            yield path.split(_TOKEN_AT, 1)[0]


def private_paths() -> re.Pattern[str] | None:
    """One regex for every URL path that carries a private token, or None before Django runs."""
    global _private_paths
    if _private_paths is not None:
        return _private_paths
    # lazy: the URLconf can only be read once Django's apps are loaded
    from django.apps import apps

    if not apps.ready:
        return None
    # lazy: as above
    from django.urls import get_resolver

    with _paths_lock:
        if _private_paths is None:
            try:
                found = set(_prefixes(get_resolver().url_patterns, ""))
            except Exception:  # a URLconf that cannot load yet: mask no paths now, try again later
                return None
            body = "|".join(sorted(found, key=len, reverse=True)) or "(?!)"
            _private_paths = re.compile(rf"(?P<keep>/(?:{body})){_SEGMENT_END}")
        return _private_paths


def redact(text: str) -> str:
    """The text with phone numbers, query values, private tokens and credentials masked."""
    if not text:
        return text
    text = _CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{TOKEN_MASK}", text)
    text = _API_TOKEN.sub("edk_" + TOKEN_MASK, text)
    text = _QUERY.sub(lambda m: "?" + redact_query(m.group(1)), text)
    paths = private_paths()
    if paths is not None:
        text = paths.sub(lambda m: m.group("keep") + TOKEN_MASK, text)
    return _PHONE.sub(_phone, text)


class RedactingFilter(logging.Filter):
    """Cleans every record a handler writes: the formatted message, its traceback and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
