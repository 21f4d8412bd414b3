"""The main journeys in a real browser: Debian's headless Chromium driven by Playwright.

Skipped with a reason where /usr/bin/chromium is not installed (a laptop); .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import PASSWORD, make_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, live_server, language: str, phone: bool = False):
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        locale="zh-CN",
    )
    context.add_cookies([{"name": "estatedesk_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    return page, outside, blocked


def _sign_in(page, live_server, username: str):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


@pytest.mark.req("P-3")
@pytest.mark.req("P-1")
@pytest.mark.parametrize(
    ("language", "units_word", "search_word"),
    [("zh-hans", "单元", "搜索"), ("zh-hant", "單元", "搜尋"), ("en", "Units", "Search")],
)
def test_a_handler_signs_in_and_finds_a_unit_on_a_phone(
    browser, live_server, language, units_word, search_word
):
    make_world()
    page, outside, blocked = _page(browser, live_server, language, phone=True)
    _sign_in(page, live_server, "handler_a")
    page.goto(live_server.url + "/org/units/")
    assert units_word in page.title()
    page.fill("input[name=q]", "3栋-1201")
    page.click(f"button:has-text('{search_word}')")
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "1201" in rows.first.inner_text()
    # estate B is not offered in the estate filter either
    options = page.locator("select[name=estate] option").all_inner_texts()
    assert any("翠湖花園" in o for o in options) and not any("金山大廈" in o for o in options)
    # nothing scrolls sideways on the page itself (the table scrolls inside its own box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert outside == [] and blocked == []


@pytest.mark.req("P-3")
def test_the_language_switch_changes_the_interface(browser, live_server):
    make_world()
    page, outside, blocked = _page(browser, live_server, "zh-hans")
    _sign_in(page, live_server, "deputy_gm")
    assert "首页" in page.title()
    with page.expect_navigation(url=live_server.url + "/"):
        page.select_option("#language-select", "en")
    assert "Home" in page.title()
    with page.expect_navigation(url=live_server.url + "/"):
        page.select_option("#language-select", "zh-hant")
    assert "首頁" in page.title()
    assert outside == [] and blocked == []


@pytest.mark.req("D-3")
def test_revealing_a_phone_number_in_the_browser(browser, live_server):
    world = make_world()
    page, outside, blocked = _page(browser, live_server, "en")
    _sign_in(page, live_server, "handler_a")
    page.goto(f"{live_server.url}/org/customers/{world.customer_a.pk}/")
    assert "138****1234" in page.inner_text("#phone-value")
    page.click("button:has-text('Show full number')")
    page.wait_for_selector("#phone-value:has-text('13812341234')")
    assert outside == [] and blocked == []
