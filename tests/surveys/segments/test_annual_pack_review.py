"""The annual pack / management-review pack's survey section (SPEC I-2, S-4 … S-9): the year's
monthly consultations per estate (held, months missed, coverage, pooled rate with n and
interval), the half-year statistics signed off, the owners' forums, the suggestions decided;
each part only when the year has it; page, print and workbook."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from estatedesk.reports import services_periods
from estatedesk.surveys.models import (
    Forum,
    ForumFollowUp,
    ForumOpinion,
    HalfYearLine,
    HalfYearStatistics,
    Suggestion,
)
from tests.conftest import World
from tests.helpers import frozen_at
from tests.surveys.conftest import add_households, annual
from tests.surveys.segments.helpers import held, when


def _draft(world: World) -> Any:
    with frozen_at(when(date(2027, 1, 1), 2)):
        return services_periods.draft_year(year=2026)


def _en(world: World, name: str, pk: int) -> Any:
    with frozen_at(when(date(2027, 1, 1), 5)):
        client = world.client("deputy_gm")  # signed in at that moment
        return client.get(reverse(name, args=[pk]), HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.req("I-2", "S-4")
def test_the_pack_has_the_consultations_summary(world: World) -> None:
    add_households(world.building_a, 19)  # 20 occupied
    held(world, date(2026, 1, 1), ["satisfied"] * 3 + ["dissatisfied"])
    held(world, date(2026, 2, 1), ["very_satisfied"] * 4)
    summary = _draft(world)
    stored = summary.figures["review"]["consultations"]
    a = next(e for e in stored["estates"] if e["id"] == world.estate_a.pk)
    assert a["held"] == 2 and a["missed"] == list(range(3, 13))
    assert a["figure"]["valid"] == 8 and a["figure"]["satisfied"] == 7
    assert a["coverage"] == {"consulted": 4, "occupied": 20}
    assert summary.figures["review"]["forums"] is None  # parts without data are left out

    html = _en(world, "reports:annual_detail", summary.pk).content.decode()
    section = html[html.index('id="consultations-year"') :].split("</section>")[0]
    assert world.estate_a.name in section and "87.5%" in section  # 7 of 8
    assert "3、4、5" in section and "20.0%" in section  # months missed; coverage 4 / 20
    assert 'id="survey-review"' not in html

    printed = _en(world, "reports:annual_print", summary.pk).content.decode()
    assert "Monthly consultations of owners" in printed and "87.5%" in printed
    book = openpyxl.load_workbook(io.BytesIO(_en(world, "reports:annual_xlsx", summary.pk).content))
    sheet = book["Consultations and reviews"]
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert world.estate_a.name in values and 87.5 in values


@pytest.mark.req("I-2", "S-5", "S-6", "S-9")
def test_half_years_forums_and_suggestions_are_counted(world: World, supervisor: Any) -> None:
    signed = when(date(2026, 7, 10))
    stats = HalfYearStatistics.objects.create(
        office=world.office_a, estate=world.estate_a, year=2026, half=1, signed_at=signed
    )
    HalfYearLine.objects.create(
        statistics=stats, kind="below_target", category="cleaning", summary="清洁 82.0%"
    )
    HalfYearStatistics.objects.create(office=world.office_b, estate=world.estate_b, year=2026, half=1)
    forum = Forum.objects.create(
        number="FO-2026-1",
        title="2026年业主座谈会",
        year=2026,
        held_on=date(2026, 12, 5),
        place="会所",
        created_at=signed,
    )
    forum.estates.set([world.estate_a])
    opinion = ForumOpinion.objects.create(forum=forum, text="希望增加夜间巡逻")
    ForumOpinion.objects.create(forum=forum, text="电梯维修太慢")
    owner = world.users["handler_a"].staff
    ForumFollowUp.objects.create(
        opinion=opinion, description="增加巡逻", owner=owner, due_date=date(2026, 12, 20)
    )
    ForumFollowUp.objects.create(
        opinion=opinion, description="回复业主", owner=owner, due_date=date(2027, 2, 1)
    )
    survey = annual(world, supervisor)
    for i, status in enumerate(("accepted", "accepted", "declined", "submitted")):
        Suggestion.objects.create(
            survey=survey, number=f"SG-{i}", title="建议", text="内容", status=status, written_at=signed
        )
    summary = _draft(world)
    review = summary.figures["review"]
    assert review["consultations"] is None
    assert review["half_years"] == {"signed_off": 1, "below_target": [{"category": "cleaning", "count": 1}]}
    assert review["forums"] == {"held": 1, "opinions": 2, "follow_ups": 2, "open": 2, "overdue": 1}
    assert review["suggestions"] == {"accepted": 2, "declined": 1}
    html = _en(world, "reports:annual_detail", summary.pk).content.decode()
    part = html[html.index('id="survey-review"') :].split("</section>")[0]
    assert 'data-figure="half-years">1' in part and "Cleaning" in part
    assert "2 opinions; follow-ups open 2, overdue 1" in part
    assert "2 accepted, 1 declined" in part
    assert 'id="consultations-year"' not in html


@pytest.mark.req("I-2")
def test_a_year_without_any_has_no_section(world: World) -> None:
    summary = _draft(world)
    assert summary.figures["review"] is None
    html = _en(world, "reports:annual_detail", summary.pk).content.decode()
    assert 'id="consultations-year"' not in html and 'id="survey-review"' not in html
