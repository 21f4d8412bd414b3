"""Holiday spans as the notice announces them: the weekend days inside the official 放假 span
belong to the holiday (SPEC P-4); the year view shows them so."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.workcal.spans import holiday_spans

pytestmark = pytest.mark.req("P-4")

DUANWU = ("端午节", "端午節", "Dragon Boat Festival")
GUOQING = ("国庆节", "國慶節", "National Day")
ZHONGQIU = ("中秋节", "中秋節", "Mid-Autumn Festival")
NEW_YEAR = ("元旦", "元旦", "New Year's Day")


def _spans(holidays, workdays=()):
    return [(s.first, s.last, s.names[0]) for s in holiday_spans(holidays, set(workdays))]


@pytest.mark.parametrize(
    ("holidays", "workdays", "expected"),
    [
        # A Friday holiday takes the weekend after it (端午 2026: 19–21 June).
        ({date(2026, 6, 19): DUANWU}, (), [(date(2026, 6, 19), date(2026, 6, 21), "端午节")]),
        # A make-up Sunday ends the span (元旦 2026: 1–3 January, 4 January worked).
        (
            {date(2026, 1, 1): NEW_YEAR, date(2026, 1, 2): NEW_YEAR},
            [date(2026, 1, 4)],
            [(date(2026, 1, 1), date(2026, 1, 3), "元旦")],
        ),
        # A weekend inside the span and none around it: 中秋 25–27 September, 国庆 1–7 October 2026.
        (
            {
                date(2026, 9, 25): ZHONGQIU,
                **{date(2026, 10, d): GUOQING for d in (1, 2, 3, 5, 6, 7)},
            },
            [date(2026, 9, 20), date(2026, 10, 10)],
            [
                (date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
                (date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
            ],
        ),
        # A holiday on a Wednesday stands alone (元旦 2025).
        ({date(2025, 1, 1): NEW_YEAR}, (), [(date(2025, 1, 1), date(2025, 1, 1), "元旦")]),
        # Two festivals in one run are one span named for both (2023: 29 September – 6 October).
        (
            {date(2023, 9, 29): ZHONGQIU, **{date(2023, 10, d): GUOQING for d in range(2, 7)}},
            [date(2023, 10, 7), date(2023, 10, 8)],
            [(date(2023, 9, 29), date(2023, 10, 6), "中秋节、国庆节")],
        ),
        # The eve belongs to Spring Festival's span (2026: 15–23 February, 14 and 28 worked).
        (
            {
                date(2026, 2, 16): ("农历除夕", "農曆除夕", "Chinese New Year's Eve"),
                **{date(2026, 2, d): ("春节", "春節", "Spring Festival") for d in (17, 18, 19, 20, 23)},
            },
            [date(2026, 2, 14), date(2026, 2, 28)],
            [(date(2026, 2, 15), date(2026, 2, 23), "春节")],
        ),
    ],
)
def test_a_span_takes_the_weekend_days_off_around_and_inside_it(holidays, workdays, expected):
    assert _spans(holidays, workdays) == expected


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "duanwu", "national_day"),
    [
        ("zh-hans", "端午节 6月19日–6月21日 共3天", "国庆节 10月1日–10月7日 共7天"),
        ("zh-hant", "端午節 6月19日–6月21日 共3天", "國慶節 10月1日–10月7日 共7天"),
        ("en", "Jun 19–Jun 21 3 days", "Oct 1–Oct 7 7 days"),
    ],
)
def test_the_year_view_shows_the_whole_official_span(world, language, duanwu, national_day):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("workcal:year", args=[2026])).content.decode()
    spans = {
        m.group(1): " ".join(re.sub(r"<[^>]+>", " ", m.group(2)).split())
        for m in re.finditer(r'<li class="col" data-span="([^"]+)">(.*?)</li>', html, re.S)
    }
    assert duanwu in spans["2026-06-19/2026-06-21"]
    assert national_day in spans["2026-10-01/2026-10-07"]
    assert "2026-02-15/2026-02-23" in spans and "2026-01-01/2026-01-03" in spans
    # The weekend days of the span are holiday cells in the months too; the make-up day is not.
    for day in ("2026-06-20", "2026-06-21", "2026-10-04", "2026-02-15", "2026-01-03"):
        assert re.search(rf'<td class="wc-day wc-holiday[^"]*" title="[^"]*" data-date="{day}"', html), day
    assert re.search(r'<td class="wc-day wc-makeup[^"]*" title="[^"]*" data-date="2026-01-04"', html)
    assert re.search(r'<td class="wc-day wc-weekend[^"]*" title="[^"]*" data-date="2026-06-27"', html)
