"""A JSON client for the complaints API tests: one persona, signed in with a personal token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from estatedesk.core.services import create_api_token


class Api:
    def __init__(self, user: Any) -> None:
        self.client = Client()
        self.headers = {
            "Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}",
            "Accept-Language": "en",
        }

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(
            f"/api{path}", json.dumps(data), content_type="application/json", headers=self.headers
        )


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    return response.json()


# A conflicting edit of a text also says what is saved now, and its version (decision 0011).
STALE_EDIT_KEYS = {"current", "version", "saved_by", "saved_at"}


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    """An answer in the API's one error format, with this status and code."""
    assert response.status_code == status, response.content
    body = response.json()
    keys = {"detail", "code", "errors"} | (STALE_EDIT_KEYS if code == "stale_edit" else set())
    assert set(body) == keys and body["code"] == code
    return body


def version(api: Api, path: str) -> int:
    """The record's version as a client reads it before editing one of its texts."""
    return int(ok(api.get(path))["version"])
