"""The rectification flowchart (SPEC K-17, §9.6): drawn from the workflow, on the help page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from estatedesk.core import flowchart
from estatedesk.rectification.workflow import ITEM

pytestmark = pytest.mark.django_db


@pytest.mark.req("K-17", "R-2")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_help_page_draws_the_rectification_flow_beside_the_procedures_others(world, language):
    assert flowchart.chart("rectification_item").workflow is ITEM
    client = world.client("colleague_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("complaints:help")).content.decode()
    section = html[html.index('id="flow-rectification_item"') : html.index('id="forms"')]
    assert "§9.6" in section and 'data-workflow="rectification_item"' in section
    with translation.override(language):
        for t in ITEM.transitions:
            assert escape(str(t.label)) in section, t.label
    assert (
        'id="other-flows"' not in html
        or 'data-workflow="rectification_item"' not in html[html.index('id="other-flows"') :]
    )
    image = client.get(reverse("complaints:flowchart", args=["rectification_item"]))
    assert image.status_code == 200 and b'data-state="res_check"' in image.content
