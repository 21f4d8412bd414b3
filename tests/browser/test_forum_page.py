"""The owners' forum page in a real browser (SPEC S-6, A-1): an overdue follow-up stands out in
red with its days, the page loads nothing from outside and breaks no content-security rule.

Skipped with a reason where /usr/bin/chromium is not installed (a laptop); .ci/run installs it.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from estatedesk.core.clock import company_today
from estatedesk.surveys.models import ForumFollowUp
from tests.browser.test_journeys import CHROMIUM, _page, _sign_in, browser  # noqa: F401  (browser: fixture)
from tests.surveys.forums.helpers import full_forum

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.req("S-6"),
]


@pytest.mark.parametrize(
    "language, overdue", [("zh-hans", "逾期 3 天"), ("zh-hant", "逾期 3 天"), ("en", "Overdue 3 days")]
)
def test_an_overdue_follow_up_stands_out_on_the_forum_page(browser, live_server, world, language, overdue):  # noqa: F811
    forum, follow_up = full_forum(world)
    # Three days have gone by since the due date (set directly: the live server reads the real clock).
    ForumFollowUp.objects.filter(pk=follow_up.pk).update(due_date=company_today() - timedelta(days=3))
    page, outside, blocked = _page(browser, live_server, language)
    _sign_in(page, live_server, "office_head_a")
    page.goto(f"{live_server.url}/surveys/forums/{forum.pk}/")
    late = page.locator(f"#follow-up-{follow_up.pk} .overdue")
    assert late.inner_text() == overdue
    assert late.evaluate("e => getComputedStyle(e).color") in ("rgb(220, 53, 69)", "rgba(220, 53, 69, 1)")
    page.locator(f"#opinion-{follow_up.opinion_id} summary").first.click()  # open the answer form
    page.screenshot(path=f"/tmp/forum-page-{language}.png", full_page=True)
    assert outside == [] and blocked == []
