"""A JSON client for the surveys API tests, and a small questionnaire to answer."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from estatedesk.core.services import create_api_token
from estatedesk.surveys.models import Question, Questionnaire, QuestionnaireVersion
from estatedesk.surveys.standards import add_version


class Api:
    """One persona signed in with a personal token (or nobody: ``user=None``), in a language."""

    def __init__(self, user: Any = None, language: str = "en") -> None:
        # As a phone would send it: no CSRF cookie, and Django's check on (the public answer needs none).
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Accept-Language": language}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {create_api_token(user=user, name='test')[1]}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        body = data if isinstance(data, str) else json.dumps(data if data is not None else {})
        return self.client.post(f"/api{path}", body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(
            f"/api{path}", json.dumps(data), content_type="application/json", headers=self.headers
        )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == code, body
    return body


def locs(body: dict[str, Any]) -> list[list[Any]]:
    return [item["loc"] for item in body["errors"]]


def small_questionnaire() -> tuple[QuestionnaireVersion, Question, Question, Question]:
    """Two required ratings (housing, cleaning) and an optional free-text question."""
    questionnaire = Questionnaire.objects.create(name="接口测试问卷")
    version = add_version(
        questionnaire,
        title=("接口测试问卷", "接口測試問卷", "API questionnaire"),
        intro=("", "", ""),
        questions=[
            ("housing", "rating", True, "管理处服务", "管理處服務", "The management office"),
            ("cleaning", "rating", True, "清洁卫生", "清潔衛生", "Cleaning"),
            ("overall", "text", False, "其他意见", "其他意見", "Anything else"),
        ],
    )
    housing, cleaning, words = version.questions.order_by("position")
    return version, housing, cleaning, words
