"""The staff dashboard (SPEC A-1) counts only within the user's scope (P-1)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.complaints import services
from estatedesk.complaints.models import Complaint
from estatedesk.reports import services as report_services
from estatedesk.reports import stats
from estatedesk.reports.dashboard import dashboard_for, last_months, same_days_cut
from tests.complaints.conftest import SHANGHAI, at, category, record
from tests.helpers import frozen_at

pytestmark = pytest.mark.django_db

URL = "/reports/dashboard/"
# The deputy GM's page, whatever the number of complaints: session, user, staff row,
# settings, open work (by status, then the due ones: two index reads, decision 0064), the kept months by category and the categories' names, last month's
# same days (kept day counts and the last day's rows), this month's kept counts by department,
# the open records by department, the overdue ones by department and the departments' names, review queue, overdue actions,
# plus the base page's own queries; the monthly consultations' check (and the user's
# estates, for a role whose complaint scope is not by estate).
QUERY_BUDGET = 25


def _assess(world: Any, c: Complaint, cause: str, persona: str = "handler_a") -> Complaint:
    return services.assess(actor=world.users[persona], complaint=c, cause=cause, serious=False, urgent=False)


def _reply(world: Any, c: Complaint, persona: str = "handler_a") -> Complaint:
    return services.reply(actor=world.users[persona], complaint=c, content="已處理", manner="oral")


def _visit(world: Any, c: Complaint, satisfaction: str) -> None:
    services.visit(
        actor=world.users["handler_a"],
        complaint=c,
        method="phone",
        opinion="回訪意見",
        satisfaction=satisfaction,
    )


def _in_b(world: Any, **overrides: Any) -> Complaint:
    return record(
        world,
        "handler_b",
        estate=world.estate_b,
        unit=world.unit_b,
        customer=world.customer_b,
        category=category("cleaning"),
        description="A座大堂地面濕滑",
        **overrides,
    )


def _page(world: Any, persona: str) -> str:
    """The page as a user reads it, in English (the strings the test looks for)."""
    response = world.client(persona).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _figure(board: Any, name: str) -> Any:
    return next(f for f in board.figures if f.name == name)


def _tile(html: str, label: str) -> int:
    """The number on a dashboard tile, read from the page as a user sees it."""
    match = re.search(
        r'<div class="small text-muted">' + re.escape(label) + r"</div>\s*"
        r'<div class="fs-3[^"]*">(?:<a [^>]*>)?(\d+)',
        html,
    )
    assert match, f"no tile {label!r}"
    return int(match.group(1))


def two_estates(world: Any) -> dict[str, Complaint]:
    """Three open complaints of estate A, two of estate B, all received Mon 2 Mar 2026.

    A1 is never assessed; by Thu 5 Mar 10:00 its deadline (Tue 3 Mar 17:30) has passed:
    overdue. B1 too. The others are assessed valid on Mon 2 Mar at 10:00: 2 working days,
    due Wed 4 Mar 17:30 — also overdue by Thursday except A3, replied on time.
    """
    made: dict[str, Complaint] = {}
    with frozen_at(at(2026, 3, 2, 9, 0)):
        made["A1"] = record(world)
        made["A2"] = _assess(world, record(world), "maintenance")
        made["A3"] = _assess(world, record(world), "maintenance")
        made["B1"] = _in_b(world)
        made["B2"] = _assess(world, _in_b(world), "management", persona="handler_b")
    with frozen_at(at(2026, 3, 2, 11, 0)):
        _reply(world, made["A3"])
    return made


@pytest.mark.req("A-1")
@pytest.mark.req("P-1")
def test_handler_b_never_counts_estate_a_and_the_deputy_gm_counts_both(world):
    two_estates(world)
    with frozen_at(at(2026, 3, 5, 10, 0)):
        board_b = dashboard_for(world.users["handler_b"])
        board_a = dashboard_for(world.users["handler_a"])
        board_gm = dashboard_for(world.users["deputy_gm"])
        html_b = _page(world, "handler_b")
        html_gm = _page(world, "deputy_gm")

    assert (board_b.open_work.total, board_a.open_work.total, board_gm.open_work.total) == (2, 3, 5)
    assert (board_b.open_work.overdue, board_a.open_work.overdue, board_gm.open_work.overdue) == (2, 2, 4)
    assert board_b.open_work.by_status == {"new": 1, "in_progress": 1, "referred": 0, "replied": 0}
    assert _figure(board_b, "received").current == 2
    assert _figure(board_a, "received").current == 3
    assert _figure(board_gm, "received").current == 5
    assert _figure(board_a, "on_time").current == stats.Rate(1, 1)
    assert _figure(board_b, "on_time").current == stats.Rate(0, 0)

    # What the user reads: the tiles, and the trend table of the current month.
    assert (_tile(html_b, "Open"), _tile(html_b, "Overdue")) == (2, 2)
    assert (_tile(html_gm, "Open"), _tile(html_gm, "Overdue")) == (5, 4)
    assert '<td class="text-end">5</td>' in html_gm and '<td class="text-end">5</td>' not in html_b
    # Only the company-wide roles get the per-department table, with both offices in it.
    assert 'data-section="departments"' in html_gm and 'data-section="departments"' not in html_b
    rows = {r.name: r for r in board_gm.departments or []}
    assert (rows[world.office_a.name].received, rows[world.office_a.name].overdue) == (3, 2)
    assert (rows[world.office_b.name].received, rows[world.office_b.name].overdue) == (2, 2)
    assert rows[world.office_a.name].on_time == stats.Rate(1, 1)
    assert board_b.departments is None


@pytest.mark.req("A-1")
@pytest.mark.req("P-1")
def test_the_overdue_tile_links_to_the_list_showing_those_complaints(world):
    made = two_estates(world)
    with frozen_at(at(2026, 3, 5, 10, 0)):
        client = world.client("handler_b")
        html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        link = reverse("complaints:list") + "?due=overdue"
        assert f'href="{link}"' in html
        listed = client.get(link).content.decode()
    assert made["B1"].number in listed and made["B2"].number in listed
    assert made["A1"].number not in listed


@pytest.mark.req("A-1")
def test_due_soon_uses_the_companys_windows(world):
    with frozen_at(at(2026, 3, 2, 9, 0)):
        _assess(world, record(world), "maintenance")  # due Wed 4 Mar 17:30
    with frozen_at(at(2026, 3, 4, 14, 0)):  # 3.5 h before: inside the 4 h window
        assert dashboard_for(world.users["handler_a"]).open_work.due_soon == 1
    with frozen_at(at(2026, 3, 4, 12, 0)):  # 5.5 h before: not yet
        assert dashboard_for(world.users["handler_a"]).open_work.due_soon == 0


def two_months(world: Any) -> None:
    """February and the first days of March 2026, handled by 翠湖花園管理處 (estate A).

    February: F1 valid, replied at once (on time), visited satisfied; F2 valid, replied on
    27 Feb (late), visited dissatisfied → reopened; F3 invalid, replied at once (on time);
    F4 never assessed. March: M1 valid, replied on time, visited satisfied; M2 invalid,
    replied on time; an enquiry (not a complaint: not counted); and a complaint in estate B
    (outside handler_a's scope).
    """
    with frozen_at(at(2026, 2, 3, 10, 0)):
        f1 = _assess(world, record(world), "maintenance")
    with frozen_at(at(2026, 2, 3, 11, 0)):
        _reply(world, f1)
    with frozen_at(at(2026, 2, 4, 10, 0)):
        _visit(world, f1, "satisfied")
    with frozen_at(at(2026, 2, 5, 9, 30)):
        f2 = _assess(world, record(world), "management")
    with frozen_at(at(2026, 2, 27, 10, 0)):
        _reply(world, f2)
    with frozen_at(at(2026, 2, 27, 15, 0)):
        _visit(world, f2, "dissatisfied")
    with frozen_at(at(2026, 2, 20, 10, 0)):
        f3 = _assess(world, record(world, category=category("cleaning")), "developer")
    with frozen_at(at(2026, 2, 20, 10, 30)):
        _reply(world, f3)
    with frozen_at(at(2026, 2, 25, 16, 0)):
        record(world)
    with frozen_at(at(2026, 3, 2, 10, 0)):
        m1 = _assess(world, record(world), "maintenance")
    with frozen_at(at(2026, 3, 2, 12, 0)):
        _reply(world, m1)
    with frozen_at(at(2026, 3, 3, 10, 0)):
        _visit(world, m1, "very_satisfied")
    with frozen_at(at(2026, 3, 4, 10, 0)):
        m2 = _assess(world, record(world), "external")
    with frozen_at(at(2026, 3, 4, 11, 0)):
        _reply(world, m2)
    with frozen_at(at(2026, 3, 5, 9, 0)):
        record(world, kind="enquiry", description="請問停車費", immediate_reply="不調整")
        _in_b(world)


@pytest.mark.req("A-1")
def test_this_month_against_the_whole_last_month_and_its_same_days(world):
    two_months(world)
    # Tue 10 Mar 12:00: "same days last month" is 1 Feb 00:00 – 10 Feb 12:00 (F1, F2).
    with frozen_at(at(2026, 3, 10, 12, 0)):
        board = dashboard_for(world.users["handler_a"])
        html = _page(world, "handler_a")
    trend = board.trend
    assert trend is not None
    assert trend.same_days_start == at(2026, 2, 1) and trend.same_days_end == at(2026, 2, 10, 12, 0)

    expected = {
        # name: (this month to date, whole last month, same days last month)
        "received": (2, 4, 2),
        "valid": (1, 2, 2),
        "reopened": (0, 1, 1),
        "on_time": (stats.Rate(2, 2), stats.Rate(2, 3), stats.Rate(1, 2)),
        "satisfaction": (stats.Rate(1, 1), stats.Rate(1, 2), stats.Rate(1, 2)),
    }
    for name, (current, last, same) in expected.items():
        figure = _figure(board, name)
        assert (figure.current, figure.last_month, figure.same_days) == (current, last, same), name
    assert _figure(board, "received").vs_last_month == stats.CountChange(2, 4)
    assert _figure(board, "on_time").vs_same_days.points == pytest.approx(50.0)

    # The page says which comparison is which, and prints the changes.
    assert "Same days last month" in html and "Whole last month" in html
    assert "2026-02-01 – 2026-02-10 12:00" in html and "2026-02-01 – 2026-02-28" in html
    row = re.search(r"On-time reply rate</th>(.*?)</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells == ["100.0% (2 / 2)", "50.0% (1 / 2)", "+50.0 pp", "66.7% (2 / 3)", "+33.3 pp"]
    received_row = re.search(r"Complaints received</th>(.*?)</tr>", html, re.S)
    assert received_row is not None
    assert "\u22122 (\u221250.0%)" in received_row.group(1)  # 2 against the 4 of February


def test_same_days_of_a_shorter_month_is_the_whole_month():
    assert same_days_cut(datetime(2026, 3, 30, 9, 0, tzinfo=SHANGHAI)) == at(2026, 3, 1)
    assert same_days_cut(datetime(2026, 1, 31, 9, 0, tzinfo=SHANGHAI)) == at(2025, 12, 31, 9, 0)
    assert last_months(2026, 3)[0] == (2025, 4) and last_months(2026, 3)[-1] == (2026, 3)
    assert len(last_months(2026, 1)) == 12 and last_months(2026, 1)[0] == (2025, 2)


@pytest.mark.req("A-1")
def test_the_twelve_month_trend_counts_each_month_by_company_time(world):
    # 31 Mar 2025 23:30 in Shanghai is before the 12 months ending March 2026.
    for when, code in (
        (at(2025, 3, 31, 23, 30), "repairs"),
        (at(2025, 4, 1, 0, 10), "repairs"),
        (at(2025, 9, 15, 10, 0), "cleaning"),
        (at(2025, 9, 16, 10, 0), "repairs"),
        (at(2026, 1, 31, 23, 59), "security"),
        (at(2026, 2, 1, 0, 0), "security"),
    ):
        with frozen_at(when):
            c = record(world, category=category(code))
        if when.month == 9 and code == "cleaning":
            with frozen_at(when.replace(hour=11)):
                _assess(world, c, "maintenance")
                _reply(world, c)
    with frozen_at(at(2026, 3, 10, 12, 0)):
        board = dashboard_for(world.users["handler_a"])
        html = _page(world, "handler_a")
    trend = board.trend
    assert trend is not None
    assert trend.months[0] == (2025, 4) and trend.months[-1] == (2026, 3)
    received = dict(zip(trend.months, (m["received"] for m in trend.by_month), strict=True))
    assert received == {
        **dict.fromkeys(trend.months, 0),
        (2025, 4): 1,
        (2025, 9): 2,
        (2026, 1): 1,
        (2026, 2): 1,
    }
    september = trend.by_month[trend.months.index((2025, 9))]
    assert (september["valid"], september["replied"], september["on_time"]) == (1, 1, 1)
    stacks = {code: counts for code, _name, counts in trend.categories}
    assert set(stacks) == {"repairs", "cleaning", "security"}
    assert stacks["repairs"][0] == 1 and stacks["repairs"][5] == 1 and stacks["security"][9:11] == (1, 1)
    assert trend.categories[0][0] == "repairs"  # most complaints first
    # The table under the chart repeats the numbers.
    volume = re.search(r'data-table="volume">(.*?)</table>', html, re.S)
    assert volume is not None
    assert re.search(r"2025-09</th><td[^>]*>2</td><td[^>]*>1</td>", volume.group(1))
    assert 'id="chart-volume" type="application/json"' in html and 'data-chart="chart-volume"' in html


@pytest.mark.req("A-1")
def test_the_catch_all_category_is_folded_into_other_categories_not_a_band_of_its_own(world):
    # issue 12: 其他 was drawn as a "top" category beside "Other categories" (其他类别).
    with frozen_at(at(2026, 3, 2, 10, 0)):
        for code in ("other", "other", "other", "repairs"):
            record(world, category=category(code))
    with frozen_at(at(2026, 3, 10, 12, 0)):
        trend = dashboard_for(world.users["deputy_gm"]).trend
    assert trend is not None
    assert [code for code, _name, _counts in trend.categories] == ["repairs"]
    assert trend.other_categories[-1] == 3  # the three 其他 complaints, in the last band


def _spread(world: Any, n: int) -> None:
    """n complaints in each of estates A and B over three months, in every state."""
    for i in range(n):
        with frozen_at(at(2026, 1 + i % 3, 2 + i % 20, 10, 0)):
            a = record(world, category=category(("repairs", "cleaning", "security", "charges")[i % 4]))
            b = _in_b(world)
            if i % 2:
                _assess(world, a, "maintenance")
                _reply(world, a)
            if i % 3 == 0:
                _assess(world, b, "external", persona="handler_b")


@pytest.mark.req("A-1")
@pytest.mark.parametrize("persona", ["deputy_gm", "handler_a", "department_head"])
def test_the_number_of_queries_does_not_grow_with_the_complaints(
    world, persona, django_assert_max_num_queries
):
    counts = []
    for n in (2, 12):
        _spread(world, n)
        client = world.client(persona)  # signing in is not the page's cost
        with (
            frozen_at(at(2026, 3, 25, 12, 0)),
            CaptureQueriesContext(connection) as queries,
            django_assert_max_num_queries(QUERY_BUDGET),
        ):
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.req("A-1")
@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["auditor", "gm", "admin", "colleague_a", "office_head_a", "handler_b"])
def test_every_staff_role_gets_the_page(world, persona):
    two_estates(world)
    with frozen_at(at(2026, 3, 5, 10, 0)):
        response = world.client(persona).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-section="open-work"' in html


@pytest.mark.req("A-1")
def test_duty_staff_see_their_open_work_only(world):
    two_estates(world)
    with frozen_at(at(2026, 3, 5, 10, 0)):
        board = dashboard_for(world.users["colleague_a"])
        html = _page(world, "colleague_a")
    assert (board.open_work.total, board.open_work.overdue) == (3, 2)
    assert board.trend is None and board.open_work.mine is None
    assert 'data-section="figures"' not in html and "echarts" not in html


@pytest.mark.req("A-1")
def test_a_handler_sees_the_complaints_assigned_to_them(world):
    made = two_estates(world)  # assessing made handler_a the handler of A2 and A3
    head = world.users["office_head_a"].staff
    with frozen_at(at(2026, 3, 3, 9, 0)):
        services.assign(
            actor=world.users["handler_a"], complaint=made["A2"], department=world.office_a, handler=head
        )
    with frozen_at(at(2026, 3, 5, 10, 0)):
        mine = dashboard_for(world.users["handler_a"]).open_work.mine
        heads = dashboard_for(world.users["office_head_a"]).open_work.mine
        html = _page(world, "handler_a")
    assert (mine, heads) == (1, 1)
    assert _tile(html, "Assigned to me") == 1
    assert f'href="{reverse("complaints:mine")}"' in html


@pytest.mark.req("A-1")
@pytest.mark.req("K-14")
def test_a_department_head_sees_drafts_awaiting_and_the_deputy_gm_the_review_queue(world):
    with frozen_at(at(2026, 3, 5, 10, 0)):
        report_services.draft_month(year=2026, month=2, department=world.engineering)
        (office_report,) = report_services.draft_month(year=2026, month=2, department=world.office_a)
        report_services.submit(actor=world.users["office_head_a"], report=office_report, analysis="本月平穩")
        head = dashboard_for(world.users["department_head"])
        office_head = dashboard_for(world.users["office_head_a"])
        deputy = dashboard_for(world.users["deputy_gm"])
        auditor = dashboard_for(world.users["auditor"])
        html = _page(world, "department_head")
    assert [(r.department_id, r.month) for r in head.drafts_awaiting or []] == [(world.engineering.pk, 2)]
    assert office_head.drafts_awaiting == []
    assert deputy.drafts_awaiting is None
    assert deputy.review_queue == 1 and auditor.review_queue is None and head.review_queue is None
    assert "工程部, 2026-02" in html


@pytest.mark.req("A-1")
@pytest.mark.req("I-1")
@pytest.mark.req("P-1")
def test_overdue_corrective_actions_in_scope(world):
    from datetime import date

    from estatedesk.improvement import services as improvement

    head = world.users["department_head"]
    with frozen_at(at(2026, 3, 2, 9, 0)):
        action = improvement.open_action(
            actor=head,
            kind="corrective",
            source="inspection",
            title="電梯維保不及時",
            problem="3栋电梯两次停运",
            department=world.engineering,
            source_reference="三月設備巡查",
        )
        improvement.add_step(
            actor=head, action=action, description="更換控制板", owner=head.staff, due_date=date(2026, 3, 4)
        )
    with frozen_at(at(2026, 3, 10, 10, 0)):
        for_head = dashboard_for(head).overdue_actions
        for_b = dashboard_for(world.users["handler_b"]).overdue_actions
        html = _page(world, "department_head")
    assert for_head is not None and for_b is not None
    assert (for_head["count"], for_b["count"]) == (1, 0)
    assert _tile(html, "Overdue corrective actions") == 1
    assert action.number in html and "6 days late" in html
