"""Households a survey must hear (second-stage key sampling, §7.3.6b; SPEC S-7).

Every household whose customer complained, grieved or was dissatisfied since a given moment is
in the next survey's sample. The complaints live in a domain app the surveys may not import, so
each app that knows of such households registers a *source* here when it starts
(``AppConfig.ready``), and the survey's draw asks them all.

A source takes the moment to count from and the estates drawn, and yields ``(unit id, reason)``
pairs; the reasons are the codes of ``surveys.models.KeyReason``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import datetime

KeySource = Callable[[datetime, Collection[int]], Iterable[tuple[int, str]]]

_SOURCES: list[KeySource] = []


def register(source: KeySource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def key_households(since: datetime, estate_ids: Collection[int]) -> dict[int, list[str]]:
    """Unit id → the reasons it is a key household, each reason once, in the sources' order."""
    found: dict[int, list[str]] = defaultdict(list)
    for source in _SOURCES:
        for unit_id, reason in source(since, estate_ids):
            if reason not in found[unit_id]:
                found[unit_id].append(reason)
    return dict(found)
