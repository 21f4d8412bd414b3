"""Who wants to hear about a change to the organisation, without ``org`` importing them.

Open reply deadlines follow an estate's office hours and the company's deadline settings
(SPEC K-5), but the working-day calendar that recomputes them (``workcal``) is a layer above
``org``. So ``workcal`` registers a callable here when its app is ready, and the organisation
services call the registered hooks once the change has committed (a rolled-back change
triggers nothing). A plain registry, not a Django signal: the call is explicit at both ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

# Told the estate whose office hours changed, or None for the company-wide settings.
OfficeHoursHook = Callable[[int | None], object]

_lock = threading.Lock()
_office_hours_hooks: list[OfficeHoursHook] = []


def on_office_hours_changed(hook: OfficeHoursHook) -> OfficeHoursHook:
    """Register ``hook`` (usable as a decorator); registering the same one twice keeps one."""
    with _lock:
        if hook not in _office_hours_hooks:
            _office_hours_hooks.append(hook)
    return hook


def remove_office_hours_hook(hook: OfficeHoursHook) -> None:
    with _lock:
        if hook in _office_hours_hooks:
            _office_hours_hooks.remove(hook)


def office_hours_hooks() -> list[OfficeHoursHook]:
    with _lock:
        return list(_office_hours_hooks)


def office_hours_changed(estate_id: int | None) -> None:
    """Call every hook, in the order they registered (called after the change commits)."""
    for hook in office_hours_hooks():
        hook(estate_id)


# Told the company's new time zone (its name), after the change committed.
TimeZoneHook = Callable[[str], object]
_time_zone_hooks: list[TimeZoneHook] = []


def on_time_zone_changed(hook: TimeZoneHook) -> TimeZoneHook:
    """Register ``hook``: the complaints re-date what they received by the company's calendar."""
    with _lock:
        if hook not in _time_zone_hooks:
            _time_zone_hooks.append(hook)
    return hook


def time_zone_changed(zone: str) -> None:
    with _lock:
        hooks = list(_time_zone_hooks)
    for hook in hooks:
        hook(zone)
