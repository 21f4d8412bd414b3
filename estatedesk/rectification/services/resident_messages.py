"""What a unit's residents are told by SMS about its rectification (SPEC R-4, A-4, W-1).

When an item is ready for them, each person of the unit with a phone number gets one SMS with
the unit's private link (``/r/z/<token>/``), in the company's language. One message per phone
number, item and round: a retried step does not send it twice. The link is made the first
time the unit needs one and kept (``UnitLink``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core.clock import now
from estatedesk.core.crypto import blind_index
from estatedesk.core.i18n import in_company_language
from estatedesk.notifications.models import Channel
from estatedesk.notifications.services import notify
from estatedesk.org.models import Occupancy
from estatedesk.rectification.models import Item, UnitLink


def link_of_unit(unit_id: int) -> UnitLink:
    """The unit's private link, made once."""
    link = UnitLink.objects.filter(unit_id=unit_id).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return UnitLink.objects.create(unit_id=unit_id, created_at=now())
    except IntegrityError:  # made at the same moment by another request
        return UnitLink.objects.get(unit_id=unit_id)


def unit_address(token: str) -> str:
    return reverse("portal:rectification", args=[token])


def ask_to_inspect(item: Item) -> int:
    """Queue the SMS to the unit's people; the number of messages queued."""
    assert item.unit_id is not None
    link = unit_address(link_of_unit(item.unit_id).token)
    phones = {
        o.customer.phone
        for o in Occupancy.objects.filter(unit_id=item.unit_id).select_related("customer")
        if o.customer.phone
    }
    sent = 0
    with in_company_language():
        subject = _("Rectification %(number)s ready for your inspection") % {"number": item.number}
        body = _(
            "The rectification of %(where)s (%(number)s) is done. Please inspect it and accept it or tell us "
            "what is still wrong through the link."
        ) % {"where": item.location, "number": item.number}
        for phone in sorted(phones):
            message = notify(
                # The key is not encrypted: the number appears in it only as its blind index.
                key=f"rect:{item.pk}:{item.round}:resident:{blind_index(phone)[:16]}",
                channel=Channel.SMS,
                address=phone,
                subject=subject,
                body=body,
                link=link,
            )
            sent += message is not None
    return sent
