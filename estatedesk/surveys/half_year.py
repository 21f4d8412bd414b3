"""A management office's half-year statistics (SPEC S-5, procedure §7.3.3). Pure: no ORM.

``half_year_data`` hands over, for one estate and one half year, the pooled figures of the
monthly consultations per category, the figures of the survey of that half year per category
(if there was one), the quality targets as they stand, and the reasons and other opinions
households gave (with the reason codes). ``compute`` turns them into:

* one row per category: the consultations' rate and the survey's (each with its number of
  valid answers, its 95 % Wilson interval and, for the survey, the rate adjusted by the
  return-rate rule), the target, and whether either source is below it;
* the lines the office works from: each category below target (on either source), and each
  issue many owners raised.

"Many owners" (decision 0025): an issue — the reasons and other opinions that got the same
reason code — is listed when the households that raised it number at least
``ISSUE_MIN_HOUSEHOLDS`` *and* at least ``ISSUE_MIN_SHARE`` % of the households heard in the
half year (consulted or surveyed). Three households alone would list almost everything in a
large estate (three of 300 households heard is 1 %); a share alone would list a single
complaint in a small one. The "other" code (nothing matched) is not an issue: it groups
nothing.

Every number is kept in ``figures`` as JSON (one decimal, like the API), so signed-off
statistics show the figures as signed, whatever the answers or the targets become.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from estatedesk.surveys.coding import OTHER, Code, households_per_code
from estatedesk.surveys.figures import Figure, one_decimal

__all__ = [
    "FIGURES_VERSION",
    "ISSUE_MIN_HOUSEHOLDS",
    "ISSUE_MIN_SHARE",
    "Inputs",
    "LineSpec",
    "compute",
    "half_months",
    "issue_threshold",
    "lines_to_keep",
    "percent_text",
]

FIGURES_VERSION = 1
ISSUE_MIN_HOUSEHOLDS = 3
ISSUE_MIN_SHARE = Fraction(5)  # percent of the households heard in the half year
BELOW_TARGET = "below_target"
ISSUE = "issue"


def half_months(year: int, half: int) -> tuple[date, date]:
    """The first days of the half year's first and last months."""
    first = 1 if half == 1 else 7
    return date(year, first, 1), date(year, first + 5, 1)


def issue_threshold(heard: int) -> int:
    """The households an issue needs to be listed, out of ``heard`` households."""
    return max(ISSUE_MIN_HOUSEHOLDS, math.ceil(ISSUE_MIN_SHARE * heard / 100))


def percent_text(value: float | Fraction | None) -> str:
    """82.0% (one decimal, like the sheets); an em dash when there is no figure."""
    rounded = one_decimal(value)
    return "—" if rounded is None else f"{rounded:.1f}%"


@dataclass(frozen=True)
class Inputs:
    estate: int
    first_month: date
    last_month: date
    # Category → the figure of the consultations pooled over the half year (estate's returns).
    consultation: Mapping[str, Figure]
    consultations: int  # counted consultations in the half year
    # The survey of the half year (number and title) and its figures per category, if any.
    survey: tuple[str, str] | None
    survey_figures: Mapping[str, Figure]
    target_of: Callable[[int | None, str | None], Fraction]
    # (household, category, text): dissatisfaction reasons and other opinions (category "").
    reasons: Sequence[tuple[object, str, str]] = ()
    codes: Sequence[Code] = ()
    code_labels: Mapping[str, str] = field(default_factory=dict)
    code_categories: Mapping[str, str] = field(default_factory=dict)
    heard: int = 0  # distinct households consulted or surveyed in the half year
    category_order: Sequence[str] = ()
    category_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LineSpec:
    kind: str
    category: str
    reason_code: str
    summary: str
    households: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        """How a line is found again when the figures are computed anew."""
        return self.kind, self.category, self.reason_code


def _figure(fig: Figure | None, target: Fraction) -> dict[str, Any] | None:
    if fig is None or not fig.tally.valid:
        return None
    interval = fig.interval
    adjusted = fig.adjusted
    return {
        "n": fig.tally.valid,
        "satisfied": fig.tally.satisfied,
        "rate": one_decimal(fig.raw),
        "low": one_decimal(interval[0]) if interval else None,
        "high": one_decimal(interval[1]) if interval else None,
        "return_rate": one_decimal(fig.return_rate),
        "penalty": one_decimal(fig.penalty_points),
        "adjusted": one_decimal(adjusted),
        "below": adjusted is not None and adjusted < target,
    }


def _source_text(name: str, fig: dict[str, Any]) -> str:
    return _("%(source)s %(rate)s (n=%(n)s)") % {
        "source": name,
        "rate": percent_text(fig["adjusted"]),
        "n": fig["n"],
    }


def _below_summary(label: str, row: dict[str, Any]) -> str:
    """清洁：业主意见征询满意率 82.0%（n=150），低于目标 90.0%"""
    parts = []
    for key, name in (("consultation", _("monthly consultations")), ("survey", _("the survey"))):
        fig = row[key]
        if fig is not None and fig["below"]:
            parts.append(_source_text(name, fig))
    return _("%(category)s: %(figures)s, below the target of %(target)s") % {
        "category": label,
        "figures": _("; ").join(parts),
        "target": percent_text(row["target"]),
    }


