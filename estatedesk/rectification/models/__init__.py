"""The rectification app's models (SPEC R-1 … R-5): reports, items, photos, links, events."""

from estatedesk.rectification.models.events import ItemEvent, ItemEventKind
from estatedesk.rectification.models.items import (
    AcceptanceMethod,
    Category,
    Item,
    ItemPhoto,
    PhotoStage,
    Report,
    Route,
    Source,
    UnitLink,
)

__all__ = [
    "AcceptanceMethod",
    "Category",
    "Item",
    "ItemEvent",
    "ItemEventKind",
    "ItemPhoto",
    "PhotoStage",
    "Report",
    "Route",
    "Source",
    "UnitLink",
]
