"""The home page's panels (SPEC A-1): a registry that apps fill when they start.

``core`` knows which panels each role's home page shows, in which order (``ROLE_PANELS``),
but nothing about what is in them: an app registers a panel's title, its empty text and
the filler that reads its rows (``register`` in the app's ``AppConfig.ready``). A panel no
app has registered is not shown, so the home page never promises what is not built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from estatedesk.core import policy
from estatedesk.core.actors import RequestUser

# filler(user, shared) -> the panel's rows; ``shared`` is one dict per page, so fillers of
# one app can read something once (the complaints' clock) however many panels they fill.
Filler = Callable[[RequestUser, dict[str, Any]], list[Any]]


@dataclass(frozen=True)
class PanelKind:
    key: str
    title: Any
    empty: Any
    fill: Filler


@dataclass
class Panel:
    key: str
    title: Any
    empty: Any
    items: list[Any] = field(default_factory=list)


_REGISTRY: dict[str, PanelKind] = {}


def register(key: str, *, title: Any, empty: Any, fill: Filler) -> None:
    """Called once per panel from an app's ``ready()``; registering a key twice replaces it."""
    _REGISTRY[key] = PanelKind(key, title, empty, fill)


def registered() -> frozenset[str]:
    return frozenset(_REGISTRY)


ROLE_PANELS: dict[str, list[str]] = {
    "duty_staff": ["intake", "my_work", "due_soon"],
    "handler": ["my_work", "due_soon", "department", "rectification"],
    "department_head": ["department", "due_soon", "weekly_review", "approvals"],
    "cs_supervisor": ["surveys", "satisfaction", "department", "due_soon"],
    "deputy_gm": ["approvals", "reports", "satisfaction", "due_soon"],
    "gm": ["approvals", "satisfaction", "reports"],
    "developer_cs": ["rectification", "my_work"],
    "rectification": ["rectification"],
    "auditor": ["reports", "satisfaction", "records"],
    "admin": ["calendar", "records", "roster"],
}


def panels_for(user: RequestUser) -> list[Panel]:
    """The user's panels that some app has registered, each filled with its rows."""
    role = policy.role_of(user) or ""
    shared: dict[str, Any] = {}
    panels = []
    for key in ROLE_PANELS.get(role, []):
        kind = _REGISTRY.get(key)
        if kind is None:
            continue
        panels.append(Panel(key, kind.title, kind.empty, list(kind.fill(user, shared))))
    return panels
