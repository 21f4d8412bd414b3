"""Customer segments of a survey (SPEC S-10): by customer type, building and whether the
customer complained in the period, each with n and the Wilson interval; a group with fewer than
5 valid answers is too small to tell (page, workbook and API), and the user's scope holds.

On ``results_world``'s closed survey (every customer an owner): one estate-B household is made
an office tenant that answered only 3 questions validly (its other answers skipped), one
estate-A household (the "neutral" one, 15 answers) is a key household that complained, and
another key household is key only for being dissatisfied last time (not a complaint).
Valid answers: 114 − 6 = 108, satisfied 98 − 6 = 92.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from estatedesk.surveys.models import Answer, Household, Response
from estatedesk.surveys.segment_data import consultation_segments, survey_segments
from tests.conftest import World
from tests.surveys.api_client import Api, ok
from tests.surveys.results_world import closed_survey


def _world(world: World, supervisor: Any) -> Any:
    survey = closed_survey(world, supervisor)
    a = list(Household.objects.filter(survey=survey, estate=world.estate_a).order_by("unit__number"))
    b = list(Household.objects.filter(survey=survey, estate=world.estate_b).order_by("unit__number"))
    tenant = Response.objects.get(household=b[0])
    tenant.customer_kind = "office_tenant"
    tenant.save()
    kept = list(Answer.objects.filter(response=tenant, score__isnull=False).order_by("pk")[:3])
    Answer.objects.filter(response=tenant).exclude(pk__in=[x.pk for x in kept]).update(
        score=None, level="", satisfied=False
    )
    Household.objects.filter(pk=a[3].pk).update(
        second_stage=True, reasons=["dissatisfied_survey", "complained"]
    )
    Response.objects.filter(household=a[3]).update(second_stage=True)
    Household.objects.filter(pk=a[2].pk).update(second_stage=True, reasons=["dissatisfied_survey"])
    Response.objects.filter(household=a[2]).update(second_stage=True)
    return survey


@pytest.mark.req("S-10")
def test_complained_and_not_split_the_answers(world: World, supervisor: Any) -> None:
    survey = _world(world, supervisor)
    found = survey_segments(survey)
    complained = {s.value: s for s in found.complained}
    assert (complained["yes"].valid, complained["yes"].satisfied) == (15, 0)
    assert (complained["no"].valid, complained["no"].satisfied) == (93, 92)
    assert complained["yes"].rate == 0 and not complained["yes"].too_small
    types = {s.value: s for s in found.customer_type}
    assert (types["owner"].valid, types["owner"].satisfied) == (105, 89)
    assert types["office_tenant"].valid == 3 and types["office_tenant"].too_small
    assert types["office_tenant"].rate is None and types["office_tenant"].interval is None
    buildings = {s.label: s.valid for s in found.building}
    assert buildings == {
        f"{world.estate_a.name} · {world.building_a.name}": 60,
        f"{world.estate_b.name} · {world.building_b.name}": 48,
    }
    # scoped to estate B: the complaint was in estate A, so no one there complained — the group
    # is still shown, with no answers: too small to tell
    only_b = survey_segments(survey, [world.estate_b.pk])
    assert [(s.value, s.valid, s.too_small) for s in only_b.complained] == [
        ("yes", 0, True),
        ("no", 48, False),
    ]


@pytest.mark.req("S-10", "A-1")
def test_the_page_shows_a_small_group_as_too_small_and_the_others_with_n_and_interval(
    world: World, supervisor: Any
) -> None:
    survey = _world(world, supervisor)
    results = (
        world.client("deputy_gm")
        .get(reverse("surveys:results", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert reverse("surveys:segments", args=[survey.pk]) in results
    html = (
        world.client("deputy_gm")
        .get(reverse("surveys:segments", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    types = html[html.index('id="table-customer_type"') :].split("</table>")[0]
    tenant = types[types.index('data-segment="office_tenant"') :].split("</tr>")[0]
    assert 'data-too-small="1"' in tenant and "Too small to tell" in tenant
    assert 'data-figure="n">3<' in tenant and "%" not in tenant
    owner = types[types.index('data-segment="owner"') :].split("</tr>")[0]
    # 89 / 105 = 84.8 %, Wilson 76.7 %–90.4 %
    assert 'data-figure="n">105<' in owner and "84.8%" in owner and "76.7%–90.4%" in owner
    complained = html[html.index('id="table-complained"') :].split("</table>")[0]
    assert "Complained in the period" in complained and "0.0%" in complained
    zh = world.client("deputy_gm").get(
        reverse("surveys:segments", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert zh.status_code == 200 and "样本太少" in zh.content.decode()


@pytest.mark.req("S-10", "A-3")
def test_the_workbook_has_a_sheet_per_breakdown(world: World, supervisor: Any) -> None:
    survey = _world(world, supervisor)
    response = world.client("deputy_gm").get(
        reverse("surveys:segments_xlsx", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 3
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    tenant = next(r for r in rows if r[1] == 3)
    assert tenant[3] is None and tenant[6] == "Yes"


@pytest.mark.req("S-10", "A-2")
def test_the_api_withholds_the_rate_of_a_small_group_and_keeps_scope(world: World, supervisor: Any) -> None:
    survey = _world(world, supervisor)
    body = ok(Api(world.users["deputy_gm"]).get(f"/surveys/{survey.pk}/segments"))
    assert body["min_group"] == 5
    tenant = next(s for s in body["customer_type"] if s["value"] == "office_tenant")
    assert tenant == {
        "value": "office_tenant",
        "label": "Office tenant organisation",
        "valid": 3,
        "satisfied": None,
        "too_small": True,
        "satisfaction_rate": None,
        "ci_low": None,
        "ci_high": None,
        "below_target": False,
    }
    owner = next(s for s in body["customer_type"] if s["value"] == "owner")
    assert owner["satisfaction_rate"] == 84.8 and owner["ci_low"] == 76.7 and owner["ci_high"] == 90.4
    mine = ok(Api(world.users["handler_b"]).get(f"/surveys/{survey.pk}/segments"))
    assert [s["valid"] for s in mine["building"]] == [48]
    assert Api(world.users["deputy_gm"]).get(f"/surveys/{survey.pk + 1000}/segments").status_code == 404
    assert (
        world.client("deputy_gm").get(reverse("surveys:segments", args=[survey.pk + 1000])).status_code == 404
    )


@pytest.mark.req("S-10", "S-4")
def test_a_consultation_splits_by_complaint_and_customer_type(world: World) -> None:
    from datetime import date

    from estatedesk.surveys.models import Consultation, ConsultedHousehold
    from tests.surveys.conftest import add_households
    from tests.surveys.segments.helpers import held

    assert consultation_segments(Consultation.objects.all()).empty
    add_households(world.building_a, 9)
    consultation = held(
        world, date(2026, 3, 1), ["satisfied"] * 4 + ["dissatisfied"] * 2, topics=("cleaning", "security")
    )
    answered = list(
        ConsultedHousehold.objects.filter(consultation=consultation, answered_at__isnull=False).order_by(
            "unit__number"
        )
    )
    # the two dissatisfied households complained in the twelve months before the proposal
    ConsultedHousehold.objects.filter(pk__in=[h.pk for h in answered[4:]]).update(complained=True)
    ConsultedHousehold.objects.filter(pk=answered[0].pk).update(customer_kind="tenant")
    found = consultation_segments(Consultation.objects.filter(pk=consultation.pk))
    split = {s.value: s for s in found.complained}
    assert (split["yes"].valid, split["yes"].satisfied, split["yes"].too_small) == (4, 0, True)
    assert (split["no"].valid, split["no"].satisfied, split["no"].rate) == (8, 8, 100)
    types = {s.value: s.valid for s in found.customer_type}
    assert types == {"owner": 10, "tenant": 2}
    assert [s.valid for s in found.building] == [12]
    assert consultation_segments(Consultation.objects.all(), [world.estate_b.pk]).empty


@pytest.mark.req("S-10")
def test_buildings_are_listed_as_people_count_them() -> None:
    from estatedesk.surveys.segment_data import _building_order

    labels = {"a": "翠湖花园 · 10栋", "b": "翠湖花园 · 2栋", "c": "翠湖花园 · 1栋", "d": "金山苑 · 商业街"}
    assert _building_order(labels) == ["c", "b", "a", "d"]
