"""The results page in a real browser (SPEC S-2, A-1): the charts are drawn (bars, interval
whiskers, target line), nothing is blocked by the CSP and nothing is fetched from outside, at a
desktop and a phone width, in the three languages. With RESULTS_SHOTS set to a folder the
pages are also saved there as screenshots (for looking at them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from tests.conftest import PASSWORD, make_world
from tests.surveys.results_world import closed_survey

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def _watch(page: Any, base: str) -> tuple[list[str], list[str]]:
    """Requests that left our server, and what the Content-Security-Policy blocked."""
    outside: list[str] = []
    blocked: list[str] = []

    def on_request(request: Any) -> None:
        if not request.url.startswith(base):
            outside.append(request.url)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("request", on_request)
    page.on("console", on_console)
    return outside, blocked


@pytest.mark.req("S-2", "A-1")
def test_the_results_charts_are_drawn_in_three_languages(live_server: Any) -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    world = make_world()
    supervisor = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[world.customer_service],
        password=PASSWORD,
    ).user
    survey = closed_survey(world, supervisor)
    shots = os.environ.get("RESULTS_SHOTS")
    url = live_server.url + reverse("surveys:results", args=[survey.pk])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in ("zh-hans", "zh-hant", "en"):
            for width, height in ((1366, 900), (390, 844)):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.add_cookies(
                    [{"name": "estatedesk_language", "value": language, "url": live_server.url}]
                )
                page = context.new_page()
                outside, blocked = _watch(page, live_server.url)
                page.goto(live_server.url + "/accounts/login/")
                page.fill("#id_username", "deputy_gm")
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(live_server.url + "/")
                page.goto(url)
                page.wait_for_selector("[data-chart='chart-estates'] svg path", state="attached")
                for chart in ("chart-categories", "chart-estates"):
                    assert page.locator(f"[data-chart='{chart}'] svg").count() == 1
                assert not outside and not blocked
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.locator("#by-building summary").click()
                    page.screenshot(path=f"{shots}/results-{language}-{width}.png", full_page=True)
                context.close()
        browser.close()
