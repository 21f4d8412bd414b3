"""What the corrective and preventive actions hold about a person (SPEC D-3; decision 0047).

An action has no field for a customer: it is the company's own work. It may still name one —
an action opened from a complaint may say whose it was, a step or a verification may quote a
phone number. So the person's copy lists the actions opened from their complaints and those
whose texts mention their name or number, and erasure replaces those mentions (in the
actions, steps, verifications, timelines and history rows) with the marker the surveys use.
The action itself stays: it is kept for its own retention (``improvement_actions``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from estatedesk.core.clock import company_zone
from estatedesk.improvement.models import Action, ActionEvent, Step, Verification
from estatedesk.records.subjects import Erasure, Section, Source, Subject, register_source
from estatedesk.surveys.personal_data import Scrubber, marker, scrub_rows

__all__ = ["SOURCE", "collect", "erase", "register"]

TEXTS = ("title", "problem", "cause_analysis", "verification", "source_reference")


def _when(value: datetime | None) -> str:
    return timezone.localtime(value, company_zone()).strftime("%Y-%m-%d %H:%M") if value else ""


def _actions_of(subject: Subject) -> QuerySet[Action]:
    linked = Q(source_complaint__customer_id__in=subject.customer_ids)
    if subject.phone_indexes:
        linked |= Q(source_complaint__phone_index__in=subject.phone_indexes)
    scrub = Scrubber(subject, "")
    mentioned = scrub.mentions(TEXTS)
    mentioned |= Q(pk__in=Step.objects.filter(scrub.mentions(("description", "result"))).values("action_id"))
    mentioned |= Q(pk__in=Verification.objects.filter(scrub.mentions(("note",))).values("action_id"))
    return Action.objects.filter(linked | mentioned).distinct()


def collect(subject: Subject) -> list[Section]:
    entries: list[list[tuple[Any, str]]] = []
    for a in (
        _actions_of(subject).select_related("source_complaint", "department").order_by("opened_at", "pk")
    ):
        entry: list[tuple[Any, str]] = [
            (_("Corrective / preventive action"), f"{a.number} {a.title}"),
            (_("Responsible department"), a.department.name),
            (_("Opened at"), _when(a.opened_at)),
            (_("Status"), a.get_status_display()),
        ]
        if a.source_complaint is not None:
            entry.append((_("Opened from complaint"), a.source_complaint.number))
        entry.append((_("Problem"), a.problem))
        entries.append(entry)
    return [Section(title=_("Corrective and preventive actions"), entries=entries)] if entries else []


def erase(subject: Subject, now: datetime) -> Erasure:
    scrub = Scrubber(subject, marker())
    result = Erasure()
    for query in (
        Step.objects.all(),
        Step.history.model._default_manager.all(),  # type: ignore[attr-defined]
        Verification.objects.all(),
        ActionEvent.objects.all(),
    ):
        result.erased += scrub_rows(query, scrub)
    # The actions themselves are few: every row is read for its fishbone (JSON) as well.
    for query in (
        Action.objects.all(),
        Action.history.model._default_manager.all(),  # type: ignore[attr-defined]
    ):
        result.erased += scrub_rows(query, scrub, json=["fishbone"])
    return result


SOURCE = Source(
    key="improvement",
    label=_("Corrective and preventive actions"),
    collect=collect,
    erase=erase,
    order=90,
)


def register() -> None:
    register_source(SOURCE)
