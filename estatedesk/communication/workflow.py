"""The life cycles of customer communication (SPEC C-2 … C-6), as data (decision 0029).

* A **notice** is written as a draft, then published at once or scheduled for its publish
  time (the worker publishes it then); a draft or a scheduled notice can be cancelled, a
  published one withdrawn (the cut was called off), which tells nobody anything new but
  marks it on the portal.
* A **contract** is negotiated (the requirement clarifications, §7.1.11), signed, and ended;
  its changes are recorded while it runs (§7.1.12).
* A **customer-property incident** is open until it is closed with the help given (§7.1.13).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.workflow import Transition, Workflow

# Who writes to customers: the management offices' staff and heads, the customer-service
# supervisor and the company's management. Auditors read; duty staff take calls.
WRITER_ROLES = frozenset({"handler", "department_head", "cs_supervisor", "deputy_gm", "gm"})


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


NOTICE = Workflow(
    name="customer_notice",
    states=tuple(NoticeStatus.choices),
    final=frozenset({NoticeStatus.CANCELLED.value, NoticeStatus.WITHDRAWN.value}),
    transitions=(
        Transition("create", _("Write a notice"), (), NoticeStatus.DRAFT, WRITER_ROLES),
        Transition(
            "edit", _("Edit this notice"), (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED), None, WRITER_ROLES
        ),
        Transition(
            "schedule",
            _("Schedule for its publish time"),
            (NoticeStatus.DRAFT,),
            NoticeStatus.SCHEDULED,
            WRITER_ROLES,
        ),
        Transition(
            "publish",
            _("Publish now"),
            (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED),
            NoticeStatus.PUBLISHED,
            WRITER_ROLES,
        ),
        Transition(
            "cancel",
            _("Cancel the notice"),
            (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED),
            NoticeStatus.CANCELLED,
            WRITER_ROLES,
        ),
        Transition(
            "withdraw",
            _("Withdraw the notice"),
            (NoticeStatus.PUBLISHED,),
            NoticeStatus.WITHDRAWN,
            WRITER_ROLES,
        ),
        # Steps on a notice that leave its status alone.
        Transition(
            "confirm_sign",
            _("Confirm the warning sign is placed"),
            (NoticeStatus.SCHEDULED, NoticeStatus.PUBLISHED),
            None,
            WRITER_ROLES,
        ),
        Transition(
            "add_evidence",
            _("Add a photo of the posted notice"),
            (NoticeStatus.SCHEDULED, NoticeStatus.PUBLISHED),
            None,
            WRITER_ROLES,
        ),
        Transition(
            "record_contact",
            _("Record a call or visit to a household"),
            (NoticeStatus.PUBLISHED,),
            None,
            WRITER_ROLES,
        ),
    ),
)


class ContractStatus(models.TextChoices):
    NEGOTIATING = "negotiating", _("Being negotiated")
    SIGNED = "signed", _("Signed")
    ENDED = "ended", _("Ended")


CONTRACT = Workflow(
    name="contract",
    states=tuple(ContractStatus.choices),
    final=frozenset({ContractStatus.ENDED.value}),
    transitions=(
        Transition("create", _("Record a contract"), (), ContractStatus.NEGOTIATING, WRITER_ROLES),
        Transition(
            "clarify",
            _("Record a requirement clarification"),
            (ContractStatus.NEGOTIATING,),
            None,
            WRITER_ROLES,
        ),
        Transition(
            "sign",
            _("Record the signing"),
            (ContractStatus.NEGOTIATING,),
            ContractStatus.SIGNED,
            WRITER_ROLES,
        ),
        Transition("change", _("Record a change"), (ContractStatus.SIGNED,), None, WRITER_ROLES),
        Transition(
            "end", _("End the contract"), (ContractStatus.SIGNED,), ContractStatus.ENDED, WRITER_ROLES
        ),
    ),
)


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


INCIDENT = Workflow(
    name="property_incident",
    states=tuple(IncidentStatus.choices),
    final=frozenset({IncidentStatus.CLOSED.value}),
    transitions=(
        Transition("report", _("Record an incident"), (), IncidentStatus.OPEN, WRITER_ROLES),
        Transition(
            "tell", _("Record that the customer was told"), (IncidentStatus.OPEN,), None, WRITER_ROLES
        ),
        Transition(
            "close",
            _("Close with the help given"),
            (IncidentStatus.OPEN,),
            IncidentStatus.CLOSED,
            WRITER_ROLES,
        ),
    ),
)
