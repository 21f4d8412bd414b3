"""Time per request for an operator (issue 18): a ``Server-Timing`` header for signed-in staff
only, and a slow-query log that never carries a statement's values (SPEC A-1, D-3)."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.complaints.models import Complaint
from tests.complaints.conftest import record

TIMING = re.compile(
    r'^db;dur=(?P<db>\d+\.\d);desc="(?P<count>\d+) queries", app;dur=(?P<app>\d+\.\d), total;dur=(?P<total>\d+\.\d)$'
)


def timing_of(response) -> dict[str, float]:
    match = TIMING.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return {key: float(value) for key, value in match.groupdict().items()}


@pytest.mark.req("A-1")
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm"])
def test_staff_see_the_database_time_and_the_query_count_of_their_page(world, persona):
    client = world.client(persona)
    client.get(reverse("home"))  # the session's first-visit writes are not this page's
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("complaints:list"))
    assert response.status_code == 200
    timing = timing_of(response)
    assert timing["count"] == len(queries) > 0
    assert 0 < timing["db"] <= timing["total"]
    assert timing["app"] == pytest.approx(timing["total"] - timing["db"], abs=0.2)


@pytest.mark.req("A-1")
def test_a_page_after_a_write_counts_the_writes_too(world):
    complaint = record(world)
    client = world.client("handler_a")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert response.status_code == 200
    assert timing_of(response)["count"] == len(queries)


@pytest.mark.req("A-1")
@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["anonymous", "resident"])
def test_residents_and_visitors_never_get_timings(world, persona):
    client = world.client(persona)
    for url in (reverse("home"), reverse("portal:estate", args=[world.estate_a.code]), reverse("login")):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        assert "Server-Timing" not in response, url


@pytest.mark.req("A-1")
def test_a_disabled_staff_account_gets_no_timings(world):
    client = world.client("handler_a")
    world.users["handler_a"].is_active = False
    world.users["handler_a"].save(update_fields=["is_active"])
    assert "Server-Timing" not in client.get(reverse("home"))


# --- The slow-query log -----------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_with_threshold_zero_every_statement_is_logged_without_its_values(world, settings, caplog):
    settings.SLOW_QUERY_MS = 0
    complaint = record(world, description="地下车库漏水 13812341234")
    client = world.client("handler_a")
    with caplog.at_level(logging.WARNING, logger="estatedesk.slow_query"):
        response = client.get(reverse("complaints:list"), {"q": "13812341234", "estate": world.estate_a.pk})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "estatedesk.slow_query"]
    assert len(lines) == timing_of(response)["count"]
    assert all(re.match(r"slow query \d+\.\d ms on default \(GET /complaints/\): \S", line) for line in lines)
    text = "\n".join(lines)
    assert "%s" in text  # the statements, with their placeholders
    for value in ("13812341234", "1234", complaint.number, "?q=", "estate="):
        assert value not in text, value


@pytest.mark.req("W-1")
def test_a_slow_statement_on_a_residents_private_link_logs_the_path_with_the_token_masked(
    world, settings, caplog
):
    settings.SLOW_QUERY_MS = 0
    complaint = record(world)
    Complaint.objects.filter(pk=complaint.pk).update(portal_token="x" * 40)
    with caplog.at_level(logging.WARNING, logger="estatedesk.slow_query"):
        world.client("anonymous").get(reverse("portal:status", args=["x" * 40]))
    lines = [r.getMessage() for r in caplog.records if r.name == "estatedesk.slow_query"]
    assert lines and all("/r/c/***/" in line and "x" * 40 not in line for line in lines)


@pytest.mark.req("A-1")
def test_off_by_default_nothing_is_logged_however_slow(world, settings, caplog):
    assert settings.SLOW_QUERY_MS is None  # ESTATEDESK_SLOW_QUERY_MS unset
    with caplog.at_level(logging.DEBUG, logger="estatedesk.slow_query"):
        response = world.client("deputy_gm").get(reverse("complaints:list"))
    assert timing_of(response)["count"] > 0
    assert [r for r in caplog.records if r.name == "estatedesk.slow_query"] == []


@pytest.mark.req("A-1")
def test_a_high_threshold_logs_nothing(world, settings, caplog):
    settings.SLOW_QUERY_MS = 60_000
    with caplog.at_level(logging.DEBUG, logger="estatedesk.slow_query"):
        world.client("deputy_gm").get(reverse("complaints:list"))
    assert [r for r in caplog.records if r.name == "estatedesk.slow_query"] == []
