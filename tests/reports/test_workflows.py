"""The life cycles of the monthly report, the quarterly analysis and the annual summary,
declared once (SPEC K-12 … K-15): the models' statuses are the workflows' states, every step
writes its timeline event, the pages show the timeline, the help page gets the flowcharts."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.core import flowchart
from estatedesk.reports import services, services_periods, workflow
from estatedesk.reports.events import ReportEventKind
from estatedesk.reports.models import AnnualSummary, MonthlyReport, QuarterlyAnalysis, ReportEvent
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at
from tests.reports.test_period_services import cs_supervisor


@pytest.mark.parametrize(
    ("model", "flow"),
    [
        (MonthlyReport, workflow.MONTHLY),
        (QuarterlyAnalysis, workflow.QUARTERLY),
        (AnnualSummary, workflow.ANNUAL),
    ],
)
def test_the_status_choices_are_the_workflows_states(model: Any, flow: Any) -> None:
    assert list(model._meta.get_field("status").choices) == list(flow.choices)
    states = {value for value, _label in flow.states}
    for t in flow.transitions:
        assert set(t.sources) <= states, t.name
        assert t.target is None or t.target in states, t.name
    assert flow.final and flow.final <= states
    assert set(ReportEvent._meta.get_field("kind").choices) == set(ReportEventKind.choices)


@pytest.mark.parametrize(
    ("name", "flow"),
    [
        ("monthly_report", workflow.MONTHLY),
        ("quarterly_analysis", workflow.QUARTERLY),
        ("annual_summary", workflow.ANNUAL),
    ],
)
def test_the_flowcharts_are_published_for_the_help_page(name: str, flow: Any) -> None:
    chart = flowchart.chart(name)
    assert chart is not None and chart.workflow is flow
    assert flowchart.draw(flow, title=str(chart.title)).startswith("<svg")


def _lines(record: Any) -> list[tuple[str, str, str, str]]:
    return [(e.kind, e.from_status, e.to_status, e.actor_name) for e in record.events.order_by("at", "id")]


@pytest.mark.django_db
@pytest.mark.req("K-12")
@pytest.mark.req("K-14")
def test_each_step_of_a_monthly_report_writes_its_event(world: Any) -> None:
    head, deputy = world.users["office_head_a"], world.users["deputy_gm"]
    with frozen_at(at(2026, 3, 10, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 1, 0, 30)):
        (report,) = services.draft_month(year=2026, month=3, department=world.office_a)  # the job
        services.draft_month(year=2026, month=3, department=world.office_a)  # a refresh: no event
    with frozen_at(at(2026, 4, 2, 9, 0)):
        services.save_analysis(actor=head, report=report, analysis="初稿")
        services.submit(actor=head, report=report, analysis="維修為主")
    with frozen_at(at(2026, 4, 3, 9, 0)):
        services.review(
            actor=deputy,
            report=report,
            decision="actions",
            note="請改善",
            new_action={"kind": "corrective", "title": "電梯維保", "problem": "電梯投訴多"},
        )
    head_name, deputy_name = head.staff.display_name, deputy.staff.display_name
    assert _lines(report) == [
        ("drafted", "", "draft", ""),  # the system: no name
        ("analysis_saved", "draft", "draft", head_name),
        ("submitted", "draft", "submitted", head_name),
        ("reviewed_actions", "submitted", "reviewed", deputy_name),
    ]
    reviewed = report.events.get(kind="reviewed_actions")
    assert reviewed.note == "請改善" and reviewed.data["action"].startswith("CA-2026-")

    client = world.client("deputy_gm")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with frozen_at(at(2026, 4, 5, 9, 0)):
        html = client.get(reverse("reports:monthly_detail", args=[report.pk])).content.decode()
    assert 'id="timeline"' in html
    for label in ("Figures drafted", "System", "Submitted to the deputy general manager", "2026-04-03 09:00"):
        assert label in html, label
    assert "Reviewed: corrective / preventive actions opened" in html


@pytest.mark.django_db
@pytest.mark.req("K-13")
@pytest.mark.req("K-15")
def test_the_quarterly_analysis_and_the_annual_summary_write_their_events(world: Any) -> None:
    supervisor, deputy = cs_supervisor(world), world.users["deputy_gm"]
    with frozen_at(at(2026, 4, 2, 9, 0)):
        analysis = services_periods.draft_quarter(year=2026, quarter=1, actor=supervisor)
        services_periods.edit_quarter(actor=supervisor, analysis=analysis, text="初稿")
        services_periods.publish_quarter(actor=supervisor, analysis=analysis, text="定稿")
    with frozen_at(at(2027, 1, 5, 9, 0)):
        summary = services_periods.draft_year(year=2026)
        services_periods.save_annual_text(actor=deputy, summary=summary, text="初稿")
        services_periods.publish_annual(actor=deputy, summary=summary, text="全年總結")
    name, deputy_name = supervisor.staff.display_name, deputy.staff.display_name
    assert _lines(analysis) == [
        ("drafted", "", "draft", name),
        ("analysis_saved", "draft", "draft", name),
        ("published", "draft", "published", name),
    ]
    assert _lines(summary) == [
        ("drafted", "", "draft", ""),
        ("summary_saved", "draft", "draft", deputy_name),
        ("issued", "draft", "published", deputy_name),
    ]
    with frozen_at(at(2027, 1, 6, 9, 0)):
        client = world.client("deputy_gm")  # signed in on that day
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        quarter = client.get(reverse("reports:quarterly_detail", args=[analysis.pk])).content.decode()
        year = client.get(reverse("reports:annual_detail", args=[summary.pk])).content.decode()
    assert 'id="timeline"' in quarter and "Published to all departments" in quarter
    assert 'id="timeline"' in year and "Summary saved as a draft" in year
    assert "Draft → Issued" in year  # the annual summary's published state is called "Issued"
