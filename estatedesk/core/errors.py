"""Errors a service raises for a user's action, with a message in the user's language.

Views show ``message`` next to ``field`` (or on top of the form), the API answers with
``status`` and ``code`` in its error format; nothing is a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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


class StaleEdit(AlreadyHandled):
    """The text was saved by someone else after this person opened it (``core.versioning``).

    ``current`` holds the texts now saved, by the name of the form (and API) field that edits
    each; ``version`` is the record's version now, to save again on; ``saved_by`` and
    ``saved_at`` say who saved the version that is there now, when known.
    """

    code = "stale_edit"

    def __init__(
        self,
        message: Any,
        *,
        current: Mapping[str, str],
        version: int,
        saved_by: str = "",
        saved_at: datetime | None = None,
    ) -> None:
        super().__init__(message, field="based_on_version")
        self.current = dict(current)
        self.version = version
        self.saved_by = saved_by
        self.saved_at = saved_at
