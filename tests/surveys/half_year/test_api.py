"""Half-year statistics over the API (SPEC A-2, S-5, I-1): the same figures and permissions as
the pages; lines carry the numbers of the actions opened from them."""

from __future__ import annotations

import pytest

from estatedesk.improvement import services as improvement
from estatedesk.improvement.models import Source
from tests.surveys.api_client import Api, ok
from tests.surveys.half_year.test_services import half_year_of_a

A2 = pytest.mark.req("A-2")


@A2
@pytest.mark.req("S-5")
@pytest.mark.django_db
def test_compute_read_list_and_sign_off_over_the_api(world):
    stats = half_year_of_a(world)
    line = stats.lines.get(kind="below_target")
    action = improvement.open_action(
        actor=world.users["office_head_a"],
        kind="corrective",
        source=Source.HALF_YEAR_STATISTICS,
        title="清洁整改",
        problem=line.summary,
        source_half_year_line=line,
    )
    handler = Api(world.users["handler_a"])
    again = ok(
        handler.post("/half-year-statistics", {"office": world.office_a.pk, "year": 2026, "half": 1}), 201
    )
    assert again["id"] == stats.pk
    cleaning = next(r for r in again["figures"]["rows"] if r["category"] == "cleaning")
    assert cleaning["below_target"] and cleaning["consultation"]["rate"] == 75.0
    assert cleaning["consultation"]["n"] == 40
    found = next(x for x in again["lines"] if x["id"] == line.pk)
    assert found["actions"] == [action.number]
    listed = ok(handler.get("/half-year-statistics", year=2026, half=1))
    assert [i["id"] for i in listed["items"]] == [stats.pk]

    stale = handler.post(f"/half-year-statistics/{stats.pk}/conclusions", {"conclusions": "x", "version": 5})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_edit"
    assert handler.post(f"/half-year-statistics/{stats.pk}/sign-off").status_code == 403
    signed = ok(Api(world.users["office_head_a"]).post(f"/half-year-statistics/{stats.pk}/sign-off"))
    assert signed["signed_by"] == "office_head_a"
    refused = handler.post("/half-year-statistics", {"office": world.office_a.pk, "year": 2026, "half": 1})
    assert refused.status_code == 409


@A2
@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_another_estates_statistics_are_not_found(world):
    stats = half_year_of_a(world)
    other = Api(world.users["handler_b"])
    assert other.get(f"/half-year-statistics/{stats.pk}").status_code == 404
    assert other.post(f"/half-year-statistics/{stats.pk}/sign-off").status_code == 404
    assert ok(other.get("/half-year-statistics"))["count"] == 0
    bad = other.post("/half-year-statistics", {"office": world.office_a.pk, "year": 2026, "half": 1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "office"]
    assert (
        other.post(
            "/half-year-statistics", {"office": world.office_b.pk, "year": "2026", "half": 1}
        ).status_code
        == 422
    )
