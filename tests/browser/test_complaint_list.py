"""The department list in a real browser (decision 0060: each row's markup written once in
Python): cards on a 390 px phone with nothing scrolling sideways, the table at a desk, and the
ticks of the bulk bar counting only what shows."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_journeys import CHROMIUM, _page, _sign_in, browser  # noqa: F401 - the fixture
from tests.complaints.conftest import record
from tests.conftest import make_world

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.req("A-1")
@pytest.mark.req("K-5")
def test_the_list_is_cards_on_a_phone_and_a_table_at_a_desk(browser, live_server):  # noqa: F811
    world = make_world()
    unassigned = record(world, persona="colleague_a", description="<b>门禁</b>卡失灵")
    record(world, description="3栋电梯停运两天")

    page, outside, blocked = _page(browser, live_server, "en", phone=True)
    _sign_in(page, live_server, "handler_a")
    page.goto(live_server.url + "/complaints/")
    cards = page.locator(".complaint-card")
    assert cards.count() == 2 and page.locator(".complaint-table").is_hidden()
    card = page.locator(".complaint-card", has=page.locator(f"#card-{unassigned.pk}"))
    assert unassigned.number in card.inner_text() and "<b>门禁</b>卡失灵" in card.inner_text()
    assert card.locator(".due-badge").is_visible() and card.locator(".take-button").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    card.locator("input[data-bulk-item]").check()
    assert page.locator("[data-bulk-count]").count() == 1
    assert page.locator("button[value=take][data-bulk-needs]").is_enabled()
    assert outside == [] and blocked == []

    page, outside, blocked = _page(browser, live_server, "en")
    _sign_in(page, live_server, "handler_a")
    page.goto(live_server.url + "/complaints/?status=new")
    assert (
        page.locator(".complaint-table tbody tr").count() == 2
        and page.locator(".complaint-cards").is_hidden()
    )
    page.locator("[data-bulk-all]").check()
    assert page.locator("[data-bulk-count]").inner_text() == "Ticked: 2"  # the table's boxes, not the cards'
    assert page.locator("select[name=status] option[selected]").inner_text() == "Waiting for assessment"
    assert outside == [] and blocked == []
