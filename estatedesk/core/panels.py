"""The home page's panels (SPEC A-1): a registry that apps fill when they start.

``core`` knows which panels each role's home page shows, in which order (``ROLE_PANELS``),
but nothing about what is in them: an app registers a panel's title, its empty text and
the filler that reads its rows (``register`` in the app's ``AppConfig.ready``). A panel no
app has registered is not shown, so the home page never promises what is not built; a key
stays in ``ROLE_PANELS`` only while some app fills it (a test holds the two together).

A filler returns ``Rows``: the first rows, each a link to its item, and how many items there
are in all — the panel's heading shows that count, and a "see all" link leads to the full list
when the rows are only the first few. The empty text is shown only when the panel's kind
exists and has nothing now.

Apps may also register a home-page notice (``register_notice``): a line above the panels
about the state of the system, such as the demo's history still loading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from estatedesk.core import policy
from estatedesk.core.actors import RequestUser


@dataclass(frozen=True)
class Rows:
    """What a filler found."""

    items: list[Any]  # the first rows, each a link to its item
    count: int  # how many items there are in all (the panel's heading shows it)
    more: str = ""  # the page listing all of them, linked when ``count`` exceeds the rows shown
    actions: list[Any] = field(
        default_factory=list
    )  # buttons above the rows (the duty desk's "New complaint")


# filler(user, shared) -> the panel's rows; ``shared`` is one dict per page, so fillers of
# one app can read something once (the complaints' clock) however many panels they fill.
# A filler answers None when the panel's work is not this user's at all (the GM's review queue
# while he may not act for the deputy GM): the panel is then left out, not shown empty.
Filler = Callable[[RequestUser, dict[str, Any]], Rows | None]
# notice(user) -> a line for the top of the home page, or None.
Notice = Callable[[RequestUser], Any]


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
    count: int = 0
    more: str = ""
    actions: list[Any] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return bool(self.more) and self.count > len(self.items)


_REGISTRY: dict[str, PanelKind] = {}
_NOTICES: dict[str, Notice] = {}


def register(key: str, *, title: Any, empty: Any, fill: Filler) -> None:
    """Called once per panel from an app's ``ready()``; registering a key twice replaces it."""
    _REGISTRY[key] = PanelKind(key, title, empty, fill)


def registered() -> frozenset[str]:
    return frozenset(_REGISTRY)


def register_notice(key: str, notice: Notice) -> None:
    """Called from an app's ``ready()``: a line the home page shows above the panels when it has one."""
    _NOTICES[key] = notice


# Only panels some app fills (the records app will add its own when it is built).
ROLE_PANELS: dict[str, list[str]] = {
    "duty_staff": ["intake", "my_work", "due_soon"],
    "handler": [
        "my_work",
        "due_soon",
        "department",
        "surveys",
        "notice_actions",
        "contact_follow_ups",
        "property_incidents",
        "rectification_overdue",
    ],
    "department_head": [
        "approvals",
        "department",
        "due_soon",
        "weekly_review",
        "surveys",
        "forum_follow_ups",
        "notice_actions",
        "contact_follow_ups",
        "property_incidents",
        "rectification_overdue",
    ],
    "cs_supervisor": [
        "department",
        "due_soon",
        "surveys",
        "forum_follow_ups",
        "notice_actions",
        "contact_follow_ups",
        "property_incidents",
        "rectification_overdue",
    ],
    "deputy_gm": [
        "approvals",
        "review_queue",
        "due_soon",
        "surveys",
        "forum_follow_ups",
        "notice_actions",
        "contact_follow_ups",
        "property_incidents",
        "rectification_overdue",
    ],
    "gm": [
        "approvals",
        "review_queue",
        "reports",
        "due_soon",
        "surveys",
        "forum_follow_ups",
        "notice_actions",
        "contact_follow_ups",
        "property_incidents",
        "rectification_overdue",
    ],
    "developer_cs": ["my_work", "rectification_overdue"],
    "rectification": ["my_work", "rectification_overdue"],
    "auditor": ["reports", "due_soon"],
    "admin": ["roster", "calendar"],
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
        rows = kind.fill(user, shared)
        if rows is None:
            continue
        panels.append(
            Panel(key, kind.title, kind.empty, list(rows.items), rows.count, rows.more, list(rows.actions))
        )
    return panels


def notices_for(user: RequestUser) -> list[Any]:
    """The home page's notices for this user, in the order the apps registered them."""
    return [line for line in (notice(user) for notice in _NOTICES.values()) if line]
