"""Errors a service raises for a user's action, with a message in the user's language.

Views show ``message`` next to ``field`` (or on top of the form), the API answers with
``status`` and ``code`` in its error format; nothing is a 500.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidInput(ServiceError):
    pass


class NotAllowed(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class AlreadyHandled(ServiceError):
    """Someone else moved the record first (two people acting at once)."""

    status = 409
    code = "conflict"
