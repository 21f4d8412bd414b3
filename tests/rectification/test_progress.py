"""Rectification progress (SPEC R-5, P-1): the figures, the grouped tables of each side's own
scope, the charts, the workbook and the PDF, in a constant number of queries."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from estatedesk.core.clock import company_today, now
from estatedesk.core.models import ExportRecord
from estatedesk.core.params import Params
from estatedesk.org.models import Staff
from estatedesk.rectification import progress_charts
from estatedesk.rectification.figures import Counts, average_days, overdue_share, pass_rate, total
from estatedesk.rectification.models import Item
from estatedesk.rectification.progress import Filters, build, read_filters
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import routing
from estatedesk.rectification.services.items import ItemInput
from tests.test_i18n_pages import leftovers

ZH = "zh-hans"


# --- figures (pure) ------------------------------------------------------------------------------


@pytest.mark.req("R-5")
@pytest.mark.parametrize(
    ("first", "accepted", "expected"),
    [(0, 0, None), (3, 4, 75.0), (4, 4, 100.0), (0, 5, 0.0)],
)
def test_first_round_pass_rate(first: int, accepted: int, expected: float | None) -> None:
    assert pass_rate(first, accepted) == expected


@pytest.mark.req("R-5")
def test_average_days_and_overdue_share_never_divide_by_zero() -> None:
    assert average_days(0.0, 0) is None
    assert average_days(30.0, 4) == 7.5
    assert overdue_share(0, 0) is None
    assert overdue_share(1, 4) == 25.0
    empty = Counts()
    assert (empty.first_round_pass_rate, empty.average_days, empty.overdue_share) == (None, None, None)
    assert (empty.pass_rate_text, empty.average_days_text) == ("—", "—")


@pytest.mark.req("R-5")
def test_rows_add_up_to_the_total() -> None:
    a = Counts(items=3, with_property=1, accepted=2, accepted_first_round=1, days_to_accept=10.0)
    b = Counts(items=2, with_developer=1, overdue=1, accepted=1, accepted_first_round=1, days_to_accept=2.0)
    both = total([a, b])
    assert both == Counts(5, 1, 1, 0, 3, 1, 2, 12.0)
    assert (both.open, both.first_round_pass_rate, both.average_days) == (2, pytest.approx(200 / 3), 4.0)
    assert both.overdue_share == 50.0
    assert both.pass_rate_text == "66.7%"


@pytest.mark.req("R-5")
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_pass_rate_is_a_percentage(first: int, extra: int) -> None:
    rate = pass_rate(first, first + extra)
    assert rate is None or 0 <= rate <= 100


# --- a hand-built set --------------------------------------------------------------------------


def arrange(item: Item, **fields: Any) -> Item:
    """Put an item where a figure needs it (round, dates, team) without walking every step:
    these tests check the counting, ``test_flow`` the steps."""
    Item.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item


def day(days_ago: int) -> datetime:
    return now() - timedelta(days=days_ago)


@pytest.fixture
def handbuilt(rect: Any) -> dict[str, Any]:
    """Estate A (developer X): seven items; estate B (developer Y): two."""
    today = company_today()
    w = rect.world
    second = item_services.create_report(actor=w.users["handler_a"], estate=w.estate_a, title="公共区域巡查")
    a = [rect.item(category="walls") for _ in range(5)] + [
        item_services.add_items(
            actor=w.users["handler_a"],
            report=second,
            rows=[ItemInput(location="大堂", description="地砖空鼓", category="public_areas", unit=None)],
        )[0]
        for _ in range(2)
    ]
    # a0: accepted in round 1 after 4 days; a1: accepted in round 2 after 10 days (team X)
    arrange(
        a[0],
        status="accepted",
        reported_at=day(10),
        accepted_at=day(6),
        team=rect.team_x,
        developer=rect.developer_x,
        route="developer",
    )
    arrange(
        a[1],
        status="accepted",
        round=2,
        reported_at=day(20),
        accepted_at=day(10),
        team=rect.team_x,
        developer=rect.developer_x,
        route="developer",
    )
    # a2: team X fixing, overdue by 3 days; a3: team X fixing, due in 2 days
    arrange(
        a[2],
        status="team_fixing",
        due_date=today - timedelta(days=3),
        team=rect.team_x,
        developer=rect.developer_x,
        route="developer",
    )
    arrange(a[3], status="res_check", team=rect.team_x, developer=rect.developer_x, route="developer")
    # a4: cancelled (counted nowhere)
    arrange(a[4], status="cancelled")
    # public area, ours: engineering fixing, overdue by 1 day; the other still to be decided
    routing.fix_ourselves(
        actor=w.users["handler_a"], item=a[5].pk, department=w.engineering, due_date=today + timedelta(days=5)
    )
    arrange(a[5], due_date=today - timedelta(days=1))
    report_b = item_services.create_report(
        actor=w.users["handler_b"], estate=w.estate_b, title="金山交付批次"
    )
    b = item_services.add_items(
        actor=w.users["handler_b"],
        report=report_b,
        rows=[ItemInput(location="会议室", description="窗户漏水", category="waterproofing", unit=w.unit_b)]
        * 2,
    )
    arrange(
        b[0],
        status="team_fixing",
        due_date=today - timedelta(days=9),
        team=rect.team_y,
        developer=rect.developer_y,
        route="developer",
    )
    return {"a": a, "b": b, "second": second, "report_b": report_b}


def by_label(table: Any) -> dict[str, Counts]:
    return {row.label: row.counts for row in table.rows}


@pytest.mark.req("R-5")
def test_the_tables_count_the_hand_built_set(rect: Any, handbuilt: dict[str, Any]) -> None:
    p = build(rect.world.users["gm"], Filters())
    t = p.total
    assert (t.items, t.with_property, t.with_developer, t.awaiting_resident, t.accepted) == (8, 3, 2, 1, 2)
    assert (t.open, t.overdue, t.accepted_first_round) == (6, 3, 1)
    assert t.first_round_pass_rate == 50.0
    assert t.average_days == pytest.approx(7.0, abs=0.01)  # (4 + 10) / 2

    estates = by_label(p.table("estate"))
    assert estates["翠湖花園"].items == 6 and estates["金山大廈"].items == 2
    batches = {row.key: row.counts for row in p.table("report").rows}
    assert batches[rect.report.pk].items == 4 and batches[handbuilt["second"].pk].items == 2
    teams = by_label(p.table("team"))
    assert (
        teams["X置业整改小组"].items,
        teams["X置业整改小组"].overdue,
        teams["X置业整改小组"].accepted,
    ) == (4, 1, 2)
    assert teams["工程部"].overdue == 1 and teams["Y地产整改小组"].overdue == 1
    assert teams["尚未分派"].items == 2  # not decided yet: a5's twin and b1
    # our departments before the developers' teams, nobody last
    assert [r.label for r in p.table("team").rows] == ["工程部", "X置业整改小组", "Y地产整改小组", "尚未分派"]
    categories = {row.key: row.counts.items for row in p.table("category").rows}
    assert categories == {"walls": 4, "public_areas": 2, "waterproofing": 2}
    rounds = {row.key: row.counts for row in p.table("round").rows}
    assert rounds[1].items == 7 and rounds[2].items == 1 and rounds[2].accepted_first_round == 0
    for table in p.tables:
        assert total(r.counts for r in table.rows) == t


@pytest.mark.req("R-5")
def test_filters_narrow_to_an_estate_a_batch_and_a_period(rect: Any, handbuilt: dict[str, Any]) -> None:
    gm = rect.world.users["gm"]
    assert build(gm, Filters(estate=rect.world.estate_b.pk)).total.items == 2
    assert build(gm, Filters(report=handbuilt["second"].pk)).total.items == 2
    today = company_today()
    recent = build(gm, Filters(reported_from=today - timedelta(days=15), reported_to=today)).total
    assert recent.items == 7  # a1 was reported 20 days ago
    params = Params(
        {"estate": "x", "report": "99999999999999999999", "from": "2026-02-30", "to": "1800-01-01"}
    )
    assert read_filters(params) == Filters()
    assert len(params.notes) == 2


# --- scope (P-1) -----------------------------------------------------------------------------------


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


@pytest.mark.req("R-5", "P-1")
def test_each_side_sees_only_its_own_items(rect: Any, handbuilt: dict[str, Any]) -> None:
    def items(user: Any) -> int:
        return build(user, Filters()).total.items

    # developer Y: only its one escalated item; nothing of X
    y = build(rect.user("dev_y"), Filters())
    assert y.total.items == 1
    assert [r.label for r in y.table("estate").rows] == ["金山大廈"]
    assert "X置业整改小组" not in {r.label for r in y.table("team").rows}
    assert [pk for pk, _n in y.estates] == [rect.world.estate_b.pk]
    assert build(rect.user("dev_y"), Filters(report=rect.report.pk)).total.items == 0
    # developer X sees the four items escalated to it; team X its four; team Y its one
    assert items(rect.user("dev_x")) == 4
    assert items(rect.user("team_x")) == 4
    assert items(rect.user("team_y")) == 1
    # the property side by estate
    assert items(rect.world.users["handler_a"]) == 6
    assert items(rect.world.users["handler_b"]) == 2

    page = rect.world.client("handler_b")
    html = page.get(reverse("rectification:progress")).content.decode()
    assert figure(html, "items") == "2" and "X置业整改小组" not in html
    client = rect.world.client("gm")
    client.force_login(rect.user("dev_y"))
    html = client.get(reverse("rectification:progress"), {"estate": rect.world.estate_a.pk}).content.decode()
    assert figure(html, "items") == "0" and "翠湖花園" not in html


# --- the page, the charts, the exports -------------------------------------------------------------


@pytest.mark.req("R-5")
def test_the_page_shows_the_tables_and_the_charts(rect: Any, handbuilt: dict[str, Any]) -> None:
    response = rect.world.client("gm").get(reverse("rectification:progress"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        figure(html, "items") == "8"
        and figure(html, "overdue") == "3"
        and figure(html, "pass-rate") == "50.0%"
    )
    for key in ("estate", "report", "team", "category", "round"):
        assert f'data-table="{key}"' in html
    for chart in ("chart-batch", "chart-round", "chart-overdue"):
        assert f'id="{chart}"' in html and f'data-chart="{chart}"' in html
    batch = json.loads(re.search(r'id="chart-batch" type="application/json">(.*?)</script>', html).group(1))
    assert batch["series"][0]["stack"] == "total" and len(batch["series"]) == 4
    assert "<script>" not in html  # no inline script (CSP): the options are JSON, drawn by charts.js


@pytest.mark.req("R-5")
def test_overdue_chart_lists_only_teams_with_overdue_items_most_first() -> None:
    rows = [("甲", Counts(items=3, overdue=1)), ("乙", Counts(items=1)), ("丙", Counts(items=5, overdue=4))]
    options = progress_charts.overdue_by_team(rows, "逾期")
    assert options["yAxis"]["data"] == ["丙", "甲"] and options["series"][0]["data"] == [4, 1]
    assert progress_charts.overdue_by_team([("乙", Counts(items=1))], "逾期") is None


@pytest.mark.req("R-5")
def test_the_chinese_page_shows_no_english(rect: Any, handbuilt: dict[str, Any]) -> None:
    Staff.objects.filter(user=rect.world.users["gm"]).update(display_name="总经理")  # the menu shows it
    client = rect.world.client("gm")
    client.cookies["estatedesk_language"] = ZH
    html = client.get(reverse("rectification:progress"), {"from": "2026-02-30"}).content.decode()
    assert "整改进度" in html
    assert leftovers(html) == []


@pytest.mark.req("R-5")
def test_the_workbook_has_one_sheet_per_table_in_the_readers_language(
    rect: Any, handbuilt: dict[str, Any]
) -> None:
    client = rect.world.client("gm")
    client.cookies["estatedesk_language"] = ZH
    response = client.get(reverse("rectification:progress_xlsx"), {"estate": rect.world.estate_a.pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按项目", "按批次", "按整改小组或部门", "按类别", "按轮次"]
    sheet = book["按项目"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目", "事项", "未完成")
    assert rows[1][0] == "翠湖花園" and rows[1][1] == 6
    assert rows[-1][0] == "合计" and rows[-1][1] == 6 and rows[-1][8] == pytest.approx(0.5)
    record = ExportRecord.objects.get(list_name="rectification-progress")
    assert record.filters == {"estate": str(rect.world.estate_a.pk), "format": "xlsx"}


@pytest.mark.req("R-5")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_prints_the_tables(rect: Any, handbuilt: dict[str, Any]) -> None:
    client = rect.world.client("gm")
    client.cookies["estatedesk_language"] = ZH
    response = client.get(reverse("rectification:progress_pdf"))
    if response.status_code == 503:
        pytest.skip("WeasyPrint cannot run here")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,  # noqa: S607 - a test tool
    ).stdout.decode()
    for words in ("整改进度", "按项目", "按批次", "按轮次", "首轮通过率", "翠湖花園", "X置业整改小组"):
        assert words in text, words


# --- queries (P-1: constant in N) -------------------------------------------------------------------


def queries_of(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("rectification:progress")).status_code == 200
    return len(captured.captured_queries)


def add(rect: Any, n: int) -> None:
    rows = [
        ItemInput(location="客厅", description=f"第{i}处", category="walls", unit=rect.world.unit_a)
        for i in range(n)
    ]
    made = item_services.add_items(actor=rect.world.users["handler_a"], report=rect.report, rows=rows)
    today = company_today()
    for i, item in enumerate(made):
        status = ["reported", "team_fixing", "res_check", "accepted"][i % 4]
        arrange(
            item,
            status=status,
            round=1 + i % 3,
            team=rect.team_x if status != "reported" else None,
            due_date=today - timedelta(days=i % 5),
            accepted_at=now() if status == "accepted" else None,
        )


@pytest.mark.req("R-5", "P-1")
def test_the_page_costs_the_same_queries_for_10_and_60_items(rect: Any) -> None:
    add(rect, 10)
    for persona in ("gm", "dev_x", "team_x"):
        client = rect.world.client("gm")
        client.force_login(rect.user(persona))
        queries_of(client)  # the first request of a session reads what later ones keep
        few = queries_of(client)
        add(rect, 50) if persona == "gm" else None
        assert queries_of(client) == few, persona
    assert Item.objects.count() == 60
