"""Coding the reasons residents give for dissatisfaction (SPEC S-5, S-9). Pure: no ORM.

The administrator keeps a list of reason codes (``ReasonCode``), each with keywords in any of
the three scripts and optionally a category it belongs to. A reason is given the first code,
in the list's order, that has a keyword found in the reason's text (case-insensitively, after
folding full-width letters and digits to half-width) and either no category or the
category of the answer; otherwise it is "other". The reason's own words are always kept:
the code only groups them, for the Pareto chart of a survey (S-9) and for the issues many
owners raised in the half-year statistics (S-5).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["OTHER", "Code", "code_of", "codes_from", "count_codes", "households_per_code"]

OTHER = "other"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Code:
    code: str
    keywords: tuple[str, ...]  # already folded
    category: str = ""


def codes_from(rows: Iterable[tuple[str, str, str]]) -> list[Code]:
    """(code, keywords one per line, category) in the list's order → Codes; blank keywords dropped."""
    codes = []
    for code, keywords, category in rows:
        words = tuple(_fold(w.strip()) for w in keywords.splitlines() if w.strip())
        codes.append(Code(code, words, category or ""))
    return codes


def code_of(text: str, codes: Sequence[Code], category: str = "") -> str | None:
    """The code of one reason; None for a blank reason (nothing to count)."""
    folded = _fold(text or "").strip()
    if not folded:
        return None
    for code in codes:
        if code.category and category and code.category != category:
            continue
        if any(word in folded for word in code.keywords):
            return code.code
    return OTHER


def count_codes(reasons: Iterable[tuple[str, str]], codes: Sequence[Code]) -> Counter[str]:
    """(category, reason text) → how many reasons got each code (blank reasons not counted)."""
    counts: Counter[str] = Counter()
    for category, text in reasons:
        code = code_of(text, codes, category)
        if code is not None:
            counts[code] += 1
    return counts


def households_per_code(
    reasons: Iterable[tuple[object, str, str]], codes: Sequence[Code]
) -> dict[tuple[str, str], set[object]]:
    """(household, category, reason text) → per (category, code) the households that gave it:
    an issue "many owners raised" is counted in households, not in answers."""
    found: dict[tuple[str, str], set[object]] = {}
    for household, category, text in reasons:
        code = code_of(text, codes, category)
        if code is not None:
            found.setdefault((category, code), set()).add(household)
    return found
