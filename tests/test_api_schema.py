"""SPEC A-2: the OpenAPI document is accurate.

Schemathesis generates requests for every operation in the document and checks that none
fails with a 5xx and that every answer has a documented status code, content type and
body shape; data outside the schema must be refused. It runs as an administrator (every
phase, including the boundary values of the coverage phase) and as the handler of estate A
(random examples; most of that handler's answers are 404s and 403s of the scope rules).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.specs.openapi.checks import positive_data_acceptance

from estatedesk.api import api
from estatedesk.core.services import create_api_token

pytestmark = [pytest.mark.req("A-2"), pytest.mark.req("P-1")]

# The document ninja serves at /api/openapi.json (checked below to be the very same).
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
APP = get_wsgi_application()

as_admin = schemathesis.openapi.from_dict(DOCUMENT)
as_admin.app = APP

as_handler = schemathesis.openapi.from_dict(DOCUMENT)
as_handler.app = APP
as_handler.config.phases.update(phases=["examples", "fuzzing"])

# Derandomized: the same examples on every run, so CI cannot turn red on a lucky draw. A random
# draw once combined unknown query parameters (ignored, as everywhere in the API) with an
# invalid Authorization header that the fixtures below replace by a valid token, and
# schemathesis then counted the accepted request as "invalid data accepted".
FAST = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def keep_connection(world):
    # Like Django's test client: keep the test's transaction open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def bearer(user) -> dict[str, str]:
    _, raw = create_api_token(user=user, name="schemathesis")
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


@pytest.fixture
def admin_headers(world, keep_connection):
    return bearer(world.users["admin"])


@pytest.fixture
def handler_headers(world, keep_connection):
    return bearer(world.users["handler_a"])


def check(case, headers: dict[str, str]) -> None:
    # Schema-valid data may still be refused with a 422 for reasons a schema cannot express
    # (an unknown building id, office hours out of order), so that one check is left out.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])


def test_the_served_document_is_the_one_tested(world):
    # Served to staff and token holders only (API_DOCS_PUBLIC off).
    assert Client().get("/api/openapi.json").status_code == 401
    _, raw = create_api_token(user=world.users["handler_a"], name="document")
    served = Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert served.json() == DOCUMENT


@as_admin.parametrize()
@FAST
def test_every_operation_answers_as_documented_to_an_administrator(case, admin_headers):
    check(case, admin_headers)


@as_handler.parametrize()
@FAST
def test_every_operation_answers_as_documented_to_a_handler(case, handler_headers):
    check(case, handler_headers)
