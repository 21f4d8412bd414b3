"""The households the complaints tell a survey to hear (§7.3.6b; SPEC S-7): registered into
``org.key_households`` when the app starts.

Since the given moment: whoever complained or raised a grievance (not an enquiry), whoever was
dissatisfied at a follow-up visit, and whoever rated a reply as dissatisfied through the status
link. A matter recorded without its unit counts for the units its customer occupies.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

from estatedesk.complaints.models import (
    Complaint,
    Kind,
    RatingScore,
    ResidentRating,
    Satisfaction,
    Visit,
)
from estatedesk.org.models import Occupancy

COMPLAINED, GRIEVED = "complained", "grieved"
DISSATISFIED_VISIT, DISSATISFIED_REPLY = "dissatisfied_visit", "dissatisfied_reply"


def _units(complaints: Iterator[tuple[int | None, int | None]]) -> Iterator[int]:
    """The units of (unit id, customer id) pairs: the unit, or else the customer's units."""
    customers: set[int] = set()
    for unit_id, customer_id in complaints:
        if unit_id is not None:
            yield unit_id
        elif customer_id is not None:
            customers.add(customer_id)
    if customers:
        yield from (
            Occupancy.objects.filter(customer__in=customers).values_list("unit_id", flat=True).iterator()
        )


def key_households(since: datetime, estate_ids: Collection[int]) -> Iterator[tuple[int, str]]:
    matters = Complaint.objects.filter(estate__in=estate_ids, received_at__gte=since)
    for kind, reason in ((Kind.COMPLAINT, COMPLAINED), (Kind.GRIEVANCE, GRIEVED)):
        pairs = (
            matters.filter(kind=kind).values_list("unit_id", "customer_id").order_by().distinct().iterator()
        )
        for unit_id in _units(pairs):
            yield unit_id, reason
    visits = (
        Visit.objects.filter(complaint__estate__in=estate_ids, visited_at__gte=since)
        .filter(satisfaction__in=(Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED))
        .values_list("complaint__unit_id", "complaint__customer_id")
        .order_by()
        .distinct()
        .iterator()
    )
    for unit_id in _units(visits):
        yield unit_id, DISSATISFIED_VISIT
    ratings = (
        ResidentRating.objects.filter(
            complaint__estate__in=estate_ids, rated_at__gte=since, score=RatingScore.DISSATISFIED
        )
        .values_list("complaint__unit_id", "complaint__customer_id")
        .order_by()
        .distinct()
        .iterator()
    )
    for unit_id in _units(ratings):
        yield unit_id, DISSATISFIED_REPLY
