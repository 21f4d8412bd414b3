"""Complaint journeys in a real browser: phone intake by duty staff, handling to closed, and a
resident's complaint from the estate's QR page. Same set-up as ``test_journeys``."""

from __future__ import annotations

import os
import time

import pytest

from estatedesk.complaints.models import Complaint
from tests.browser.test_journeys import CHROMIUM, _page, _sign_in, browser  # noqa: F401 - the fixture
from tests.conftest import make_world

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _open_step(page, name: str):
    step = page.locator(f"#step-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    return step


@pytest.mark.req("K-1")
@pytest.mark.req("K-18")
@pytest.mark.req("K-10")
def test_a_phone_complaint_is_recorded_by_typing_the_unit_and_handled_to_closed(browser, live_server):  # noqa: F811
    world = make_world()
    page, outside, blocked = _page(browser, live_server, "zh-hans", phone=True)
    _sign_in(page, live_server, "colleague_a")

    started = time.monotonic()
    page.goto(live_server.url + "/complaints/new/")
    page.fill("input[name=unit_text]", "3栋-1201")
    pick = page.locator("button[data-pick]").first
    pick.wait_for()
    assert "王小明" in pick.inner_text()
    pick.click()
    page.locator("#intake-earlier").wait_for()
    page.select_option("select[name=category]", label="维修")
    page.fill("textarea[name=description]", "3栋电梯停在12楼不动，有人被困")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/complaints/*/")
    elapsed = time.monotonic() - started
    complaint = Complaint.objects.get()
    assert complaint.customer == world.customer_a and complaint.unit == world.unit_a
    assert complaint.number in page.content()
    assert elapsed < 60  # the phone intake of K-1: well under a minute, pauses for typing included

    # The handler takes it through the procedure on the same pages.
    page, outside2, blocked2 = _page(browser, live_server, "zh-hans")
    _sign_in(page, live_server, "handler_a")
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    step = _open_step(page, "assess")
    step.locator("select[name=cause]").select_option("maintenance")
    step.locator("input[name=urgent]").check()
    step.locator("button[type=submit]").click()
    page.wait_for_load_state()
    step = _open_step(page, "reply")
    step.locator("textarea[name=content]").fill("已派維修工救出住戶，電梯已恢復")
    step.locator("input[name=manner][value=oral]").check()
    step.locator("button[type=submit]").click()
    page.wait_for_load_state()
    step = _open_step(page, "visit")
    step.locator("input[name=method][value=phone]").check()
    step.locator("textarea[name=opinion]").fill("很滿意，處理及時")
    step.locator("select[name=satisfaction]").select_option("very_satisfied")
    step.locator("button[type=submit]").click()
    page.wait_for_load_state()
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.on_time is True
    timeline = page.locator("#timeline, [aria-labelledby=h-timeline]").first.inner_text()
    assert "handler_a" in timeline
    assert outside == [] and outside2 == [] and blocked == [] and blocked2 == []


@pytest.mark.req("W-1")
def test_a_resident_sends_a_complaint_from_the_estate_page_and_follows_it(browser, live_server):  # noqa: F811
    world = make_world()
    page, outside, blocked = _page(browser, live_server, "zh-hans", phone=True)
    page.goto(f"{live_server.url}/r/{world.estate_a.code}/")
    page.select_option("select[name=category]", index=1)
    page.fill("textarea[name=description]", "2号楼门口路灯不亮")
    page.fill("input[name=phone]", "13800138000")
    page.locator("#privacy-notice summary").click()  # the notice opens before the send button
    assert "个人信息" in page.locator("#privacy-text").inner_text()
    page.check("input[name=privacy_ack]")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    complaint = Complaint.objects.get()
    assert complaint.channel == "portal" and complaint.number in page.content()
    referers: list[str] = []
    page.on("request", lambda r: referers.append(r.headers.get("referer") or ""))
    page.goto(f"{live_server.url}/r/c/{complaint.portal_token}/")
    assert complaint.number in page.content()
    # The language switch still works, and the page's address never travels as a referrer.
    page.locator(".portal-languages a[lang=zh-hant]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hant" and complaint.number in page.content()
    # The page posts its own forms: a real browser's post passes CSRF under its referrer policy.
    page.fill("textarea[name=info-text]", "晚上八點後完全不亮")
    page.locator("#information-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "已轉給負責處理的工作人員" in page.locator("#done").inner_text()
    page.locator("#chase-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#chase-again").count() == 1
    assert {"resident_info", "resident_chase"} <= set(complaint.events.values_list("action", flat=True))
    assert len(referers) > 3 and not [r for r in referers if complaint.portal_token in r]
    assert outside == [] and blocked == []
