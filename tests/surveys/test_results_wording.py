"""The return-rate rule and the interval said in words (SPEC S-3, S-2): the sentence the results
page, its PDF and workbook, the annual pack and the API share (``surveys.wording``)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.utils import translation

from estatedesk.surveys import wording
from estatedesk.surveys.figures import Figure, ReturnRule, Returns, Tally, figure

RULE = ReturnRule()


def _figure(returned: int, distributed: int = 1000, satisfied: int = 15, valid: int = 20) -> Figure:
    return figure(Tally(valid, satisfied, 0), Returns(distributed, returned), RULE, Fraction(90))


@pytest.mark.req("S-3")
@pytest.mark.parametrize(
    ("returned", "english", "chinese"),
    [
        (500, "Return rate 50.0%, not below 50%: no adjustment", "回收率 50.0%，不低于 50%，不扣分"),
        (
            470,
            "Return rate 47.0%, 3.0 points below 50%: 1 point off for every full 5 points short"
            " — nothing off (not one full step short)",
            "回收率 47.0%，低于 50%，差 3.0 个百分点；每满 5 个百分点扣 1 个百分点：不足一档，不扣分",
        ),
        (
            450,
            "Return rate 45.0%, 5.0 points below 50%: 1 point off for every full 5 points short — 1 point off",
            "回收率 45.0%，低于 50%，差 5.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 1 个百分点",
        ),
        (
            449,
            "Return rate 44.9%, 5.1 points below 50%: 1 point off for every full 5 points short — 1 point off",
            "回收率 44.9%，低于 50%，差 5.1 个百分点；每满 5 个百分点扣 1 个百分点：扣 1 个百分点",
        ),
        (
            300,
            "Return rate 30.0%, 20.0 points below 50%: 1 point off for every full 5 points short — 4 points off",
            "回收率 30.0%，低于 50%，差 20.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 4 个百分点",
        ),
        (
            0,
            "Return rate 0.0%, 50.0 points below 50%: 1 point off for every full 5 points short — 10 points off",
            "回收率 0.0%，低于 50%，差 50.0 个百分点；每满 5 个百分点扣 1 个百分点：扣 10 个百分点",
        ),
    ],
)
def test_the_rule_in_words(returned: int, english: str, chinese: str) -> None:
    f = _figure(returned)
    with translation.override("en"):
        assert wording.penalty_reason(f) == english
    with translation.override("zh-hans"):
        assert wording.penalty_reason(f) == chinese


@pytest.mark.req("S-3")
def test_nothing_distributed_and_a_configured_rule() -> None:
    with translation.override("en"):
        assert (
            wording.penalty_reason(_figure(0, distributed=0))
            == "No questionnaire distributed: no return rate"
        )
        half = figure(Tally(20, 15, 0), Returns(100, 38), ReturnRule.of(60, 4, "0.5"), Fraction(90))
        # 22 points short of 60: five full steps of 4 → 2.5 points off
        assert wording.penalty_reason(half) == (
            "Return rate 38.0%, 22.0 points below 60%: 0.5 points off for every full 4 points short — 2.5 points off"
        )
    with translation.override("zh-hant"):
        assert wording.penalty_reason(half) == (
            "回收率 38.0%，低於 60%，差 22.0 個百分點；每滿 4 個百分點扣 0.5 個百分點：扣 2.5 個百分點"
        )


@pytest.mark.req("S-2")
def test_the_interval_of_15_of_20_is_the_published_one() -> None:
    # Wilson 95 % for 15/20: 0.5313–0.8881 (Newcombe 1998, method 3; any Wilson calculator)
    f = _figure(500, satisfied=15, valid=20)
    assert wording.interval_text(f) == "53.1%–88.8%"
    assert wording.percent_text(f.raw) == "75.0%"
    assert wording.percent_text(Fraction(9245, 100)) == "92.5%"  # halves round up, as in the API
