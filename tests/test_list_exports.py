"""Every list page exports to Excel with the page's scope and filters (SPEC A-3, P-1, D-3).

The export of a list must hold exactly the rows the user's list page shows (all pages of
them), in the same order and with the same masking; user text is stored as text, never as
a formula; no full phone number is ever written; the query count does not grow with rows.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from estatedesk.complaints import papers
from estatedesk.complaints import services as complaint_services
from estatedesk.complaints.models import TransferSlip, WorkNotice
from estatedesk.core.crud import ExportPage
from estatedesk.org import services as org_services
from estatedesk.org.models import Building, CommitteeMember, Department, Developer, Estate, Staff
from estatedesk.org.views import CUSTOMERS
from estatedesk.reports import services_periods
from tests.complaints.conftest import estate_b_complaint_papers, record
from tests.reports.test_period_services import cs_supervisor

FORMULA = "=cmd|' /C calc'!A0"
DEVELOPER = '=HYPERLINK("http://x","y")'
STAFF_PHONE = "13611112222"
DEVELOPER_PHONE = "13755556666"
# Every full phone number of the fixtures: none may appear in any export.
FULL_PHONES = ["13812341234", "13987654321", STAFF_PHONE, DEVELOPER_PHONE]

ORG_KEYS = ["estate", "building", "committee", "department", "developer", "staff"]


# --- helpers -----------------------------------------------------------------------------------------


def sheet_of(response: Any) -> Any:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return sheet


def table(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def texts(sheet: Any) -> list[str]:
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def export(client: Any, name: str, **params: Any) -> Any:
    return sheet_of(client.get(reverse(name), params))


def as_text(value: Any) -> str | None:
    """A list cell and a workbook cell compared as text ("—" on the page is an empty cell)."""
    return None if value is None or value == "—" else str(value)


def roster(world: Any) -> None:
    """Committee members, a developer and staff phones in both estates."""
    CommitteeMember.objects.create(estate=world.estate_a, name=FORMULA, position="主任")
    CommitteeMember.objects.create(estate=world.estate_a, name="李委員", position="委員")
    CommitteeMember.objects.create(estate=world.estate_b, name="陳委員", position="主任")
    developer = Developer(name=DEVELOPER, contact_person="趙經理")
    developer.phone = DEVELOPER_PHONE
    developer.save()
    for username in ("handler_a", "handler_b"):
        staff = Staff.objects.get(user__username=username)
        staff.phone = STAFF_PHONE
        staff.save()


def papers_of_estate_a(world: Any) -> tuple[TransferSlip, WorkNotice]:
    handler_a = world.users["handler_a"]
    complaint = record(world)
    complaint_services.assess(
        actor=handler_a, complaint=complaint, cause="management", serious=False, urgent=False
    )
    slip = papers.raise_slip(actor=handler_a, complaint=complaint, matter=FORMULA)
    notice = papers.issue_notice(
        actor=world.users["deputy_gm"],
        department=world.office_a,
        task=FORMULA,
        due_at=timezone.now() + timedelta(hours=1),
        estate=world.estate_a,
    )
    # a deadline is always set in the future; let this one pass to make the notice overdue
    WorkNotice.objects.filter(pk=notice.pk).update(due_at=timezone.now() - timedelta(days=1))
    return slip, notice


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    sheet_of(response)
    return len(ctx)


# --- organisation lists (the generic export of crud.py) ----------------------------------------------


@pytest.mark.req("A-3")
@pytest.mark.req("P-1")
@pytest.mark.parametrize("key", ORG_KEYS)
@pytest.mark.parametrize("persona", ["handler_a", "handler_b", "colleague_a", "auditor", "deputy_gm"])
def test_org_export_has_exactly_the_rows_of_the_list_page(world, key, persona):
    roster(world)
    client = world.client(persona)
    page = client.get(reverse(f"org:{key}_list"))
    assert page.status_code == 200
    assert page.context["page"].paginator.num_pages == 1
    shown = [[as_text(v) for v in values] for _obj, values in page.context["rows"]]
    headers = [str(c.label) for c in page.context["register"].columns]
    assert len(shown) >= 1

    rows = table(export(client, f"org:{key}_export"))
    assert rows[0] == [capfirst(h) for h in headers]
    assert [[as_text(v) for v in row] for row in rows[1:]] == shown
    # and the list page offers the export
    assert f'href="{reverse(f"org:{key}_export")}"' in page.content.decode()


@pytest.mark.req("A-3")
@pytest.mark.req("P-1")
def test_handler_b_never_gets_estate_a_rows(world):
    roster(world)
    client = world.client("handler_b")
    expected = {
        "estate": ("金山大廈", "翠湖花園"),
        "building": ("A座", "3栋"),
        "committee": ("陳委員", "李委員"),
        "department": ("金山大廈管理處", "翠湖花園管理處"),
        "staff": ("handler_b", "handler_a"),
    }
    for key, (own, other) in expected.items():
        values = texts(export(client, f"org:{key}_export"))
        assert own in values, key
        assert other not in values, key
        # an estate filter naming estate A is ignored, exactly as on the list page: still no A rows
        values = texts(export(client, f"org:{key}_export", estate=world.estate_a.pk))
        assert other not in values, key


@pytest.mark.req("A-3")
@pytest.mark.parametrize(
    ("key", "params", "kept", "dropped"),
    [
        ("estate", {"q": "金山"}, "金山大廈", "翠湖花園"),
        ("building", {"estate": "A"}, "3栋", "A座"),
        ("committee", {"estate": "B"}, "陳委員", "李委員"),
        ("department", {"q": "工程"}, "工程部", "客戶服務部"),
        ("staff", {"q": "handler"}, "handler_b", "deputy_gm"),
    ],
)
def test_org_export_keeps_the_search_and_filters(world, key, params, kept, dropped):
    roster(world)
    client = world.client("deputy_gm")
    estates = {"A": world.estate_a.pk, "B": world.estate_b.pk}
    params = {k: estates.get(v, v) for k, v in params.items()}
    everything = texts(export(client, f"org:{key}_export"))
    assert kept in everything and dropped in everything
    narrowed = texts(export(client, f"org:{key}_export", **params))
    assert kept in narrowed and dropped not in narrowed
    page = client.get(reverse(f"org:{key}_list"), params)
    shown = {as_text(v) for _obj, values in page.context["rows"] for v in values}
    assert kept in shown and dropped not in shown
    # the list's button carries the current query string
    query = QueryDict(mutable=True)
    query.update(params)
    assert f'href="{reverse(f"org:{key}_export")}?{query.urlencode()}"' in page.content.decode()


@pytest.mark.req("A-3")
@pytest.mark.req("D-3")
def test_generic_export_masks_names_exactly_like_the_list(world):
    """A register column that masks names for auditors masks them in the generic export too."""
    view = ExportPage.as_view(register=CUSTOMERS)
    for persona, visible, hidden in [("auditor", "王*明", "王小明"), ("handler_a", "王小明", "王*明")]:
        request = RequestFactory().get("/")
        request.user = world.users[persona]
        values = texts(sheet_of(view(request)))
        assert visible in values and hidden not in values, persona
        assert "138****1234" in values


@pytest.mark.req("A-3")
def test_user_text_is_a_text_cell_never_a_formula(world):
    roster(world)
    papers_of_estate_a(world)
    expected = {
        "org:committee_export": FORMULA,
        "org:developer_export": DEVELOPER,
        "complaints:slip_export": FORMULA,
        "complaints:notice_export": FORMULA,
    }
    for name, text in expected.items():
        sheet = export(world.client("handler_a"), name)
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == text]
        assert cells, name
        assert {c.data_type for c in cells} == {"s"}, f"{name}: user text became a formula"


# --- complaint papers --------------------------------------------------------------------------------


@pytest.mark.req("A-3")
@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["handler_a", "handler_b", "deputy_gm", "auditor"])
def test_slip_and_notice_exports_hold_the_rows_of_the_list(world, persona):
    estate_b_complaint_papers(world)
    papers_of_estate_a(world)
    client = world.client(persona)
    for kind in ("slip", "notice"):
        page = client.get(reverse(f"complaints:{kind}_list"))
        numbers = [obj.number for obj in page.context["page"].object_list]
        rows = table(export(client, f"complaints:{kind}_export"))
        assert rows[0][0] and [row[0] for row in rows[1:]] == numbers, kind
        assert f'href="{reverse(f"complaints:{kind}_export")}"' in page.content.decode()


@pytest.mark.req("A-3")
@pytest.mark.req("P-1")
def test_handler_b_slip_and_notice_exports_hold_no_estate_a_paper(world):
    estate_b_complaint_papers(world)
    slip_a, notice_a = papers_of_estate_a(world)
    client = world.client("handler_b")
    slips = texts(export(client, "complaints:slip_export"))
    notices = texts(export(client, "complaints:notice_export"))
    assert TransferSlip.objects.exclude(pk=slip_a.pk).get().number in slips
    assert slip_a.number not in slips and "翠湖花園" not in slips
    assert WorkNotice.objects.exclude(pk=notice_a.pk).get().number in notices
    assert notice_a.number not in notices and "翠湖花園" not in notices


@pytest.mark.req("A-3")
def test_slip_and_notice_exports_keep_the_filters(world):
    estate_b_complaint_papers(world)
    slip_a, notice_a = papers_of_estate_a(world)
    client = world.client("deputy_gm")
    other_notice = WorkNotice.objects.exclude(pk=notice_a.pk).get()
    overdue = texts(export(client, "complaints:notice_export", state="overdue"))
    assert notice_a.number in overdue and other_notice.number not in overdue
    page = client.get(reverse("complaints:notice_list"), {"state": "overdue"}).content.decode()
    assert f"{reverse('complaints:notice_export')}?state=overdue" in page

    TransferSlip.objects.filter(pk=slip_a.pk).update(status="decided")
    other_slip = TransferSlip.objects.exclude(pk=slip_a.pk).get()
    decided = texts(export(client, "complaints:slip_export", status="decided"))
    assert slip_a.number in decided and other_slip.number not in decided
    # "waiting for my signature": the head of office A signs slip A, not the deputy GM
    TransferSlip.objects.filter(pk=slip_a.pk).update(status="at_head")
    mine = texts(export(world.client("office_head_a"), "complaints:slip_export", mine="1"))
    assert slip_a.number in mine and other_slip.number not in mine


# --- quarterly analyses and annual summaries ---------------------------------------------------------


def _quarters(world: Any, quarters: list[tuple[int, int]], *, publish: bool) -> None:
    writer = Staff.objects.filter(user__username="cs_supervisor").first()
    writer = writer.user if writer else cs_supervisor(world)
    for year, quarter in quarters:
        analysis = services_periods.draft_quarter(year=year, quarter=quarter)
        if publish:
            services_periods.publish_quarter(actor=writer, analysis=analysis, text="維修類投訴為主")


@pytest.mark.req("A-3")
@pytest.mark.req("P-1")
def test_quarterly_export_shows_drafts_only_to_those_who_see_them(world):
    _quarters(world, [(2025, 3)], publish=True)
    _quarters(world, [(2025, 4)], publish=False)
    for persona, labels in [("handler_a", ["2025 Q3"]), ("deputy_gm", ["2025 Q4", "2025 Q3"])]:
        client = world.client(persona)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(reverse("reports:quarterly_list"))
        assert [row["label"] for row in page.context["rows"]] == labels
        rows = table(export(client, "reports:quarterly_export"))
        assert [row[0] for row in rows[1:]] == labels, persona
        assert 'href="/reports/quarterly/export/"' in page.content.decode()
    published = table(export(world.client("handler_a"), "reports:quarterly_export"))[1]
    assert published[3] == "客服主管" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", published[4])
    assert published[5] == f"客服主管 · {published[4]}"


@pytest.mark.req("A-3")
@pytest.mark.req("P-1")
def test_annual_export_follows_the_annual_scope(world):
    issued = services_periods.draft_year(year=2024)
    services_periods.publish_annual(actor=world.users["deputy_gm"], summary=issued, text="年度總結")
    services_periods.draft_year(year=2025)
    for persona, years in [("handler_a", []), ("department_head", [2024]), ("deputy_gm", [2025, 2024])]:
        client = world.client(persona)
        page = client.get(reverse("reports:annual_list"))
        assert [row["summary"].year for row in page.context["rows"]] == years
        rows = table(export(client, "reports:annual_export"))
        assert len(rows[0]) == 6 and [row[0] for row in rows[1:]] == years, persona
        assert 'href="/reports/annual/export/"' in page.content.decode()


# --- no full phone anywhere; query budget ------------------------------------------------------------


ALL_EXPORTS = [
    *[f"org:{key}_export" for key in [*ORG_KEYS, "unit", "customer"]],
    "complaints:export",
    "complaints:slip_export",
    "complaints:notice_export",
    "reports:quarterly_export",
    "reports:annual_export",
]


@pytest.mark.req("A-3")
@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm", "auditor", "admin"])
def test_no_export_holds_a_full_phone_number(world, persona):
    roster(world)
    estate_b_complaint_papers(world)
    papers_of_estate_a(world)
    _quarters(world, [(2025, 3)], publish=True)
    services_periods.draft_year(year=2025)
    client = world.client(persona)
    for name in ALL_EXPORTS:
        for value in texts(export(client, name)):
            digits = re.sub(r"\D", "", value)  # also "138 1234 1234" or "138-1234-1234"
            assert not any(phone in digits for phone in FULL_PHONES), (name, value)


def _grow_org(world: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        estate = Estate.objects.create(name=f"新苑{i}", code=f"N{i}")
        world.users["handler_a"].staff.estates.add(estate)  # so the handler's lists grow too
        Building.objects.create(estate=world.estate_a, name=f"{i}栋", floors=10)
        CommitteeMember.objects.create(estate=world.estate_a, name=f"委員{i}", position="委員")
        Department.objects.create(name=f"管理處{i}", kind="management_office", estate=estate)
        developer = Developer(name=f"發展商{i}", contact_person="經理")
        developer.phone = f"1370000{i:04d}"
        developer.save()
        org_services.save_staff(
            actor=None,
            staff=None,
            username=f"staff{i}",
            display_name=f"員工{i}",
            role="duty_staff",
            estates=[world.estate_a],
            departments=[world.office_a],
            phone=f"1360000{i:04d}",
        )


@pytest.mark.req("A-3")
@pytest.mark.parametrize("key", ORG_KEYS)
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm"])
def test_org_export_query_count_does_not_grow_with_rows(world, key, persona):
    client = world.client(persona)
    client.get(reverse("home"))  # the first request of a session also writes the session
    _grow_org(world, 2, 0)
    few = _queries(client, reverse(f"org:{key}_export"))
    _grow_org(world, 25, 100)
    assert len(table(export(client, f"org:{key}_export"))) > 27
    assert _queries(client, reverse(f"org:{key}_export")) == few


def _grow_papers(world: Any, n: int) -> None:
    for _ in range(n):
        complaint = record(world)
        complaint_services.assess(
            actor=world.users["handler_a"],
            complaint=complaint,
            cause="management",
            serious=False,
            urgent=False,
        )
        slip = papers.raise_slip(actor=world.users["handler_a"], complaint=complaint, matter="需公司協調")
        notice = papers.issue_notice(
            actor=world.users["deputy_gm"],
            department=world.office_a,
            task="巡查",
            due_at=timezone.now() + timedelta(days=2),
            estate=world.estate_a,
        )
        # fill every related row an export reads, so a missing join would show as more queries
        TransferSlip.objects.filter(pk=slip.pk).update(result_by=world.users["gm"].staff)
        WorkNotice.objects.filter(pk=notice.pk).update(complaint=complaint, slip=slip)


@pytest.mark.req("A-3")
@pytest.mark.parametrize("name", ["complaints:slip_export", "complaints:notice_export"])
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm"])
def test_paper_export_query_count_does_not_grow_with_rows(world, name, persona):
    client = world.client(persona)
    client.get(reverse("home"))
    _grow_papers(world, 2)
    few = _queries(client, reverse(name))
    _grow_papers(world, 6)
    assert len(table(export(client, name))) == 9
    assert _queries(client, reverse(name)) == few


@pytest.mark.req("A-3")
def test_period_export_query_count_does_not_grow_with_rows(world):
    client = world.client("deputy_gm")
    client.get(reverse("home"))
    _quarters(world, [(2025, 1)], publish=True)
    issued = services_periods.draft_year(year=2023)
    services_periods.publish_annual(actor=world.users["deputy_gm"], summary=issued, text="總結")
    few_q = _queries(client, reverse("reports:quarterly_export"))
    few_a = _queries(client, reverse("reports:annual_export"))
    _quarters(world, [(2025, 2), (2025, 3), (2025, 4)], publish=True)
    for year in (2024, 2025):
        summary = services_periods.draft_year(year=year)
        services_periods.publish_annual(actor=world.users["deputy_gm"], summary=summary, text="總結")
    assert len(table(export(client, "reports:quarterly_export"))) == 5
    assert len(table(export(client, "reports:annual_export"))) == 4
    assert _queries(client, reverse("reports:quarterly_export")) == few_q
    assert _queries(client, reverse("reports:annual_export")) == few_a
