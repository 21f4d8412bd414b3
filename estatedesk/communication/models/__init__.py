"""The models of customer communication (SPEC C-2 … C-6), one module per register."""

from estatedesk.communication.models.contracts import (
    ChangeCause,
    Clarification,
    Contract,
    ContractChange,
    ContractEvent,
    ContractKind,
)
from estatedesk.communication.models.log import Contact, ContactFollowUp, Counterpart
from estatedesk.communication.models.notices import (
    Audience,
    HouseholdLink,
    Notice,
    NoticeAttachment,
    NoticeEvent,
    NoticeEventKind,
    NoticeEvidence,
    NoticeKind,
    NoticeRecipient,
)
from estatedesk.communication.models.property import (
    IncidentEvent,
    IncidentKind,
    ItemKind,
    ItemStatus,
    PropertyIncident,
    PropertyItem,
)

__all__ = [
    "Audience",
    "ChangeCause",
    "Clarification",
    "Contact",
    "ContactFollowUp",
    "Contract",
    "ContractChange",
    "ContractEvent",
    "ContractKind",
    "Counterpart",
    "HouseholdLink",
    "IncidentEvent",
    "IncidentKind",
    "ItemKind",
    "ItemStatus",
    "Notice",
    "NoticeAttachment",
    "NoticeEvent",
    "NoticeEventKind",
    "NoticeEvidence",
    "NoticeKind",
    "NoticeRecipient",
    "PropertyIncident",
    "PropertyItem",
]
