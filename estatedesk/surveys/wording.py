"""The words beside a satisfaction figure (SPEC S-2, S-3): percentages, intervals and the
return-rate rule said in a sentence. The results page, its PDF and workbook, the annual pack
and the API all say it with these functions, so a rate reads the same everywhere.

No ORM; runs under the reader's language (the caller activates it).
"""

from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from estatedesk.surveys.figures import Figure, ReturnRule, one_decimal

__all__ = [
    "DASH",
    "interval_text",
    "number_text",
    "penalty_reason",
    "percent_text",
    "points_text",
    "rule_text",
    "score_text",
]

DASH = "—"


def percent_text(value: Fraction | float | None) -> str:
    """42.0%: one decimal, halves rounded up (``figures.one_decimal``); "—" for no figure."""
    rounded = one_decimal(value)
    return DASH if rounded is None else f"{rounded:.1f}%"


def number_text(value: Fraction | float) -> str:
    """A setting of the rule as written: 5, 1, 0.5 (no trailing zeros)."""
    exact = Fraction(value)
    if exact.denominator == 1:
        return str(exact.numerator)
    rounded = one_decimal(exact)
    return f"{rounded:.1f}" if rounded is not None else DASH


def points_text(value: Fraction | float | None) -> str:
    """Percentage points with one decimal: 8.0."""
    rounded = one_decimal(value)
    return DASH if rounded is None else f"{rounded:.1f}"


def score_text(value: Fraction | float | None) -> str:
    rounded = one_decimal(value)
    return DASH if rounded is None else f"{rounded:.1f}"


def interval_text(figure: Figure) -> str:
    """The 95 % Wilson interval of the raw rate: 68.2%–89.1%."""
    bounds = figure.interval
    if bounds is None:
        return DASH
    return f"{percent_text(bounds[0])}–{percent_text(bounds[1])}"


def _plural(value: Fraction) -> int:
    return 1 if value == 1 else 2


def rule_text(rule: ReturnRule) -> str:
    """ "1 point off for every full 5 points short" (the rule's own settings)."""
    return ngettext(
        "%(penalty)s point off for every full %(step)s points short",
        "%(penalty)s points off for every full %(step)s points short",
        _plural(rule.penalty),
    ) % {"penalty": number_text(rule.penalty), "step": number_text(rule.step)}


def penalty_reason(figure: Figure) -> str:
    """The return-rate rule applied to one figure, in a sentence:

    Return rate 42.0%, 8.0 points below 50%: 1 point off for every full 5 points short — 1 point off
    """
    rule = figure.rule
    rate = figure.return_rate
    if rate is None:
        return _("No questionnaire distributed: no return rate")
    threshold = f"{number_text(rule.threshold)}%"
    if rate >= rule.threshold:
        return _("Return rate %(rate)s, not below %(threshold)s: no adjustment") % {
            "rate": percent_text(rate),
            "threshold": threshold,
        }
    points = figure.penalty_points
    if points:
        result = ngettext("%(points)s point off", "%(points)s points off", _plural(points)) % {
            "points": number_text(points)
        }
    else:
        result = _("nothing off (not one full step short)")
    return _("Return rate %(rate)s, %(short)s points below %(threshold)s: %(rule)s — %(result)s") % {
        "rate": percent_text(rate),
        "short": points_text(figure.shortfall),
        "threshold": threshold,
        "rule": rule_text(rule),
        "result": result,
    }
