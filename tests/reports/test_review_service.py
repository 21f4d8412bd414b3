"""The deputy GM's review of submitted monthly reports (SPEC K-14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.models import CompanySettings
from estatedesk.improvement.models import Action, Source
from estatedesk.reports import services
from estatedesk.reports.models import MonthlyReport, ReportStatus, ReviewDecision
from estatedesk.reports.selectors import review_queue
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("K-14")]


def _submitted(world: Any, department: Any = None, month: int = 3) -> MonthlyReport:
    department = department or world.office_a
    with frozen_at(at(2026, month, 10, 10, 0)):
        record(world)
    with frozen_at(at(2026, month + 1, 2, 9, 0)):
        (report,) = services.draft_month(year=2026, month=month, department=department)
        head = "office_head_a" if department == world.office_a else "department_head"
        return services.submit(actor=world.users[head], report=report, analysis="本月投訴以電梯為主。")


def test_submitted_reports_wait_in_the_deputy_gms_queue_oldest_first(world: Any) -> None:
    march = _submitted(world, month=3)
    february = _submitted(world, month=2)
    assert list(review_queue(world.users["deputy_gm"])) == [february, march]
    assert list(review_queue(world.users["handler_a"])) == []
    with frozen_at(at(2026, 4, 3, 9, 0)):
        services.review(actor=world.users["deputy_gm"], report=march, decision=ReviewDecision.NO_ACTION)
    assert list(review_queue(world.users["deputy_gm"])) == [february]


def test_no_action_records_who_decided_and_when(world: Any) -> None:
    report = _submitted(world)
    with frozen_at(at(2026, 4, 3, 9, 0)):
        reviewed = services.review(
            actor=world.users["deputy_gm"], report=report, decision=ReviewDecision.NO_ACTION, note="持續觀察"
        )
    assert reviewed.status == ReportStatus.REVIEWED
    assert reviewed.decision == ReviewDecision.NO_ACTION
    assert reviewed.reviewed_by == world.users["deputy_gm"].staff
    assert reviewed.reviewed_at == at(2026, 4, 3, 9, 0)
    assert reviewed.review_note == "持續觀察"
    assert not Action.objects.exists()


def test_deciding_on_actions_opens_one_linked_to_the_report(world: Any) -> None:
    report = _submitted(world)
    with frozen_at(at(2026, 4, 3, 9, 0)):
        services.review(
            actor=world.users["deputy_gm"],
            report=report,
            decision=ReviewDecision.ACTIONS,
            new_action={"kind": "corrective", "title": "電梯維保", "problem": "3月電梯投訴佔四成"},
        )
    action = Action.objects.get()
    assert action.source == Source.MONTHLY_REPORT
    assert action.source_report == report
    assert action.department == world.office_a
    assert list(report.improvement_actions.all()) == [action]  # the link both ways
    assert action.number.startswith("CA-2026-")


def test_actions_without_an_action_is_refused_and_nothing_changes(world: Any) -> None:
    report = _submitted(world)
    with frozen_at(at(2026, 4, 3, 9, 0)), pytest.raises(InvalidInput):
        services.review(actor=world.users["deputy_gm"], report=report, decision=ReviewDecision.ACTIONS)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_deputy_gm_reviews_and_only_once(world: Any) -> None:
    report = _submitted(world)
    for persona in ("handler_a", "office_head_a", "auditor", "gm"):  # the GM only in his place (below)
        with pytest.raises(NotAllowed):
            services.review(actor=world.users[persona], report=report, decision=ReviewDecision.NO_ACTION)
    assert list(review_queue(world.users["gm"])) == []
    services.review(actor=world.users["deputy_gm"], report=report, decision=ReviewDecision.NO_ACTION)
    with pytest.raises(AlreadyHandled):
        services.review(actor=world.users["deputy_gm"], report=report, decision=ReviewDecision.NO_ACTION)
    assert report.events.get(kind="reviewed_no_action").data == {}


def test_the_gm_reviews_in_the_deputy_gms_place_when_the_settings_say_so_and_the_record_says_so(
    world: Any,
) -> None:
    report = _submitted(world)
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=True)
    assert list(review_queue(world.users["gm"])) == [report]
    with frozen_at(at(2026, 4, 3, 9, 0)):
        services.review(actor=world.users["gm"], report=report, decision=ReviewDecision.NO_ACTION)
    event = report.events.get(kind="reviewed_no_action")
    assert (event.actor_name, event.data) == ("gm", {"acting_for": "deputy_gm"})
    client = world.client("office_head_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:monthly_detail", args=[report.pk])).content.decode()
    assert "gm (for the Deputy general manager)" in page


def test_a_draft_cannot_be_reviewed(world: Any) -> None:
    with frozen_at(at(2026, 4, 2, 9, 0)):
        (report,) = services.draft_month(year=2026, month=3, department=world.office_a)
    with pytest.raises(InvalidInput):
        services.review(actor=world.users["deputy_gm"], report=report, decision=ReviewDecision.NO_ACTION)


def test_a_reviewed_report_stays_frozen_when_the_month_is_drafted_again(world: Any) -> None:
    report = _submitted(world)
    services.review(actor=world.users["deputy_gm"], report=report, decision=ReviewDecision.NO_ACTION)
    frozen = MonthlyReport.objects.get(pk=report.pk).figures
    with frozen_at(at(2026, 3, 20, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 5, 9, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
    again = MonthlyReport.objects.get(pk=report.pk)
    assert again.status == ReportStatus.REVIEWED
    assert again.figures == frozen
    assert services.live_differs(again)
