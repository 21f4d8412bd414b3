"""Weekly review (K-11): the head signs each week's look at the records and slips; missing ones show."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from estatedesk.complaints import papers, services
from estatedesk.complaints.models import WeeklyReview
from estatedesk.core.clock import company_today
from tests.complaints.conftest import SHANGHAI, record


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def get(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def cell(html: str, department_pk: int, week) -> str:
    row = re.search(rf'<tr id="department-{department_pk}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'<td class="([^"]*)" data-week="{week.isoformat()}">', row).group(1)


@pytest.fixture
def three_weeks_later(world):
    """Wednesday 10:00 three weeks after the company was set up (its departments existed since then)."""
    start = papers.week_of(company_today()) + timedelta(weeks=3, days=2)
    when = datetime(start.year, start.month, start.day, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(when, tick=False):
        yield papers.week_of(when.date())


@pytest.mark.req("K-11")
def test_head_reviews_last_week_and_the_missing_marker_goes(world, three_weeks_later):
    this_week = three_weeks_later
    last_week = this_week - timedelta(weeks=1)
    office = world.office_a
    last = record(
        world,
        received_at=datetime.combine(last_week + timedelta(days=1), datetime.min.time(), SHANGHAI)
        + timedelta(hours=9),
    )
    current = record(world, description="垃圾未清運")
    services.assess(
        actor=world.users["handler_a"], complaint=last, cause="management", serious=False, urgent=False
    )
    head = english(world.client("office_head_a"))

    grid = get(head, "complaints:weekly")
    assert "week-missing" in cell(grid, office.pk, last_week)
    assert "week-missing" not in cell(grid, office.pk, this_week)  # the week is not over yet
    assert "week-missing" not in cell(
        grid, office.pk, this_week - timedelta(weeks=4)
    )  # before the office existed
    assert f'id="department-{world.engineering.pk}"' not in grid  # not a department this head heads

    page = get(head, "complaints:weekly_review", office.pk, week=last_week.isoformat())
    assert last.number in page and current.number not in page
    assert 'name="remarks"' in page
    response = head.post(
        reverse("complaints:weekly_review", args=[office.pk]) + f"?week={last_week.isoformat()}",
        {"remarks": "TS 已按時回覆，跟進回訪"},
    )
    assert response.status_code == 302
    review = WeeklyReview.objects.get(department=office, week_start=last_week)
    assert (review.reviewed_by.display_name, review.remarks, review.complaint_count) == (
        "office_head_a",
        "TS 已按時回覆，跟進回訪",
        1,
    )
    page = get(head, "complaints:weekly_review", office.pk, week=last_week.isoformat())
    assert 'id="reviewed-by">office_head_a<' in page and "TS 已按時回覆，跟進回訪" in page
    assert 'name="remarks"' not in page
    shown = re.search(r'<time datetime="[^"]+">([^<]+)</time>', page).group(1)
    assert shown == review.reviewed_at.astimezone(SHANGHAI).strftime(
        "%Y-%m-%d %H:%M"
    )  # when, in company time

    grid = get(head, "complaints:weekly")
    assert "week-reviewed" in cell(grid, office.pk, last_week)
    assert "week-missing" in cell(grid, office.pk, last_week - timedelta(weeks=1))

    # signing the same week again: already handled
    response = head.post(
        reverse("complaints:weekly_review", args=[office.pk]) + f"?week={last_week.isoformat()}",
        {"remarks": "再簽"},
    )
    assert response.status_code == 409
    assert "already been reviewed" in response.content.decode()


@pytest.mark.req("K-11")
def test_deputy_gm_sees_every_departments_missing_reviews(world, three_weeks_later):
    last_week = three_weeks_later - timedelta(weeks=1)
    papers.review_week(actor=world.users["office_head_a"], department=world.office_a, week_start=last_week)
    grid = get(english(world.client("deputy_gm")), "complaints:weekly")
    for department in (world.office_a, world.office_b, world.engineering, world.customer_service):
        assert f'id="department-{department.pk}"' in grid
    assert "week-reviewed" in cell(grid, world.office_a.pk, last_week)
    assert "week-missing" in cell(grid, world.office_b.pk, last_week)
    assert "week-missing" in cell(grid, world.engineering.pk, last_week)
    summary = re.search(r'id="missing-summary".*?</div>', grid, re.S).group(0)
    assert world.office_b.name in summary and world.engineering.name in summary
    # a handler heads nothing: no grid, and the department's week is read-only for them
    assert 'id="weekly-grid"' not in get(world.client("handler_a"), "complaints:weekly")
    page = get(
        world.client("handler_a"), "complaints:weekly_review", world.office_a.pk, week=last_week.isoformat()
    )
    assert 'id="reviewed-by">office_head_a<' in page


@pytest.mark.req("K-11")
def test_only_the_head_of_the_department_signs_and_others_are_kept_out(world, three_weeks_later):
    last_week = three_weeks_later - timedelta(weeks=1)
    url = reverse("complaints:weekly_review", args=[world.office_a.pk]) + f"?week={last_week.isoformat()}"
    handler = english(world.client("handler_a"))
    assert 'name="remarks"' not in get(handler, "complaints:weekly_review", world.office_a.pk)
    response = handler.post(url, {"remarks": "代簽"})
    assert response.status_code == 403 and "Only the head of this department" in response.content.decode()
    # the head of another department does not even see this one
    assert world.client("department_head").get(url).status_code == 404
    # a week that has not begun cannot be signed
    later = (three_weeks_later + timedelta(weeks=1)).isoformat()
    assert 'name="remarks"' not in get(
        world.client("office_head_a"), "complaints:weekly_review", world.office_a.pk, week=later
    )
    assert not WeeklyReview.objects.exists()


@pytest.mark.req("K-11")
def test_weeks_with_back_dated_complaints_count_as_missing_reviews(world):
    from django.utils import timezone

    from estatedesk.complaints import papers
    from tests.complaints.conftest import record

    three_weeks_ago = timezone.now() - timedelta(weeks=3)
    record(world, received_at=three_weeks_ago)
    week = papers.week_of(three_weeks_ago.astimezone(SHANGHAI).date())
    page = world.client("office_head_a").get(reverse("complaints:weekly")).content.decode()
    cell = page.split(f'data-week="{week.isoformat()}"', 1)[1].split("</td>", 1)[0]
    assert "missing-marker" in cell
