"""Recomputing open deadlines when the calendar changes (SPEC P-4, K-5).

The calendar does not know which records carry deadlines; each module that does (the
complaints of a later issue) registers a *provider* here: a callable that takes the set of
calendar years that changed, recomputes the open deadlines that depend on them, records
the change on each record it moved, and returns how many it moved.

``services`` calls ``recompute_open_deadlines`` after the calendar change commits, so a
provider sees the new calendar (``selectors.load_calendar`` notices the new revision) and
a rolled-back change triggers nothing. One provider failing is logged and does not stop
the others; the calendar change itself stays saved.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

logger = logging.getLogger("estatedesk.workcal")

Provider = Callable[[set[int]], int]

_lock = threading.Lock()
_providers: dict[str, Provider] = {}
HoursProvider = Callable[[int | None], int]
_hours_providers: dict[str, HoursProvider] = {}


def _name(provider: Provider) -> str:
    return f"{getattr(provider, '__module__', '?')}.{getattr(provider, '__qualname__', repr(provider))}"


def register(provider: Provider) -> Provider:
    """Add a provider (usable as a decorator); registering the same one twice keeps one."""
    with _lock:
        _providers[_name(provider)] = provider
    return provider


def unregister(provider: Provider) -> None:
    with _lock:
        _providers.pop(_name(provider), None)


def registered() -> list[str]:
    return sorted(_providers)


def recompute_open_deadlines(years: Iterable[int]) -> dict[str, int]:
    """Ask every provider to recompute; returns how many deadlines each moved.

    A provider that raises is logged and left out of the answer.
    """
    changed = set(years)
    counts: dict[str, int] = {}
    if not changed:
        return counts
    with _lock:
        providers = list(_providers.items())
    for name, provider in providers:
        try:
            counts[name] = int(provider(set(changed)))
        except Exception:
            logger.exception(
                "Recomputing deadlines for calendar years %s failed in %s", sorted(changed), name
            )
    if counts:
        logger.info("Calendar years %s changed: recomputed %s", sorted(changed), counts)
    return counts


def register_hours(provider: HoursProvider) -> HoursProvider:
    """A provider told when office hours change: an estate's id, or None for the company default."""
    with _lock:
        _hours_providers[_name(provider)] = provider  # type: ignore[arg-type]
    return provider


def office_hours_changed(estate_id: int | None) -> dict[str, int]:
    with _lock:
        providers = list(_hours_providers.items())
    counts: dict[str, int] = {}
    for name, provider in providers:
        try:
            counts[name] = int(provider(estate_id))
        except Exception:
            logger.exception("Recomputing deadlines after an office-hours change failed in %s", name)
    return counts
