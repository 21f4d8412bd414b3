"""Two managers of a corrective action editing its cause analysis at once: the second save is
refused (409) with both texts shown, nothing is overwritten, and saving again after comparing
goes through (decision 0011)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.improvement import services
from estatedesk.improvement.models import Action
from tests.complaints.conftest import record
from tests.helpers import form_version, stale_comparison


@pytest.mark.req("I-1")
@pytest.mark.req("P-2")
def test_two_managers_analysing_an_action_at_once_lose_nothing(world):
    complaint = record(world)
    action = services.open_action(
        actor=world.users["deputy_gm"],
        kind="corrective",
        source="complaint",
        source_complaint=complaint,
        title="3栋电梯反复停运",
        problem="一个月内停运三次",
    )
    first, second = world.client("deputy_gm"), world.client("gm")
    for client in (first, second):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = reverse("improvement:detail", args=[action.pk])
    url = reverse("improvement:analyse", args=[action.pk])
    versions = [
        form_version(c.get(detail).content.decode(), "id_analyse_based_on_version") for c in (first, second)
    ]

    theirs = {
        "cause_analysis": "控制柜老化",
        "fishbone_machine": "控制柜老化",
        "based_on_version": versions[0],
    }
    assert first.post(url, theirs).status_code == 302
    mine = {
        "cause_analysis": "维保不到位",
        "fishbone_method": "巡检周期过长",
        "based_on_version": versions[1],
    }
    refused = second.post(url, mine)

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this while you were editing" in html
    # Each text that either of them wrote, theirs next to mine (bones neither touched are left out).
    assert stale_comparison(html) == [
        ("控制柜老化", "维保不到位"),
        ("控制柜老化", "—"),
        ("—", "巡检周期过长"),
    ]
    assert "巡检周期过长</textarea>" in html
    a = Action.objects.get(pk=action.pk)
    assert (a.cause_analysis, a.fishbone) == ("控制柜老化", {"machine": ["控制柜老化"]})

    again = second.post(
        url,
        {
            **mine,
            "fishbone_machine": "控制柜老化",
            "based_on_version": form_version(html, "id_analyse_based_on_version"),
        },
    )
    assert again.status_code == 302
    a = Action.objects.get(pk=action.pk)
    assert (a.cause_analysis, a.fishbone) == (
        "维保不到位",
        {"machine": ["控制柜老化"], "method": ["巡检周期过长"]},
    )
