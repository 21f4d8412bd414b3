"""One definition per figure (SPEC K-12, K-13): the months and the quarter count with the same
measures, so three frozen monthly reports add up to their frozen quarterly analysis."""

from __future__ import annotations

from typing import Any

import pytest

from estatedesk.org import services as org_services
from estatedesk.reports import measures, services, services_periods
from estatedesk.reports.models import MonthlyReport, ReportStatus
from estatedesk.reports.snapshots import MonthSnapshot, PeriodReport
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at
from tests.reports.test_period_services import cs_supervisor, first_quarter_2026

pytestmark = [pytest.mark.django_db, pytest.mark.req("K-12"), pytest.mark.req("K-13")]


def _head_of_office_b(world: Any) -> Any:
    return org_services.save_staff(
        actor=None,
        staff=None,
        username="office_head_b",
        display_name="office_head_b",
        role="department_head",
        estates=[world.estate_b],
        departments=[world.office_b],
        password="correct-horse-battery",
    ).user


def test_three_frozen_months_add_up_to_their_quarter(world: Any) -> None:
    first_quarter_2026(world)
    heads = {world.office_a.pk: world.users["office_head_a"], world.office_b.pk: _head_of_office_b(world)}
    with frozen_at(at(2026, 4, 2, 9, 0)):
        for month in (1, 2, 3):
            for report in services.draft_month(year=2026, month=month):
                if report.department_id in heads:
                    services.submit(actor=heads[report.department_id], report=report, analysis="本月分析")
        analysis = services_periods.draft_quarter(year=2026, quarter=1)
        services_periods.publish_quarter(actor=cs_supervisor(world), analysis=analysis, text="本季分析")
    with frozen_at(at(2026, 4, 5, 9, 0)):
        record(world)  # received in April: changes nothing frozen
    analysis.refresh_from_db()

    months = [
        MonthSnapshot.from_json(r.figures) for r in MonthlyReport.objects.filter(year=2026, month__lte=3)
    ]
    frozen = MonthlyReport.objects.filter(year=2026, month__lte=3, status=ReportStatus.SUBMITTED)
    assert frozen.count() == 6  # offices A and B, three months each; the others hold zeros
    quarter = PeriodReport.from_json(analysis.figures).current

    for name in measures.COUNTS:
        assert sum(m.counts()[name] for m in months) == quarter.totals[name], name
    assert sum(m.grievances for m in months) == quarter.totals["grievances"] == 1
    assert sum(m.enquiries for m in months) == quarter.totals["enquiries"] == 1
    for rate in measures.RATES:
        month_rates = [m.rate(rate.name) for m in months]
        assert sum(r.numerator for r in month_rates) == quarter.rate(rate.name).numerator, rate.name
        assert sum(r.denominator for r in month_rates) == quarter.rate(rate.name).denominator, rate.name
    # and the stored monthly rates are the measures' own pairs of the stored counts
    for m in months:
        assert (m.on_time, m.follow_up_coverage, m.follow_up_satisfaction) == tuple(
            rate.of(m.counts()) for rate in measures.RATES
        )
    assert quarter.totals["received"] == 5 and quarter.rate("on_time").numerator == 2


def test_a_snapshot_stored_before_a_key_existed_still_reads() -> None:
    # Reports frozen in earlier versions stay readable: a missing key reads as zero or empty.
    old = MonthSnapshot.from_json({"received": 3, "on_time": {"numerator": 1, "denominator": 2}})
    assert (old.received, old.valid, old.rate("on_time").value, old.repeat_complainants) == (3, 0, 0.5, ())
    assert PeriodReport.from_json({}).current.totals == {}
    assert PeriodReport.from_json({"totals": {"received": 4}}).current.totals == {"received": 4}
