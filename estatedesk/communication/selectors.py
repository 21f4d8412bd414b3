"""Who sees which notice, contact, contract and property record (SPEC P-1, C-2 … C-6).

Staff see the records of their own estates; the customer-service supervisor (who runs the
company's customer communication) and those who see the whole company see all of them.
Residents and anonymous visitors see none of these here: the portal reads a household's
notices through its private link (``households``). Out of scope is "not found".
"""

from __future__ import annotations

from django.db.models import QuerySet

from estatedesk.communication.models import (
    Contact,
    ContactFollowUp,
    Contract,
    Notice,
    NoticeRecipient,
    PropertyIncident,
    PropertyItem,
)
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.org.models import Estate


def sees_whole_company(user: Actor) -> bool:
    return policy.sees_all(user) or policy.role_of(user) == "cs_supervisor"


def estates_of(user: Actor) -> frozenset[int] | None:
    """None: every estate; else the user's (empty for anyone who is not staff)."""
    if policy.staff_of(user) is None and not policy.is_admin(user):
        return frozenset()
    if sees_whole_company(user):
        return None
    return policy.estate_ids(user) or frozenset()


def _scoped(user: Actor, rows: QuerySet, field: str = "estate") -> QuerySet:
    estates = estates_of(user)
    return rows if estates is None else rows.filter(**{f"{field}__in": estates})


def estates_for(user: Actor) -> QuerySet[Estate]:
    """The estates the user may write to customers of (a form's choices)."""
    return _scoped(user, Estate.objects.filter(active=True), "pk").order_by("code")


def notices_for(user: Actor) -> QuerySet[Notice]:
    return _scoped(user, Notice.objects.all())


def recipients_for(user: Actor) -> QuerySet[NoticeRecipient]:
    return _scoped(user, NoticeRecipient.objects.all(), "notice__estate")


def contacts_for(user: Actor) -> QuerySet[Contact]:
    return _scoped(user, Contact.objects.all())


def follow_ups_for(user: Actor) -> QuerySet[ContactFollowUp]:
    return _scoped(user, ContactFollowUp.objects.all(), "contact__estate")


def contracts_for(user: Actor) -> QuerySet[Contract]:
    return _scoped(user, Contract.objects.all())


def property_for(user: Actor) -> QuerySet[PropertyItem]:
    return _scoped(user, PropertyItem.objects.all())


def incidents_for(user: Actor) -> QuerySet[PropertyIncident]:
    return _scoped(user, PropertyIncident.objects.all())
