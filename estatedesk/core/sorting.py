"""Sorting names as people read them (pure): 2栋 before 10栋, 3-201 before 3-1001."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """A sort key that reads the numbers in a name as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text or "") if part]