def _issue_summary(label: str, code_label: str, households: int, heard: int) -> str:
    return _("%(category)s: %(issue)s, raised by %(households)s of %(heard)s households heard") % {
        "category": label or _("Other opinions"),
        "issue": code_label,
        "households": households,
        "heard": heard,
    }


def _issues(inputs: Inputs) -> list[dict[str, Any]]:
    """Per reason code (except "other"): the households that raised it, and its category (the
    code's own, else the category most of its households gave it under)."""
    found = households_per_code(inputs.reasons, inputs.codes)
    per_code: dict[str, set[object]] = {}
    per_category: dict[str, dict[str, int]] = {}
    for (category, code), households in found.items():
        if code == OTHER:
            continue
        per_code.setdefault(code, set()).update(households)
        if category:
            counts = per_category.setdefault(code, {})
            counts[category] = counts.get(category, 0) + len(households)
    order = {c: i for i, c in enumerate(inputs.category_order)}
    issues: list[dict[str, Any]] = []
    for code, households in per_code.items():
        category = inputs.code_categories.get(code, "")
        if not category and per_category.get(code):
            counts = per_category[code]
            category = min(counts, key=lambda c: (-counts[c], order.get(c, len(order)), c))
        issues.append(
            {
                "code": code,
                "label": inputs.code_labels.get(code, code),
                "category": category,
                "households": len(households),
                "share": one_decimal(Fraction(len(households) * 100, inputs.heard)) if inputs.heard else None,
            }
        )
    issues.sort(key=lambda i: (-i["households"], i["code"]))
    return issues


def compute(inputs: Inputs) -> tuple[dict[str, Any], list[LineSpec]]:
    """The figures (JSON) and the lines of one office's half year."""
    order = {c: i for i, c in enumerate(inputs.category_order)}
    categories = sorted(
        set(inputs.consultation) | set(inputs.survey_figures), key=lambda c: (order.get(c, len(order)), c)
    )
    rows = []
    lines: list[LineSpec] = []
    for category in categories:
        target = inputs.target_of(inputs.estate, category)
        row: dict[str, Any] = {
            "category": category,
            "target": one_decimal(target),
            "consultation": _figure(inputs.consultation.get(category), target),
            "survey": _figure(inputs.survey_figures.get(category), target),
        }
        row["below_target"] = any(row[k] is not None and row[k]["below"] for k in ("consultation", "survey"))
        rows.append(row)
        if row["below_target"]:
            label = inputs.category_labels.get(category, category)
            lines.append(LineSpec(BELOW_TARGET, category, "", _below_summary(label, row)[:300]))
    issues = _issues(inputs)
    threshold = issue_threshold(inputs.heard)
    for issue in issues:
        issue["listed"] = issue["households"] >= threshold
        if issue["listed"]:
            label = inputs.category_labels.get(issue["category"], issue["category"])
            summary = _issue_summary(label, issue["label"], issue["households"], inputs.heard)
            lines.append(
                LineSpec(ISSUE, issue["category"], issue["code"], summary[:300], issue["households"])
            )
    figures = {
        "version": FIGURES_VERSION,
        "first_month": inputs.first_month.isoformat(),
        "last_month": inputs.last_month.isoformat(),
        "consultations": inputs.consultations,
        "survey": {"number": inputs.survey[0], "title": inputs.survey[1]} if inputs.survey else None,
        "heard": inputs.heard,
        "issue_threshold": threshold,
        "rows": rows,
        "issues": issues,
    }
    return figures, lines


def line_summary(
    kind: str, category: str, code: str, figures: dict[str, Any], category_label: str, code_label: str
) -> str | None:
    """A line's sentence again, from the stored figures, in the active language (the stored
    ``summary`` is in the company's); None when the figures no longer hold the line."""
    if kind == BELOW_TARGET:
        row = next((r for r in figures.get("rows", []) if r.get("category") == category), None)
        return _below_summary(category_label, row)[:300] if row else None
    issue = next((i for i in figures.get("issues", []) if i.get("code") == code), None)
    if issue is None:
        return None
    return _issue_summary(
        category_label, code_label or issue["label"], issue["households"], figures.get("heard", 0)
    )[:300]


def lines_to_keep(
    existing: Iterable[tuple[int, tuple[str, str, str], bool]], fresh: Sequence[LineSpec]
) -> tuple[dict[int, LineSpec], list[int], list[LineSpec]]:
    """Match the lines computed before (pk, key, has actions) with the fresh ones: a line found
    again is updated; one not found again is deleted unless an action was opened from it (it
    stays, as it was: the action points at it); a new one is added."""
    wanted = {line.key: line for line in fresh}
    update: dict[int, LineSpec] = {}
    delete: list[int] = []
    for pk, key, has_actions in existing:
        if key in wanted:
            update[pk] = wanted.pop(key)
        elif not has_actions:
            delete.append(pk)
    return update, delete, [line for line in fresh if line.key in wanted]
