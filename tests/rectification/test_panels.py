"""The overdue rectification items on the home pages of the three parties (SPEC A-1, R-4, P-1):
the property customer service, the developer's customer service and the team each see the
items of their own scope being fixed past their completion date, the most overdue first, each
linking to its item; the heading counts all of them and "see all" opens the overdue list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from estatedesk.core import panels
from estatedesk.core.clock import company_today
from estatedesk.rectification.home_panel import SHOWN, overdue_panel
from estatedesk.rectification.models import Item
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services.items import ItemInput
from tests.test_home_panels import home, panels_on

KEY = "rectification_overdue"


def detail(item: Item) -> str:
    return reverse("rectification:item_detail", args=[item.pk])


def overdue_by(rect: Any, item: Item, days: int, *, team: Any = None, developer: Any = None) -> Item:
    """Put an item in the team's hands past its completion date (the steps are test_flow's)."""
    Item.objects.filter(pk=item.pk).update(
        status="team_fixing",
        route="developer",
        team=team or rect.team_x,
        developer=developer or rect.developer_x,
        due_date=company_today() - timedelta(days=days),
    )
    item.refresh_from_db()
    return item


@pytest.mark.req("A-1")
def test_every_party_of_rectification_has_the_panel() -> None:
    for role in (
        "handler",
        "department_head",
        "cs_supervisor",
        "deputy_gm",
        "gm",
        "developer_cs",
        "rectification",
    ):
        assert KEY in panels.ROLE_PANELS[role], role
    assert KEY not in panels.ROLE_PANELS["duty_staff"] and KEY in panels.registered()


@pytest.mark.req("A-1", "R-4")
def test_overdue_items_most_overdue_first_counted_all_with_see_all(rect: Any) -> None:
    items = [overdue_by(rect, rect.item(description=f"第{n}处裂缝"), days=n + 1) for n in range(SHOWN + 2)]
    rect.item(description="刚登记")  # not being fixed: not overdue
    due_today = overdue_by(rect, rect.item(), days=0)  # due today: not overdue yet
    rows = overdue_panel(rect.world.users["handler_a"], {})
    assert rows.count == SHOWN + 2
    assert len(rows.items) == SHOWN
    most_overdue = sorted(items, key=lambda i: i.due_date)[:SHOWN]
    for row, item in zip(rows.items, most_overdue, strict=True):
        assert f'href="{detail(item)}"' in row
    assert rows.more == reverse("rectification:item_list") + "?overdue=1"
    assert all(detail(due_today) not in row for row in rows.items)

    html = home(rect.world.client("handler_a"))
    count, body = panels_on(html)[KEY]
    assert count == SHOWN + 2
    assert f'href="{detail(most_overdue[0])}"' in body
    assert "?overdue=1" in body
    assert "7 days overdue" in body


@pytest.mark.req("A-1", "P-1")
def test_each_party_sees_only_its_own_overdue_items(rect: Any) -> None:
    w = rect.world
    ours = overdue_by(rect, rect.item(), days=3)
    report_b = item_services.create_report(
        actor=w.users["handler_b"], estate=w.estate_b, title="金山交付批次"
    )
    theirs = item_services.add_items(
        actor=w.users["handler_b"],
        report=report_b,
        rows=[ItemInput(location="会议室", description="窗户漏水", category="waterproofing", unit=w.unit_b)],
    )[0]
    theirs = overdue_by(rect, theirs, days=5, team=rect.team_y, developer=rect.developer_y)

    def listed(user: Any) -> set[int]:
        rows = overdue_panel(user, {})
        return {
            pk
            for pk in (ours.pk, theirs.pk)
            if any(f'href="{reverse("rectification:item_detail", args=[pk])}"' in r for r in rows.items)
        }

    assert listed(rect.user("dev_x")) == {ours.pk}
    assert listed(rect.user("team_x")) == {ours.pk}
    assert listed(rect.user("dev_y")) == {theirs.pk}
    assert listed(rect.user("team_y")) == {theirs.pk}
    assert listed(w.users["handler_a"]) == {ours.pk}
    assert listed(w.users["handler_b"]) == {theirs.pk}
    assert listed(w.users["gm"]) == {ours.pk, theirs.pk}
    count, body = panels_on(home(w.client("gm")))[KEY]
    assert count == 2
    # the developer's home page: developer Y sees nothing of X
    client = w.client("gm")
    client.force_login(rect.user("dev_y"))
    count, body = panels_on(home(client))[KEY]
    assert count == 1 and detail(ours) not in body and detail(theirs) in body


@pytest.mark.req("A-1")
def test_nothing_overdue_shows_the_empty_text(rect: Any) -> None:
    client = rect.world.client("gm")
    client.force_login(rect.user("team_x"))
    count, body = panels_on(home(client))[KEY]
    assert count == 0 and "No rectification item is overdue." in body
