"""The lists' rows written in Python (``views.list_rows``, decision 0060) say what the templates
said: the same due badge as ``common.due_badge`` in every state and language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.text import Truncator

from estatedesk.complaints.deadlines import DueState
from estatedesk.complaints.views import list_rows
from estatedesk.complaints.views.common import due_badge

DUE = datetime(2026, 12, 4, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.req("K-5")
@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
@pytest.mark.parametrize("state", list(DueState))
def test_the_rows_badge_is_the_shared_badge(language, state):
    with translation.override(language):
        words = list_rows._Words()
        for due in (None, DUE):
            for provisional in (False, True):
                assert words.due_badge(state, due, provisional) == str(due_badge(state, due, provisional))


@pytest.mark.req("A-1")
@pytest.mark.parametrize(
    "text", ["short", "卫生间天花板渗水", "a" * 40, "a" * 41, "渗" * 45, "e\u0301" * 30, "<b>门禁</b>"]
)
def test_the_summary_is_django_s_forty_characters(text):
    shown = list_rows.summary(text)
    assert shown == Truncator(text).chars(40)
