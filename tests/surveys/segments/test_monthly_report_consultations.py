"""The monthly report's consultation section (SPEC K-14, S-4): the management office's
consultations of the month (method, topics, households asked and answered, rate per topic
with n), the flags, the year's coverage so far, on the page, in print and in the workbook; a
submitted report keeps them as submitted."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from estatedesk.reports import services
from estatedesk.reports.models import MonthlyReport
from tests.conftest import World
from tests.helpers import frozen_at
from tests.surveys.conftest import add_households
from tests.surveys.segments.helpers import held, when


def _client(world: World, persona: str = "office_head_a") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    client.cookies["django_language"] = "en"
    return client


def _report(world: World, month: int) -> MonthlyReport:
    with frozen_at(when(date(2026, 4, 1), 2)):
        services.draft_month(year=2026, month=month, department=world.office_a)
    return MonthlyReport.objects.get(department=world.office_a, year=2026, month=month)


@pytest.mark.req("K-14", "S-4")
def test_the_section_shows_the_consultation_its_rates_and_the_coverage(world: World) -> None:
    add_households(world.building_a, 19)  # 20 occupied
    held(world, date(2026, 3, 1), ["satisfied"] * 4 + ["dissatisfied"], topics=("cleaning", "security"))
    report = _report(world, 3)
    html = _client(world).get(reverse("reports:monthly_detail", args=[report.pk])).content.decode()
    section = html[html.index('id="monthly-consultations"') :].split("</section>")[0]
    assert "Door-to-door visit" in section and "5 of 20 households asked answered" in section
    assert "Cleaning" in section or "cleaning" in section.lower()
    assert "80.0%" in section and ">5<" in section  # 4 of 5 satisfied, n = 5, each topic
    assert "Coverage of the year so far: 5 of 20" in section
    assert "data-flag" not in section  # held, and 5 reached ≥ 1 needed

    printed = _client(world).get(reverse("reports:monthly_print", args=[report.pk])).content.decode()
    assert "Monthly consultations of owners" in printed and "80.0%" in printed

    book = openpyxl.load_workbook(
        io.BytesIO(_client(world).get(reverse("reports:monthly_xlsx", args=[report.pk])).content)
    )
    sheet = book["Monthly consultations"]
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert 80.0 in values and 20 in values


@pytest.mark.req("K-14", "S-4")
def test_a_missed_month_is_flagged_in_the_report(world: World) -> None:
    add_households(world.building_a, 4)
    held(world, date(2026, 1, 1), ["satisfied"] * 2)
    report = _report(world, 2)
    html = _client(world).get(reverse("reports:monthly_detail", args=[report.pk])).content.decode()
    section = html[html.index('id="monthly-consultations"') :].split("</section>")[0]
    assert "data-flag" in section and "2026-02: no consultation held" in section
    assert "No consultation was held this month." in section
    assert "Coverage of the year so far: 2 of 5" in section


@pytest.mark.req("K-14")
def test_a_submitted_report_keeps_its_consultations(world: World) -> None:
    add_households(world.building_a, 19)
    held(world, date(2026, 3, 1), ["satisfied"] * 2)
    report = _report(world, 3)
    with frozen_at(when(date(2026, 4, 1), 3)):
        services.submit(actor=world.users["office_head_a"], report=report, analysis="已完成征询")
    report.refresh_from_db()
    stored = report.figures["consultations"]
    assert stored["consultations"][0]["answered"] == 2
    held(world, date(2026, 3, 1), ["dissatisfied"] * 3)  # a second one, after submitting
    report.refresh_from_db()
    assert report.figures["consultations"] == stored
    assert services.live_differs(report)


@pytest.mark.req("K-14")
def test_a_department_without_an_estate_has_no_section(world: World, supervisor: Any) -> None:
    with frozen_at(when(date(2026, 4, 1), 2)):
        reports = services.draft_month(year=2026, month=3)
    others = [r for r in reports if r.department.estate_id is None]
    assert others and all(r.figures["consultations"] is None for r in others)


def _month_json_as_before(estate_id: int, year: int, month: int, today: date) -> dict[str, Any] | None:
    """``month_json`` as written before decision 0071: ``consultation_facts``, each
    consultation's households counted one by one, and the year's coverage counted apart."""
    from estatedesk.org.models import Estate
    from estatedesk.surveys import consultation_summary as summary
    from estatedesk.surveys.consultation_results import consultation_facts, counted
    from estatedesk.surveys.models import ConsultedHousehold

    first = date(year, month, 1)
    facts = consultation_facts([estate_id], first, first)
    if not facts:
        return None
    fact = facts[0]
    rows = []
    for c in counted().filter(estate=estate_id, month=first).order_by("pk"):
        found = summary.consultation_results(c)
        rows.append(
            {
                "id": c.pk,
                "number": c.number,
                "method": c.method,
                "status": c.status,
                "topics": list(c.topics),
                "asked": c.households.filter(asked=True).count(),
                "answered": c.households.filter(asked=True, answered_at__isnull=False).count(),
                "rule": summary._rule_json(summary.rule_of(c)),
                "overall": summary._figure_json(found.overall),
                "by_topic": [
                    {"code": code, **summary._figure_json(found.by_category[code])}
                    for code in c.topics
                    if code in found.by_category
                ],
            }
        )
    consulted = (
        ConsultedHousehold.objects.filter(
            estate=estate_id,
            asked=True,
            answered_at__isnull=False,
            consultation__in=counted().filter(month__gte=date(year, 1, 1), month__lte=first).values("pk"),
        )
        .values("unit_id")
        .distinct()
        .count()
    )
    return {
        "estate": estate_id,
        "estate_name": Estate.objects.get(pk=estate_id).name,
        "year": year,
        "month": month,
        "occupied": fact.occupied,
        "reached": fact.reached,
        "consultations": rows,
        "flags": [summary._flag_json(f) for f in summary.flags([fact], today)],
        "coverage": {"consulted": consulted, "occupied": fact.occupied},
    }


@pytest.mark.req("K-14", "S-4")
def test_the_month_section_counts_as_the_consultations_own_figures_do(
    world: World, django_assert_max_num_queries: Any
) -> None:
    """``month_json`` reads in three queries what facts, counts and coverage read apart: the
    same section for months with one, two and no consultations, and none for a department
    without an estate."""
    from estatedesk.surveys import consultation_summary

    add_households(world.building_a, 19)
    held(world, date(2026, 1, 1), ["satisfied"] * 3)
    held(world, date(2026, 3, 1), ["satisfied"] * 4 + ["dissatisfied"], topics=("cleaning", "security"))
    held(world, date(2026, 3, 1), ["dissatisfied"] * 2, method="questionnaire", share=50, finish=False)
    today = date(2026, 4, 2)
    for month in (1, 2, 3, 4):
        expected = _month_json_as_before(world.estate_a.pk, 2026, month, today)
        assert consultation_summary.month_json(world.estate_a.pk, 2026, month, today) == expected
    march = consultation_summary.month_json(world.estate_a.pk, 2026, 3, today)
    assert march is not None and len(march["consultations"]) == 2 and march["coverage"]["consulted"] >= 5
    assert consultation_summary.month_json(None, 2026, 3, today) is None
    with django_assert_max_num_queries(3):
        consultation_summary.month_json(world.estate_a.pk, 2026, 2, today)
