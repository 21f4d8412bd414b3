"""Report figures as people read them: names, percentages, hours, changes (SPEC K-12, K-13, K-15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from estatedesk.complaints import services as complaint_services
from estatedesk.complaints.models import Complaint
from estatedesk.reports import presenters, services
from estatedesk.reports.models import MonthlyReport, ReportStatus
from estatedesk.reports.presenters.formats import breakdown_rows
from estatedesk.reports.snapshots import MonthSnapshot
from tests.complaints.conftest import at, category, record
from tests.helpers import frozen_at


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.mark.req("K-12")
@pytest.mark.parametrize(
    ("rate", "text"),
    [
        ({"numerator": 45, "denominator": 50}, "90.0% (45 / 50)"),
        ({"numerator": 0, "denominator": 3}, "0.0% (0 / 3)"),
        ({"numerator": 0, "denominator": 0}, "—"),
        (None, "—"),
    ],
)
def test_rates_keep_their_sample_and_nothing_counted_is_a_dash(rate: Any, text: str) -> None:
    assert presenters.rate_text(rate) == text


@pytest.mark.req("K-12")
def test_durations_changes_and_points() -> None:
    assert presenters.duration_text(3.5 * 3600) == "3.5 h"
    assert presenters.duration_text(None) == "—"
    assert presenters.change_text(10, 7) == "+3"
    assert presenters.change_text(5, 7) == "\u22122"
    assert presenters.change_text(5, 5) == "0"
    assert presenters.change_text(5, None) == "—"
    ninety = {"numerator": 9, "denominator": 10}
    eighty_seven_half = {"numerator": 35, "denominator": 40}
    assert presenters.points_text(ninety, eighty_seven_half) == "+2.5 pp"
    assert presenters.points_text(eighty_seven_half, ninety) == "\u22122.5 pp"
    assert presenters.points_text(ninety, {"numerator": 0, "denominator": 0}) == "—"
    assert presenters.hours_change_text(7200, 3600) == "+1.0 h"


@pytest.mark.req("K-12")
def test_pareto_rows_name_the_keys_and_reach_one_hundred_percent() -> None:
    rows = [
        {"key": "b", "count": 3, "cumulative_count": 3, "total": 4, "vital": True},
        {"key": "a", "count": 1, "cumulative_count": 4, "total": 4, "vital": False},
    ]
    lines = presenters.pareto_rows(rows, {"a": "甲", "b": "乙"})
    assert [(r.name, r.share, r.cumulative, r.vital) for r in lines] == [
        ("乙", "75.0%", "75.0%", True),
        ("甲", "25.0%", "100.0%", False),
    ]


@pytest.mark.req("K-12")
def test_a_report_stored_with_other_before_smaller_bars_reads_back_with_other_last() -> None:
    # Stored before issue 12: 其他 (5) second, ahead of 清洁 (3). The counts stay, the order
    # (and so the running shares and the vital few) follows today's rule.
    data = {
        "category_pareto": [
            {"key": "repairs", "count": 10, "cumulative_count": 10, "total": 18, "vital": True},
            {"key": "other", "count": 5, "cumulative_count": 15, "total": 18, "vital": True},
            {"key": "cleaning", "count": 3, "cumulative_count": 18, "total": 18, "vital": False},
        ]
    }
    rows = MonthSnapshot.from_json(data).category_pareto
    assert [(r.key, r.count, r.cumulative_count, r.vital) for r in rows] == [
        ("repairs", 10, 10, True),
        ("cleaning", 3, 13, True),
        ("other", 5, 18, False),
    ]


@pytest.mark.req("K-12")
def test_breakdown_tables_list_other_last_like_the_chart() -> None:
    rows = breakdown_rows({"other": 9, "repairs": 4, "cleaning": 6}, {"other": "Other"})
    assert [r.key for r in rows] == ["cleaning", "repairs", "other"]


def _march(world: Any) -> MonthlyReport:
    return MonthlyReport.objects.get(department=world.office_a, year=2026, month=3)


@pytest.mark.django_db
@pytest.mark.req("K-12")
@pytest.mark.req("K-18")
def test_monthly_view_names_everything_and_hides_complainant_keys(world: Any) -> None:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        first = record(world)
        complaint_services.assess(
            actor=world.users["handler_a"], complaint=first, cause="maintenance", serious=False, urgent=False
        )
    with frozen_at(at(2026, 3, 12, 10, 0)):
        second = record(world, category=category("cleaning"))
        # A complainant known only by name: the name must not reach the report.
        record(world, customer=None, complainant_name="李秘密", description="一")
        record(world, customer=None, complainant_name="李秘密", description="二")
    with frozen_at(at(2026, 4, 1, 9, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
        view = presenters.monthly_view(_march(world))

    assert view["department"] == "翠湖花園管理處"
    assert view["period"] == "2026-03"
    headline = {row.label: row for row in view["headline"]}
    assert headline["Complaints received"].value == "4"
    assert headline["Complaints received"].previous == "0"
    assert headline["Complaints received"].change == "+4"
    assert headline["Valid complaints"].value == "1"
    assert headline["On-time reply rate"].value == "—"
    assert headline["Repeat complainants"].value == "2"
    assert [(r.name, r.count, r.share) for r in view["validity"]] == [
        ("Valid", 1, "25.0%"),
        ("Invalid", 0, "0.0%"),
        ("Not yet assessed", 3, "75.0%"),
    ]
    names = {r.key: r.name for r in view["by_category"]}
    assert names["repairs"] == category("repairs").name_en
    assert {r.name: r.count for r in view["by_estate"]} == {"翠湖花園": 4}
    assert {r.name: r.count for r in view["by_cause"]} == {
        "Not yet assessed": 3,
        "Company: repairs and maintenance": 1,
    }
    assert [r.name for r in view["cause_pareto"]] == ["Company: repairs and maintenance"]
    assert view["category_pareto"][-1].cumulative == "100.0%"

    repeats = view["repeat_complainants"]
    assert [r.label for r in repeats] == ["Complainant 1", "Complainant 2"]
    assert [r.count for r in repeats] == [2, 2]
    numbers = {link.number for r in repeats for link in r.complaints}
    assert {first.number, second.number} <= numbers
    by_number = dict(Complaint.objects.values_list("number", "pk"))
    assert all(
        link.url == reverse("complaints:detail", args=[by_number[link.number]])
        for r in repeats
        for link in r.complaints
    )
    shown = repr(view["repeat_complainants"]) + repr(view["headline"])
    assert "李秘密" not in shown and "customer:" not in shown and "name:" not in shown


@pytest.mark.django_db
@pytest.mark.req("K-12")
def test_the_previous_month_comes_from_its_submitted_report(world: Any) -> None:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 1, 9, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
        services.draft_month(year=2026, month=2, department=world.office_a)
    february = MonthlyReport.objects.get(department=world.office_a, year=2026, month=2)
    # Frozen figures differ from the live ones (complaints edited after submission).
    MonthlyReport.objects.filter(pk=february.pk).update(
        status=ReportStatus.SUBMITTED, figures={**february.figures, "received": 7}
    )
    with frozen_at(at(2026, 4, 1, 9, 0)):
        view = presenters.monthly_view(_march(world))
    received = next(r for r in view["headline"] if r.label == "Complaints received")
    assert (received.value, received.previous, received.change) == ("1", "7", "\u22126")
    assert (received.last_year, received.last_year_change) == ("0", "+1")


@pytest.mark.django_db
@pytest.mark.req("K-12")
def test_monthly_view_queries_do_not_grow_with_repeat_complainants(world: Any) -> None:
    def queries(n_repeats: int) -> int:
        for i in range(n_repeats):
            for _ in range(2):
                record(world, customer=None, complainant_name=f"客{i}", description="x")
        with frozen_at(at(2026, 4, 1, 9, 0)):
            services.draft_month(year=2026, month=3, department=world.office_a)
            report = _march(world)
            with CaptureQueriesContext(connection) as captured:
                presenters.monthly_view(report)
        return len(captured)

    with frozen_at(at(2026, 3, 10, 10, 0)):
        one = queries(1)
    with frozen_at(at(2026, 3, 11, 10, 0)):
        four = queries(3)
    assert one == four


@pytest.mark.django_db
@pytest.mark.req("K-13")
@pytest.mark.req("K-15")
def test_period_view_names_departments_and_compares_totals(world: Any) -> None:
    figures = {
        "current": {
            "months": [[2026, 1], [2026, 2], [2026, 3]],
            "totals": {
                "received": 4,
                "valid": 2,
                "invalid": 1,
                "undecided": 1,
                "replied": 4,
                "on_time": 3,
                "valid_visited": 2,
                "answered": 2,
                "satisfied": 1,
                "reopened": 0,
                "grievances": 0,
                "enquiries": 1,
            },
            "by_month": [
                {"received": 1, "replied": 1, "on_time": 1},
                {"received": 0},
                {"received": 3, "replied": 3, "on_time": 2},
            ],
            "by_department": {str(world.office_a.pk): {"received": 4, "replied": 4, "on_time": 3}},
            "department_by_month": {str(world.office_a.pk): [1, 0, 3]},
            "category_by_month": {"repairs": [1, 0, 3]},
            "estate_by_month": {str(world.estate_a.pk): [1, 0, 3]},
            "by_cause": {"maintenance": 2, "": 2},
            "category_pareto": [
                {"key": "repairs", "count": 4, "cumulative_count": 4, "total": 4, "vital": True}
            ],
            "cause_pareto": [],
        },
        "previous_totals": {"received": 6, "replied": 4, "on_time": 4, "valid": 0},
    }
    view = presenters.period_view(figures)
    assert view["months"] == ["2026-01", "2026-02", "2026-03"]
    headline = {row.label: row for row in view["headline"]}
    assert (headline["Complaints received"].value, headline["Complaints received"].change) == ("4", "\u22122")
    assert headline["On-time reply rate"].value == "75.0% (3 / 4)"
    assert headline["On-time reply rate"].change == "\u221225.0 pp"
    assert headline["Follow-up coverage"].previous == "—"
    assert [r.on_time for r in view["by_month"]] == ["100.0% (1 / 1)", "—", "66.7% (2 / 3)"]
    assert [(r.name, r.received) for r in view["by_department"]] == [("翠湖花園管理處", 4)]
    assert [(r.name, r.counts, r.total) for r in view["estate_by_month"]] == [("翠湖花園", (1, 0, 3), 4)]
    assert view["category_pareto"][0].name == category("repairs").name_en
    assert view["actions"] is None


@pytest.mark.django_db
@pytest.mark.req("K-12")
def test_the_repeat_complainants_numbers_come_in_one_statement_for_thousands_of_ids(world: Any) -> None:
    """More ids than SQLite's 999 bound parameters, in one statement (decision 0063); ids of
    complaints disposed of since the report was drafted are left out, as before."""
    from estatedesk.reports.presenters.formats import _numbers

    with frozen_at(at(2026, 3, 10, 10, 0)):
        first, second = record(world), record(world)
    gone = set(range(10**9, 10**9 + 1500))
    with CaptureQueriesContext(connection) as captured:
        numbers = _numbers({first.pk, second.pk} | gone)
    assert numbers == {first.pk: first.number, second.pk: second.number}
    assert len(captured) == 1
    assert _numbers(set()) == {}
