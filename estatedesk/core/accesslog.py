"""gunicorn's logger with every line redacted (SPEC D-3, W-1): ``--logger-class`` of ``estatedesk serve``.

gunicorn writes the request line, the referring page and any header the access-log format
names; searches carry phone numbers in their query string and residents' status links carry
their private token in the path. Each value (an "atom") is cleaned by ``core.redact`` before
the line is formatted, whatever ``--access-logformat`` an operator chooses, and a
``RedactingFilter`` on every handler cleans what gunicorn logs otherwise ("Error handling
request /r/c/…").
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from estatedesk.core.redact import TOKEN_MASK, RedactingFilter, redact, redact_query

# Atoms that are a query string without its "?": every value goes, as in redact_query.
_QUERY_ATOMS = {"q", "{query_string}e"}
# Atoms that are credentials through and through.
_SECRET_ATOMS = {"{authorization}i", "{cookie}i", "{http_authorization}e", "{http_cookie}e", "{set-cookie}o"}


def redact_atoms(atoms: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in atoms.items():
        if not isinstance(value, str) or not value:
            cleaned[key] = value
        elif key in _SECRET_ATOMS:
            cleaned[key] = TOKEN_MASK
        elif key in _QUERY_ATOMS:
            cleaned[key] = redact(redact_query(value))
        else:
            cleaned[key] = redact(value)
    return cleaned


class RedactingLogger(Logger):
    """gunicorn's ``glogging.Logger`` that never writes a full phone number or a private token."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                    handler.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        return redact_atoms(super().atoms(resp, req, environ, request_time))
