"""The home page's complaint panels for signers (SPEC A-1, K-8, K-11): transfer slips waiting
for my signature, and the weekly reviews waiting for me; each within the user's scope."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from estatedesk.complaints import papers, services
from estatedesk.core import panels
from estatedesk.core.clock import company_today
from tests.complaints.conftest import SHANGHAI, record

pytestmark = pytest.mark.django_db


def home(world, persona: str) -> str:
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str, key: str) -> str | None:
    """The body of one panel of the home page, or None when the page does not show it."""
    found = re.search(
        rf'<section class="card shadow-sm h-100" data-panel="{key}">(.*?)</section>', html, re.S
    )
    return found.group(1) if found else None


def fill(world, monkeypatch, persona: str, key: str) -> list[object]:
    """The panel's rows for this user, as if their role's home page showed it."""
    user = world.users[persona]
    with monkeypatch.context() as patch:
        patch.setitem(panels.ROLE_PANELS, user.staff.role, [key])
        (shown,) = panels.panels_for(user)
    return shown.items


@pytest.fixture
def slip(world):
    """A complaint of estate A handled by engineering, with a slip waiting for its head."""
    complaint = record(world, department=world.engineering)
    handler = world.users["handler_a"]
    services.assess(actor=handler, complaint=complaint, cause="maintenance", serious=False, urgent=False)
    return papers.raise_slip(actor=handler, complaint=complaint, matter="電梯更換主板需要審批")


@pytest.mark.req("A-1")
@pytest.mark.req("K-8")
def test_the_department_head_sees_the_slip_waiting_at_the_head(world, slip, monkeypatch):
    body = panel(home(world, "department_head"), "approvals")
    assert body is not None and "Waiting for my signature" in body
    assert slip.number in body and reverse("complaints:slip_detail", args=[slip.pk]) in body
    # the head of another department, the deputy GM and other estates' staff are not asked yet
    assert slip.number not in (panel(home(world, "office_head_a"), "approvals") or "")
    assert slip.number not in (panel(home(world, "deputy_gm"), "approvals") or "")
    assert "No transfer slips waiting." in panel(home(world, "deputy_gm"), "approvals")
    assert slip.number not in "".join(str(r) for r in fill(world, monkeypatch, "handler_b", "approvals"))
    assert slip.number not in home(world, "handler_b")


@pytest.mark.req("A-1")
@pytest.mark.req("K-8")
def test_a_slip_passed_up_waits_on_the_deputy_gms_home_and_leaves_the_heads(world, slip):
    papers.sign_slip(
        actor=world.users["department_head"], slip=slip, opinion="金額超出部門權限", decision="escalate"
    )
    assert slip.number in panel(home(world, "deputy_gm"), "approvals")
    assert slip.number not in panel(home(world, "department_head"), "approvals")
    assert slip.number not in (panel(home(world, "gm"), "approvals") or "")


@pytest.mark.req("A-1")
@pytest.mark.req("K-8")
def test_handler_b_never_sees_estate_as_slips_whatever_their_step(world, slip, monkeypatch):
    papers.sign_slip(
        actor=world.users["department_head"], slip=slip, opinion="金額超出部門權限", decision="escalate"
    )
    for persona in ("handler_b", "colleague_a", "handler_a"):
        assert slip.number not in "".join(str(r) for r in fill(world, monkeypatch, persona, "approvals"))


@pytest.fixture
def three_weeks_later(world):
    """Wednesday 10:00 three weeks after the company was set up (its departments existed since then)."""
    start = papers.week_of(company_today()) + timedelta(weeks=3, days=2)
    when = datetime(start.year, start.month, start.day, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(when, tick=False):
        yield papers.week_of(when.date())


@pytest.mark.req("A-1")
@pytest.mark.req("K-11")
def test_the_head_sees_the_weeks_waiting_for_review_until_signed(world, three_weeks_later):
    last_week = three_weeks_later - timedelta(weeks=1)
    body = panel(home(world, "office_head_a"), "weekly_review")
    assert body is not None and "Weekly review" in body
    url = reverse("complaints:weekly_review", args=[world.office_a.pk])
    assert f"{url}?week={last_week.isoformat()}" in body
    assert world.engineering.name not in body  # not a department this head heads
    assert f"week={three_weeks_later.isoformat()}" not in body  # this week is not over yet
    for week in (three_weeks_later - timedelta(weeks=n) for n in (1, 2, 3)):
        papers.review_week(actor=world.users["office_head_a"], department=world.office_a, week_start=week)
    body = panel(home(world, "office_head_a"), "weekly_review")
    assert "No weekly review is waiting." in body and url not in body


@pytest.mark.req("A-1")
@pytest.mark.req("K-11")
def test_only_a_head_is_waited_for_in_the_weekly_review_panel(world, three_weeks_later, monkeypatch):
    assert "week=" in "".join(str(r) for r in fill(world, monkeypatch, "department_head", "weekly_review"))
    for persona in ("deputy_gm", "handler_a", "handler_b", "auditor"):
        assert fill(world, monkeypatch, persona, "weekly_review") == []
    assert panel(home(world, "handler_b"), "weekly_review") is None
