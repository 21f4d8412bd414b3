"""Legal holds: a record kept past its retention until the hold is released (SPEC D-2).

A hold names one record of a type by the label people know it by (``RecordType.find``);
everything disposed of with that record (a complaint's events, slips, replies, files …) is
held with it. The disposal job leaves held records out when it archives, and checks again just
before it disposes of each chunk, so a hold placed while a run is under way still counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from estatedesk.core import clock
from estatedesk.core.actors import Actor, user_of
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.policy import is_admin
from estatedesk.records.models import LegalHold
from estatedesk.records.registry import RecordType, record_type

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ALREADY_HELD = _("This record is already under a legal hold.")


def _admin(actor: Actor) -> User:
    user = user_of(actor)
    if user is None or not is_admin(actor):
        raise NotAllowed(_("Only an administrator places or releases a legal hold."))
    return user


@transaction.atomic
def place_hold(*, actor: Actor, record_type: str, label: str, reason: str) -> LegalHold:
    """Hold the record of ``record_type`` known as ``label``, for ``reason``."""
    user = _admin(actor)
    kind = _type(record_type)
    label, reason = (label or "").strip(), (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the record is held."), field="reason")
    if kind.find is None:
        raise InvalidInput(
            _("%(type)s cannot be held one record at a time.") % {"type": kind.label}, field="record_type"
        )
    if not label:
        raise InvalidInput(_("Give the record's number or name."), field="label")
    record_id = kind.find(label)
    if record_id is None:
        raise InvalidInput(
            _("There is no record “%(label)s” among %(type)s.") % {"label": label[:100], "type": kind.label},
            field="label",
        )
    if LegalHold.objects.filter(record_type=kind.key, record_id=record_id, released_at__isnull=True).exists():
        raise AlreadyHandled(ALREADY_HELD)
    record_label = kind.labels([record_id]).get(record_id) or label
    try:
        with transaction.atomic():
            return LegalHold.objects.create(
                record_type=kind.key,
                record_id=record_id,
                record_label=record_label[:200],
                reason=reason,
                placed_by=user,
                placed_at=clock.now(),
            )
    except IntegrityError:
        # Another administrator held it a moment ago (one hold in force per record).
        raise AlreadyHandled(ALREADY_HELD) from None


def _type(key: str) -> RecordType:
    kind = record_type(key)
    if kind is None:
        raise InvalidInput(_("There is no such record type."), field="record_type")
    return kind


@transaction.atomic
def release_hold(*, actor: Actor, hold_id: int, reason: str) -> LegalHold:
    """Release a hold: the record follows its retention again from the next disposal run."""
    user = _admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the hold is released."), field="reason")
    hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None:
        raise NotFound(_("There is no such legal hold."))
    if hold.released_at is not None:
        raise AlreadyHandled(_("This hold was already released."))
    hold.released_by = user
    hold.released_at = clock.now()
    hold.release_reason = reason
    hold.save(update_fields=["released_by", "released_at", "release_reason"])
    return hold


def held_ids(key: str) -> set[int]:
    """The ids of ``key``'s records under a hold in force."""
    held = LegalHold.objects.filter(record_type=key, released_at__isnull=True)
    return set(held.values_list("record_id", flat=True))
