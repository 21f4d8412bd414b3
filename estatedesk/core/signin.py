"""What django-axes records of a sign-in attempt (settings ``AXES_*_CALLABLE``).

The client's address comes from ``core.clientaddr``; the user name is cut to the length of
axes' column, so a 5,000-character name is answered like any other wrong one instead of
failing to be stored (PostgreSQL refuses over-long text; SQLite would keep it whole).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

# axes.models.AccessAttempt.username (and AccessLog's, AccessFailureLog's) is varchar(255).
AXES_USERNAME_LENGTH = 255


def attempted_username(
    request: HttpRequest | None, credentials: Mapping[str, Any] | None = None
) -> str | None:
    """The user name tried, as axes' own default reads it, no longer than axes can store."""
    field = get_user_model().USERNAME_FIELD
    if credentials is not None:
        source: Any = credentials
    elif request is not None:
        source = getattr(request, "data", request.POST)
    else:
        return None
    username = source.get(field)
    if username is None:
        return None
    return str(username)[:AXES_USERNAME_LENGTH]
