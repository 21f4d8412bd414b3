"""The dashboard's monthly consultations (SPEC A-1, S-4): each estate's pooled rate per month
with n, the flags of last month and this one, the year's coverage; nothing without
consultations; the number of queries does not grow with the consultations."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.reports.dashboard import dashboard_for
from estatedesk.surveys.consultation_results import counted, pooled_results
from tests.conftest import World
from tests.helpers import frozen_at
from tests.surveys.conftest import add_households
from tests.surveys.segments.helpers import held, when

TODAY = date(2026, 3, 25)


def _page(world: World, persona: str = "deputy_gm") -> str:
    with frozen_at(when(TODAY, TODAY.day)):
        response = world.client(persona).get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.req("A-1", "S-4")
def test_the_trend_the_missed_month_and_the_coverage(world: World) -> None:
    add_households(world.building_a, 19)  # 20 occupied households in estate A
    held(world, date(2026, 1, 1), ["very_satisfied"] * 4 + ["dissatisfied"])  # 4 of 5
    held(world, date(2026, 3, 1), ["satisfied"] * 5)
    # February: none held → missed (last month, flagged)
    with frozen_at(when(TODAY, TODAY.day)):
        board = dashboard_for(world.users["deputy_gm"]).consultations
    assert board is not None
    estate_a = next(e for e in board.estates if e.estate_id == world.estate_a.pk)
    jan, feb, mar = estate_a.points[-3:]
    assert feb is None and jan is not None and mar is not None
    assert (jan.tally.valid, jan.tally.satisfied) == (5, 4) and jan.raw == 80
    assert (mar.tally.valid, mar.raw) == (5, 100)
    assert estate_a.held[-3:] == (1, 0, 1)
    # the same arithmetic as the consultations' own pooled figures
    january = counted().filter(estate=world.estate_a, month=date(2026, 1, 1))
    assert pooled_results(january).by_estate[world.estate_a.pk].raw == jan.raw
    assert [(f.kind, f.month) for f in estate_a.flags] == [("missing", date(2026, 2, 1))]
    # the same five households answered both times (the first five asked): 5 of 20 reached
    assert estate_a.coverage is not None and estate_a.coverage.consulted == 5
    assert estate_a.coverage.occupied == 20

    html = _page(world)
    section = html[html.index('data-section="consultations"') :].split("</section>")[0]
    assert 'data-flag="missing"' in section and "2026-02: no consultation held" in section
    assert "80.0%" in section and "n = 5" in section and "100.0%" in section
    assert "25.0%" in section and "5 / 20" in section  # coverage
    assert "chart-consultations" in section


@pytest.mark.req("A-1")
def test_nothing_is_shown_without_consultations_and_scope_holds(world: World) -> None:
    assert 'data-section="consultations"' not in _page(world)
    add_households(world.building_a, 19)
    held(world, date(2026, 3, 1), ["satisfied"] * 2)
    assert 'data-section="consultations"' in _page(world)
    # estate B's handler: estate A's consultations are not theirs, and B held none
    with frozen_at(when(TODAY, TODAY.day)):
        assert dashboard_for(world.users["handler_b"]).consultations is None


@pytest.mark.req("A-1")
def test_the_queries_do_not_grow_with_the_consultations(world: World) -> None:
    add_households(world.building_a, 39)
    counts = []
    for month in (date(2026, 1, 1), date(2026, 2, 1)):
        held(world, month, ["satisfied"] * 3, share=10)
        client = world.client("deputy_gm")
        with frozen_at(when(TODAY, TODAY.day)), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:dashboard")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
