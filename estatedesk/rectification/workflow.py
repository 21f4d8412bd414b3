"""The life cycle of a rectification item (SPEC R-2 … R-4, procedure §7.5), as data.

The property company's customer-service department collects the items (``reported``) and
decides each one (R-3): fixed by the property company (a department of ours, ``prop_fixing``)
or escalated to the developer's customer service (``dev_review``), which sets the measure, the
completion date and the rectification team (``team_fixing``). The team reports completion; the
developer's customer service inspects it (``dev_inspect``) and accepts it or sends it back to
the team. An item the property company fixed needs no developer inspection. Then the property
customer service tells the resident (``to_notify`` → ``res_check``), who accepts on the portal
(a signature or a typed name) or on paper (recorded by staff with a scan). An objection opens
the next round (R-4): the round number goes up and the item goes back to whoever decides its
route — the developer's customer service for an escalated item, the property customer service
for one of ours (who may now escalate it). An item nobody lives behind (a public area, found by
a department) is accepted by the property customer service on the department's behalf, and the
department that found it is told the result (§7.5.5).

Status values fit the timeline's 12 characters.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.workflow import Transition, Workflow

# The property company's customer service: who collects, decides, notifies and records paper.
PROPERTY_ROLES = frozenset({"handler", "department_head", "cs_supervisor", "deputy_gm", "gm"})
# Who may enter items (the duty desk walks handover inspections too).
ENTRY_ROLES = PROPERTY_ROLES | {"duty_staff"}
DEVELOPER_ROLES = frozenset({"developer_cs"})
TEAM_ROLES = frozenset({"rectification", "developer_cs"})


class ItemStatus(models.TextChoices):
    REPORTED = "reported", _("Collected, to be decided")
    PROPERTY_FIXING = "prop_fixing", _("Being fixed by the property company")
    DEVELOPER_REVIEW = "dev_review", _("With the developer's customer service")
    TEAM_FIXING = "team_fixing", _("Being fixed by the rectification team")
    DEVELOPER_INSPECTION = "dev_inspect", _("Awaiting the developer's inspection")
    TO_NOTIFY = "to_notify", _("Ready for the resident's inspection")
    RESIDENT_CHECK = "res_check", _("Awaiting the resident's acceptance")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = tuple(s for s in ItemStatus.values if s not in {"accepted", "cancelled"})
# While someone is fixing it: the completion date counts (due / due soon / overdue).
FIXING_STATUSES = (ItemStatus.PROPERTY_FIXING.value, ItemStatus.TEAM_FIXING.value)
S = ItemStatus

ITEM = Workflow(
    name="rectification_item",
    states=tuple(ItemStatus.choices),
    final=frozenset({S.ACCEPTED.value, S.CANCELLED.value}),
    transitions=(
        Transition("create", _("Record a rectification item"), (), S.REPORTED, ENTRY_ROLES),
        Transition(
            "edit", _("Edit the item"), (S.REPORTED, S.PROPERTY_FIXING, S.DEVELOPER_REVIEW), None, ENTRY_ROLES
        ),
        Transition(
            "fix_ourselves",
            _("Fix it ourselves (property company)"),
            (S.REPORTED,),
            S.PROPERTY_FIXING,
            PROPERTY_ROLES,
        ),
        Transition(
            "escalate",
            _("Escalate to the developer's customer service"),
            (S.REPORTED,),
            S.DEVELOPER_REVIEW,
            PROPERTY_ROLES,
        ),
        Transition(
            "plan",
            _("Set the measure, date and team"),
            (S.DEVELOPER_REVIEW,),
            S.TEAM_FIXING,
            DEVELOPER_ROLES,
        ),
        Transition(
            "replan",
            _("Change the measure, date or team"),
            (S.TEAM_FIXING,),
            None,
            DEVELOPER_ROLES,
        ),
        Transition(
            "complete",
            _("Report the rectification done"),
            (S.TEAM_FIXING,),
            S.DEVELOPER_INSPECTION,
            TEAM_ROLES,
        ),
        Transition(
            "complete_ourselves",
            _("Report our fix done"),
            (S.PROPERTY_FIXING,),
            S.TO_NOTIFY,
            ENTRY_ROLES,
        ),
        Transition(
            "inspect_pass",
            _("Accept the rectification (developer inspection)"),
            (S.DEVELOPER_INSPECTION,),
            S.TO_NOTIFY,
            DEVELOPER_ROLES,
        ),
        Transition(
            "inspect_fail",
            _("Send it back to the team"),
            (S.DEVELOPER_INSPECTION,),
            S.TEAM_FIXING,
            DEVELOPER_ROLES,
        ),
        Transition(
            "notify",
            _("Ask the resident to inspect"),
            (S.TO_NOTIFY,),
            S.RESIDENT_CHECK,
            PROPERTY_ROLES,
        ),
        # The resident through the portal; staff record the same on paper.
        Transition(
            "accept",
            _("Accept the rectification (resident)"),
            (S.RESIDENT_CHECK,),
            S.ACCEPTED,
            PROPERTY_ROLES | {"resident"},
        ),
        Transition(
            "accept_on_behalf",
            _("Accept for the department (no resident)"),
            (S.TO_NOTIFY,),
            S.ACCEPTED,
            PROPERTY_ROLES,
        ),
        Transition(
            "object_developer",
            _("Object: the developer rectifies again"),
            (S.RESIDENT_CHECK,),
            S.DEVELOPER_REVIEW,
            PROPERTY_ROLES | {"resident"},
        ),
        Transition(
            "object_property",
            _("Object: the property company decides again"),
            (S.RESIDENT_CHECK,),
            S.REPORTED,
            PROPERTY_ROLES | {"resident"},
        ),
        Transition(
            "cancel",
            _("Cancel the item"),
            (S.REPORTED, S.PROPERTY_FIXING, S.DEVELOPER_REVIEW),
            S.CANCELLED,
            PROPERTY_ROLES,
        ),
    ),
)
