"""The home page's "reports" panel (SPEC A-1, K-14): registered by the reports app, filled
within the user's scope — the reports waiting for the deputy GM's or the GM's review, the
latest reviewed ones for the auditor."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.core import panels
from estatedesk.core.models import CompanySettings
from estatedesk.reports import services
from estatedesk.reports.models import MonthlyReport
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-1"), pytest.mark.req("K-14")]


def _submitted(world: Any, month: int) -> MonthlyReport:
    with frozen_at(at(2026, month, 10, 10, 0)):
        record(world)
    with frozen_at(at(2026, month + 1, 2, 9, 0)):
        (report,) = services.draft_month(year=2026, month=month, department=world.office_a)
        return services.submit(actor=world.users["office_head_a"], report=report, analysis="本月分析")


def _panel(user: Any, key: str = "") -> panels.Panel:
    (panel,) = [
        p for p in panels.panels_for(user) if p.key in ((key,) if key else ("review_queue", "reports"))
    ]
    return panel


def test_the_report_panels_are_registered_for_the_leadership_and_the_auditor() -> None:
    assert {"review_queue", "reports"} <= panels.registered()
    assert [role for role, keys in panels.ROLE_PANELS.items() if "review_queue" in keys] == [
        "deputy_gm",
        "gm",
    ]
    assert [role for role, keys in panels.ROLE_PANELS.items() if "reports" in keys] == ["gm", "auditor"]


def test_reviewers_see_what_waits_for_them_and_the_auditor_what_was_reviewed(world: Any) -> None:
    february, march = _submitted(world, 2), _submitted(world, 3)
    february_url = reverse("reports:monthly_detail", args=[february.pk])
    march_url = reverse("reports:monthly_detail", args=[march.pk])

    queue = _panel(world.users["deputy_gm"])
    waiting = queue.items
    assert len(waiting) == 2 and queue.count == 2
    assert february_url in waiting[0] and march_url in waiting[1]  # oldest first
    assert world.office_a.name in waiting[0]
    # Reviewing is the deputy GM's (§7.2.15): the GM's panel shows the reviewed reports, or the
    # queue when the company settings let him stand in for the deputy GM (decision 0017).
    assert "review_queue" not in [p.key for p in panels.panels_for(world.users["gm"])]
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=True)
    assert _panel(world.users["gm"], "review_queue").items == waiting
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=False)
    assert _panel(world.users["auditor"]).items == []  # nothing reviewed yet

    with frozen_at(at(2026, 4, 5, 9, 0)):
        services.review(actor=world.users["deputy_gm"], report=february, decision="no_action")
    waiting = _panel(world.users["deputy_gm"]).items
    assert len(waiting) == 1 and march_url in waiting[0]
    reviewed = _panel(world.users["auditor"]).items
    assert len(reviewed) == 1 and february_url in reviewed[0] and "2026-04-05" in reviewed[0]
    assert _panel(world.users["gm"], "reports").items == reviewed


def test_the_panel_is_on_the_home_page_and_not_for_other_roles(world: Any) -> None:
    _submitted(world, 3)
    client = world.client("deputy_gm")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    assert 'data-panel="review_queue"' in html and "Monthly reports to review" in html
    for persona in ("handler_a", "office_head_a"):
        keys = [p.key for p in panels.panels_for(world.users[persona])]
        assert "reports" not in keys and "review_queue" not in keys
