"""Quarterly analysis (K-13) and annual summary (K-15, I-2): figures against a hand-counted
quarter, one record per period, frozen when published, visible to the right people."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from estatedesk.complaints import services as complaint_services
from estatedesk.complaints.models import Complaint
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.models import CompanySettings
from estatedesk.improvement import services as improvement
from estatedesk.org import services as org_services
from estatedesk.reports import services, services_periods
from estatedesk.reports.models import AnnualSummary, MonthlyReport, PeriodStatus, QuarterlyAnalysis
from estatedesk.reports.periods import months_of_quarter, period_figures
from estatedesk.reports.selectors import annual_for, quarterly_for
from tests.complaints.conftest import at, category, record
from tests.helpers import frozen_at

pytestmark = pytest.mark.django_db

STAFF_PERSONAS = (
    "handler_a",
    "colleague_a",
    "handler_b",
    "department_head",
    "office_head_a",
    "deputy_gm",
    "gm",
    "auditor",
    "admin",
)


def cs_supervisor(world: Any) -> Any:
    """The customer-service supervisor, who writes and publishes the quarterly analysis."""
    return org_services.save_staff(
        actor=None,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[world.customer_service],
        password="correct-horse-battery",
    ).user


def cs_head(world: Any) -> Any:
    """The head of the customer-service department: also a writer of the quarterly analysis."""
    return org_services.save_staff(
        actor=None,
        staff=None,
        username="cs_head",
        display_name="客服部經理",
        role="department_head",
        estates=[],
        departments=[world.customer_service],
        password="correct-horse-battery",
    ).user


def _b(world: Any, **overrides: Any) -> Complaint:
    """A complaint of estate B (金山大廈管理處, world.office_b), recorded by its handler."""
    fields = {"estate": world.estate_b, "unit": world.unit_b, "customer": world.customer_b}
    fields.update(overrides)
    return record(world, persona="handler_b", **fields)


def _assess(world: Any, c: Complaint, cause: str, persona: str = "handler_a") -> Complaint:
    return complaint_services.assess(
        actor=world.users[persona], complaint=c, cause=cause, serious=False, urgent=False
    )


def _reply(world: Any, c: Complaint, persona: str = "handler_a") -> Complaint:
    return complaint_services.reply(actor=world.users[persona], complaint=c, content="已處理", manner="oral")


def _visit(world: Any, c: Complaint, satisfaction: str, persona: str = "handler_a") -> None:
    complaint_services.visit(
        actor=world.users[persona], complaint=c, method="phone", opinion="回訪意見", satisfaction=satisfaction
    )


def first_quarter_2026(world: Any) -> dict[str, Complaint]:
    """Complaints of two departments (office A, office B) over January–March 2026.

    J1 A repairs, valid (maintenance), replied the same day (on time), visited: satisfied.
    J2 B cleaning, invalid (unfounded), replied the same day (on time).
    F1 A repairs, valid (management), never replied.
    M1 B repairs, valid (maintenance), Tue 10 Mar → due Thu 12 Mar; replied 20 Mar (late),
       visited: dissatisfied → reopened.
    M2 A security, never assessed (undecided).
    Plus an enquiry and a grievance of A in February (counted apart), one complaint in
    December 2025 (the previous quarter) and one in April 2026 (the next one).
    """
    made: dict[str, Complaint] = {}
    with frozen_at(at(2025, 12, 15, 10, 0)):
        made["D"] = record(world, category=category("cleaning"))
    with frozen_at(at(2026, 1, 12, 10, 0)):
        made["J1"] = _assess(world, record(world, category=category("repairs")), "maintenance")
    with frozen_at(at(2026, 1, 12, 12, 0)):
        _reply(world, made["J1"])
    with frozen_at(at(2026, 1, 13, 10, 0)):
        _visit(world, made["J1"], "satisfied")
    with frozen_at(at(2026, 1, 14, 10, 0)):
        made["J2"] = _assess(world, _b(world, category=category("cleaning")), "unfounded", "handler_b")
    with frozen_at(at(2026, 1, 14, 15, 0)):
        _reply(world, made["J2"], "handler_b")
    with frozen_at(at(2026, 2, 3, 10, 0)):
        made["F1"] = _assess(world, record(world, category=category("repairs")), "management")
    with frozen_at(at(2026, 2, 4, 10, 0)):
        made["E"] = record(
            world,
            kind="enquiry",
            category=category("charges"),
            description="請問下月停車費是否調整？",
            immediate_reply="不調整",
        )
        made["G"] = record(world, kind="grievance", category=category("security"), description="保安態度冷淡")
    with frozen_at(at(2026, 3, 10, 10, 0)):
        made["M1"] = _assess(world, _b(world, category=category("repairs")), "maintenance", "handler_b")
    with frozen_at(at(2026, 3, 20, 10, 0)):
        _reply(world, made["M1"], "handler_b")
    with frozen_at(at(2026, 3, 20, 15, 0)):
        _visit(world, made["M1"], "dissatisfied", "handler_b")
    with frozen_at(at(2026, 3, 11, 10, 0)):
        made["M2"] = record(world, category=category("security"))
    with frozen_at(at(2026, 4, 8, 10, 0)):
        made["A"] = record(world, category=category("repairs"))
    return made


ZERO = dict.fromkeys(
    (
        "received",
        "valid",
        "invalid",
        "undecided",
        "replied",
        "on_time",
        "valid_visited",
        "answered",
        "satisfied",
        "reopened",
    ),
    0,
)


def _counts(**values: int) -> dict[str, int]:
    return {**ZERO, **values}


@pytest.mark.req("K-13")
def test_period_figures_match_the_hand_counted_quarter(world: Any) -> None:
    first_quarter_2026(world)
    f = period_figures(months_of_quarter(2026, 1))

    assert (f.start, f.end) == (at(2026, 1, 1, 0, 0), at(2026, 4, 1, 0, 0))
    # Complaints J1 J2 F1 M1 M2; valid J1 F1 M1, invalid J2, undecided M2; replies J1 J2 (on
    # time) and M1 (late); valid and visited J1 M1; answers satisfied (J1), dissatisfied (M1).
    assert f.totals == {
        **_counts(
            received=5,
            valid=3,
            invalid=1,
            undecided=1,
            replied=3,
            on_time=2,
            valid_visited=2,
            answered=2,
            satisfied=1,
            reopened=1,
        ),
        "grievances": 1,
        "enquiries": 1,
    }
    assert f.by_month == (
        _counts(
            received=2, valid=1, invalid=1, replied=2, on_time=2, valid_visited=1, answered=1, satisfied=1
        ),
        _counts(received=1, valid=1),
        _counts(received=2, valid=1, undecided=1, replied=1, valid_visited=1, answered=1, reopened=1),
    )
    assert f.by_department == {
        world.office_a.pk: _counts(
            received=3, valid=2, undecided=1, replied=1, on_time=1, valid_visited=1, answered=1, satisfied=1
        ),
        world.office_b.pk: _counts(
            received=2, valid=1, invalid=1, replied=2, on_time=1, valid_visited=1, answered=1, reopened=1
        ),
    }
    assert f.department_by_month == {world.office_a.pk: (1, 1, 1), world.office_b.pk: (1, 0, 1)}
    assert f.category_by_month == {"repairs": (1, 1, 1), "cleaning": (1, 0, 0), "security": (0, 0, 1)}
    assert f.estate_by_month == {world.estate_a.pk: (1, 1, 1), world.estate_b.pk: (1, 0, 1)}
    assert f.by_cause == {"maintenance": 2, "unfounded": 1, "management": 1, "": 1}
    assert [(r.key, r.count, r.cumulative_count, r.vital) for r in f.category_pareto] == [
        ("repairs", 3, 3, True),
        ("cleaning", 1, 4, True),
        ("security", 1, 5, False),
    ]
    # The unassessed complaint has no cause: it is not a bar of the cause Pareto.
    assert [r.key for r in f.cause_pareto] == ["maintenance", "management", "unfounded"]


@pytest.mark.req("K-13")
def test_the_quarter_snapshot_carries_the_previous_quarter_totals(world: Any) -> None:
    first_quarter_2026(world)
    with frozen_at(at(2026, 4, 1, 1, 0)):
        analysis = services_periods.draft_quarter(year=2026, quarter=1)
    assert analysis.status == PeriodStatus.DRAFT
    assert analysis.figures["current"]["totals"]["received"] == 5
    assert analysis.figures["current"]["by_department"][str(world.office_b.pk)]["reopened"] == 1
    assert analysis.figures["current"]["category_by_month"]["repairs"] == [1, 1, 1]
    # Q4 2025: only D (December).
    assert analysis.figures["previous_totals"]["received"] == 1
    assert analysis.figures["previous_totals"]["valid"] == 0


@pytest.mark.req("K-13")
def test_drafting_a_quarter_twice_makes_one_analysis_refreshed_while_a_draft(world: Any) -> None:
    with frozen_at(at(2026, 4, 1, 1, 0)):
        first = services_periods.draft_quarter(year=2026, quarter=1)
    assert first.figures["current"]["totals"]["received"] == 0
    with frozen_at(at(2026, 3, 30, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 2, 1, 0)):
        second = services_periods.draft_quarter(year=2026, quarter=1)
    assert second.pk == first.pk
    assert QuarterlyAnalysis.objects.count() == 1
    assert QuarterlyAnalysis.objects.get().figures["current"]["totals"]["received"] == 1


@pytest.mark.req("K-13")
@pytest.mark.req("K-15")
def test_catching_up_after_the_laptop_was_off_drafts_each_missing_period_once(world: Any) -> None:
    with frozen_at(at(2025, 10, 2, 0, 40)):
        made = services_periods.catch_up_periods(at(2025, 10, 2, 0, 40))
    assert [(m.year, getattr(m, "quarter", None)) for m in made] == [(2025, 3), (2024, None)]

    # Off from October 2025 until July 2026: Q4 2025, Q1 and Q2 2026 and the year 2025 were missed.
    with frozen_at(at(2026, 7, 2, 0, 40)):
        services_periods.catch_up_periods(at(2026, 7, 2, 0, 40))
    quarters = list(QuarterlyAnalysis.objects.order_by("year", "quarter").values_list("year", "quarter"))
    assert quarters == [(2025, 3), (2025, 4), (2026, 1), (2026, 2)]
    assert list(AnnualSummary.objects.order_by("year").values_list("year", flat=True)) == [2024, 2025]

    with frozen_at(at(2026, 7, 3, 0, 40)):
        services_periods.catch_up_periods(at(2026, 7, 3, 0, 40))
    assert QuarterlyAnalysis.objects.count() == 4
    assert AnnualSummary.objects.count() == 2


@pytest.mark.req("K-13")
def test_catch_up_works_in_company_time(world: Any) -> None:
    # 31 March 17:00 UTC is 1 April 01:00 in Shanghai: the quarter has ended for the company.
    with frozen_at(at(2026, 4, 1, 1, 0)):
        made = services_periods.catch_up_periods(at(2026, 4, 1, 1, 0))
    assert {(m.year, getattr(m, "quarter", None)) for m in made} == {(2026, 1), (2025, None)}


def _drafted_q1(world: Any) -> QuarterlyAnalysis:
    made = first_quarter_2026(world)
    world.made = made
    with frozen_at(at(2026, 4, 1, 1, 0)):
        return services_periods.draft_quarter(year=2026, quarter=1)


@pytest.mark.req("K-13")
@pytest.mark.parametrize("writer", [cs_supervisor, cs_head])
def test_customer_service_publishes_and_the_figures_freeze(world: Any, writer: Any) -> None:
    analysis = _drafted_q1(world)
    author = writer(world)
    with frozen_at(at(2026, 4, 3, 9, 0)):
        services_periods.edit_quarter(actor=author, analysis=analysis, text=" 草稿分析 ")
    analysis.refresh_from_db()
    assert analysis.analysis == "草稿分析" and analysis.status == PeriodStatus.DRAFT
    assert analysis.edited_by is not None and analysis.edited_by.user == author

    with frozen_at(at(2026, 4, 3, 10, 0)):
        published = services_periods.publish_quarter(
            actor=author, analysis=analysis.pk, text="維修類投訴佔六成。"
        )
    assert published.status == PeriodStatus.PUBLISHED
    assert published.published_by is not None and published.published_by.user == author
    assert published.published_at == at(2026, 4, 3, 10, 0)
    assert published.analysis == "維修類投訴佔六成。"
    frozen = published.figures
    assert frozen["current"]["totals"]["undecided"] == 1

    # M2 is assessed after publishing; the period job runs again: the analysis stays as published.
    with frozen_at(at(2026, 4, 5, 10, 0)):
        _assess(world, world.made["M2"], "maintenance")
        services_periods.draft_quarter(year=2026, quarter=1)
        services_periods.catch_up_periods(at(2026, 4, 5, 10, 0))
    published.refresh_from_db()
    assert published.figures == frozen
    assert published.status == PeriodStatus.PUBLISHED
    assert services_periods.quarter_figures(2026, 1)["current"]["totals"]["undecided"] == 0
    assert QuarterlyAnalysis.objects.count() == 1


@pytest.mark.req("K-13")
def test_only_customer_service_writes_the_quarterly_analysis(world: Any) -> None:
    analysis = _drafted_q1(world)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        for persona in ("handler_a", "department_head", "office_head_a"):
            with pytest.raises(NotAllowed):
                services_periods.publish_quarter(actor=world.users[persona], analysis=analysis, text="分析")
            with pytest.raises(NotAllowed):
                services_periods.edit_quarter(actor=world.users[persona], analysis=analysis, text="分析")
        with pytest.raises(InvalidInput) as blank:
            services_periods.publish_quarter(actor=cs_supervisor(world), analysis=analysis, text=" \n ")
        assert blank.value.field == "analysis"
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.DRAFT and analysis.published_by is None


@pytest.mark.req("K-13")
def test_a_quarter_cannot_be_published_before_it_ends(world: Any) -> None:
    with frozen_at(at(2026, 3, 25, 10, 0)):
        analysis = services_periods.draft_quarter(year=2026, quarter=1)
        with pytest.raises(InvalidInput):
            services_periods.publish_quarter(actor=cs_supervisor(world), analysis=analysis, text="分析")
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.DRAFT


@pytest.mark.req("K-13")
def test_publishing_twice_is_already_handled(world: Any) -> None:
    analysis = _drafted_q1(world)
    author = cs_supervisor(world)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        services_periods.publish_quarter(actor=author, analysis=analysis, text="第一次")
        with pytest.raises(AlreadyHandled):
            services_periods.publish_quarter(actor=author, analysis=analysis, text="第二次")
        with pytest.raises(AlreadyHandled):
            services_periods.edit_quarter(actor=author, analysis=analysis, text="改一改")
    analysis.refresh_from_db()
    assert analysis.analysis == "第一次"


@pytest.mark.req("K-13")
def test_every_staff_member_sees_a_published_analysis_but_not_a_draft(world: Any) -> None:
    author = cs_supervisor(world)
    with frozen_at(at(2026, 7, 1, 9, 0)):
        draft = services_periods.draft_quarter(year=2026, quarter=2)
        published = services_periods.draft_quarter(year=2026, quarter=1)
        services_periods.publish_quarter(actor=author, analysis=published, text="分析")

    for persona in STAFF_PERSONAS:
        visible = set(quarterly_for(world.users[persona]).values_list("pk", flat=True))
        assert published.pk in visible, persona
    for persona in ("handler_a", "colleague_a", "handler_b", "department_head", "office_head_a"):
        assert not quarterly_for(world.users[persona]).filter(pk=draft.pk).exists(), persona
    for user in (author, world.users["deputy_gm"], world.users["gm"]):
        assert quarterly_for(user).filter(pk=draft.pk).exists()
    assert not quarterly_for(world.users["resident"]).exists()


# --- the annual summary -----------------------------------------------------------------------


def _year_2026_with_actions_and_reports(world: Any) -> None:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        record(world)
    with frozen_at(at(2025, 12, 20, 10, 0)):
        record(world)
        improvement.open_action(
            actor=world.users["deputy_gm"],
            kind="preventive",
            source="inspection",
            source_reference="2025年12月巡檢",
            title="上一年的措施",
            problem="不計入2026年",
            department=world.engineering,
        )
    with frozen_at(at(2026, 5, 10, 10, 0)):
        improvement.open_action(
            actor=world.users["deputy_gm"],
            kind="corrective",
            source="inspection",
            source_reference="2026年5月電梯巡檢",
            title="電梯維保不及時",
            problem="3栋电梯一月内停运两次",
            department=world.engineering,
        )
    with frozen_at(at(2026, 4, 1, 1, 0)):
        services.draft_month(year=2026, month=3)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        report = MonthlyReport.objects.get(department=world.office_a, year=2026, month=3)
        services.submit(actor=world.users["office_head_a"], report=report, analysis="維修類為主")
    with frozen_at(at(2026, 4, 5, 10, 0)):
        services.review(actor=world.users["deputy_gm"], report=report, decision="no_action", note="")


@pytest.mark.req("K-15")
@pytest.mark.req("I-2")
def test_the_annual_summary_packs_complaints_actions_and_monthly_reports(world: Any) -> None:
    _year_2026_with_actions_and_reports(world)
    with frozen_at(at(2027, 1, 1, 1, 0)):
        summary = services_periods.draft_year(year=2026)
    figures = summary.figures
    assert figures["current"]["totals"]["received"] == 1
    assert len(figures["current"]["by_month"]) == 12
    assert figures["previous_totals"]["received"] == 1  # December 2025
    # Only the action opened in 2026; the December 2025 one belongs to 2025.
    assert figures["actions"]["opened"] == 1
    assert figures["actions"]["corrective"] == 1 and figures["actions"]["preventive"] == 0
    assert figures["actions"]["still_open"] == 1
    assert figures["actions"]["by_source"] == {"inspection": 1}
    departments = MonthlyReport.objects.filter(year=2026).count()
    assert departments == 4
    assert figures["monthly_reports"] == {
        "drafted": departments,
        "submitted": 1,
        "reviewed": 1,
        "decided_actions": 0,
    }
    assert figures["surveys"] is None

    with frozen_at(at(2027, 1, 2, 1, 0)):
        again = services_periods.draft_year(year=2026)
    assert again.pk == summary.pk and AnnualSummary.objects.count() == 1


@pytest.mark.req("K-15")
def test_the_gm_writes_the_annual_summary_in_the_deputy_gms_place_when_the_settings_say_so(
    world: Any,
) -> None:
    with frozen_at(at(2027, 1, 1, 1, 0)):
        summary = services_periods.draft_year(year=2026)
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=True)
    with frozen_at(at(2027, 1, 5, 10, 0)):
        services_periods.save_annual_text(actor=world.users["gm"], summary=summary, text="草稿")
        issued = services_periods.publish_annual(actor=world.users["gm"], summary=summary, text="全年總結")
    assert issued.published_by is not None and issued.published_by.user == world.users["gm"]
    assert [e.data for e in issued.events.filter(kind__in=("summary_saved", "issued"))] == [
        {"acting_for": "deputy_gm"},
        {"acting_for": "deputy_gm"},
    ]


@pytest.mark.req("K-15")
def test_only_the_deputy_gm_writes_and_issues_the_annual_summary(world: Any) -> None:
    _year_2026_with_actions_and_reports(world)
    with frozen_at(at(2027, 1, 1, 1, 0)):
        summary = services_periods.draft_year(year=2026)
    with frozen_at(at(2027, 1, 5, 10, 0)):
        others = (
            world.users["department_head"],
            world.users["auditor"],
            cs_supervisor(world),
            world.users["gm"],
        )
        for user in others:
            with pytest.raises(NotAllowed):
                services_periods.publish_annual(actor=user, summary=summary, text="總結")
            with pytest.raises(NotAllowed):
                services_periods.save_annual_text(actor=user, summary=summary, text="總結")
        services_periods.save_annual_text(actor=world.users["deputy_gm"], summary=summary, text=" 草稿 ")
        summary.refresh_from_db()
        assert summary.summary == "草稿" and summary.status == PeriodStatus.DRAFT
        issued = services_periods.publish_annual(
            actor=world.users["deputy_gm"], summary=summary, text="全年總結"
        )
        with pytest.raises(AlreadyHandled):
            services_periods.publish_annual(actor=world.users["deputy_gm"], summary=summary, text="再發一次")
    assert issued.status == PeriodStatus.PUBLISHED
    assert issued.published_by is not None and issued.published_by.user == world.users["deputy_gm"]
    frozen = issued.figures
    with frozen_at(at(2027, 1, 6, 10, 0)):
        services_periods.draft_year(year=2026)
    issued.refresh_from_db()
    assert issued.figures == frozen and issued.summary == "全年總結"


@pytest.mark.req("K-15")
def test_a_year_cannot_be_issued_before_it_ends(world: Any) -> None:
    with frozen_at(at(2026, 12, 31, 10, 0)):
        summary = services_periods.draft_year(year=2026)
        with pytest.raises(InvalidInput):
            services_periods.publish_annual(actor=world.users["deputy_gm"], summary=summary, text="總結")


@pytest.mark.req("K-15")
def test_who_sees_the_annual_summary(world: Any) -> None:
    with frozen_at(at(2027, 1, 5, 10, 0)):
        draft = services_periods.draft_year(year=2026)
        issued = services_periods.draft_year(year=2025)
        services_periods.publish_annual(actor=world.users["deputy_gm"], summary=issued, text="總結")
    for persona in ("deputy_gm", "gm", "auditor", "admin"):
        assert set(annual_for(world.users[persona]).values_list("pk", flat=True)) == {draft.pk, issued.pk}
    for persona in ("department_head", "office_head_a"):
        assert list(annual_for(world.users[persona]).values_list("pk", flat=True)) == [issued.pk]
    for persona in ("handler_a", "handler_b", "colleague_a", "resident"):
        assert not annual_for(world.users[persona]).exists(), persona


# --- the command ------------------------------------------------------------------------------


@pytest.mark.req("K-13")
@pytest.mark.req("K-15")
def test_the_command_drafts_each_period_once(world: Any) -> None:
    out = StringIO()
    with frozen_at(at(2026, 4, 2, 9, 0)):
        call_command("draft_period_reports", stdout=out)
        call_command("draft_period_reports", stdout=out)
    assert list(QuarterlyAnalysis.objects.values_list("year", "quarter")) == [(2026, 1)]
    assert list(AnnualSummary.objects.values_list("year", flat=True)) == [2025]
    assert "2026 Q1" in out.getvalue()

    with frozen_at(at(2026, 4, 2, 9, 5)):
        call_command("draft_period_reports", "--year", "2025", "--quarter", "2", stdout=out)
        call_command("draft_period_reports", "--year", "2025", "--quarter", "2", stdout=out)
    assert QuarterlyAnalysis.objects.filter(year=2025, quarter=2).count() == 1
    assert QuarterlyAnalysis.objects.count() == 2
    assert "2025 Q2" in out.getvalue()


@pytest.mark.req("K-13")
def test_the_periodic_task_catches_up(world: Any) -> None:
    from estatedesk.reports.tasks import draft_period_reports

    with frozen_at(at(2026, 4, 2, 0, 40)):
        made = draft_period_reports.call_local()
    assert made == 2  # Q1 2026 and the year 2025
