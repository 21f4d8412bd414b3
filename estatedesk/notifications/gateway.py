"""What the HTTP adapters share (SPEC A-4): their settings, one POST with a timeout, and
error texts that never carry a secret or a phone number.

The adapters (``wecom``, ``aliyun_sms``) use only the standard library: one request per
message, no retry inside (the outbox retries with backoff, ``delivery``), and a timeout so a
slow gateway does not hold a worker. Everything an adapter raises ends up in the row's
``last_error`` and in the log, so the text is cleaned here before it is raised:
the credentials the adapter knows are replaced by ``***`` and ``core.redact`` masks phone
numbers and query values (a webhook address carries its key as ``?key=…``).
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from estatedesk.core.redact import TOKEN_MASK, redact

DEFAULT_TIMEOUT = 10.0
# An answer's text kept in an error: enough to read the gateway's reason, not a whole page.
ANSWER_EXCERPT = 200


def setting(name: str, default: str = "") -> str:
    """A setting of the adapters: ``settings.<name>`` when a deployment (or a test) sets it,
    else the environment variable of the same name, else ``default``."""
    value = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name, "")
    return str(value).strip() or default


def timeout_setting(name: str) -> float:
    raw = setting(name)
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


class GatewayError(Exception):
    """The gateway did not take the message (an error answer, a refused or timed-out connection).
    Its text is already free of secrets and phone numbers."""


def clean(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets, phone numbers or query values."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, TOKEN_MASK)
    return redact(text)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> dict[str, Any]:
        """The answer as a JSON object, or {} when it is not one (an HTML error page)."""
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def excerpt(self) -> str:
        return self.body[:ANSWER_EXCERPT].decode("utf-8", errors="replace")


def post(url: str, data: bytes, *, content_type: str, timeout: float, secrets: Iterable[str] = ()) -> Answer:
    """POST ``data`` and return the answer, an HTTP error status included (gateways explain
    their refusals in the body). A connection that fails or times out raises ``GatewayError``."""
    secrets = tuple(secrets)
    if not url.startswith(("https://", "http://")):  # a typo must not open a file: or ftp: address
        raise GatewayError(clean(f"the gateway's address is not http(s): {url[:40]}", secrets))
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=data, method="POST", headers={"Content-Type": content_type, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(status=response.status, body=response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Answer(status=exc.code, body=exc.read())
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        # The exception is not chained: a traceback in a log must not show the request's URL.
        reason = getattr(exc, "reason", exc)
        raise GatewayError(clean(f"no answer from the gateway: {reason}", secrets)) from None
