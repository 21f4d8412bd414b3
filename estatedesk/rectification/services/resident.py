"""What a resident does through the unit's private link (SPEC R-4, W-1; no account).

The link (``/r/z/<token>/``) opens only its own unit's items: any other id is "not found".
An item waiting for the resident is accepted — with a signature drawn on the phone, or the
name typed, the time recorded — or objected to with what is still wrong (and photos), which
starts the next round. Two submissions at once: the item row is locked, the second is told
it was already handled (409) and nothing is recorded twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core import uploads
from estatedesk.core.actors import RESIDENT
from estatedesk.core.errors import InvalidInput, NotFound
from estatedesk.core.workflow import check_source, lock
from estatedesk.rectification import selectors
from estatedesk.rectification.models import AcceptanceMethod, Item
from estatedesk.rectification.services.items import FOLDER
from estatedesk.rectification.services.rounds import NAME_LENGTH, finish, next_round, objection_text
from estatedesk.rectification.workflow import ITEM

SIGNATURE_FIELD = "signature"
NAME_FIELD = "signed_name"


def _locked(token: str, item_id: int, step: str) -> Item:
    link = selectors.link_of(token)
    if link is None:
        raise NotFound(_("Not found, or not yours to see."))
    item = lock(selectors.items_of_unit(link.unit_id), item_id)
    check_source(ITEM, ITEM.get(step), item.status, item.number)
    return item


@transaction.atomic
def accept(*, token: str, item_id: int, signature: Any = None, signed_name: str = "") -> Item:
    """The resident accepts: a drawn signature (a PNG from the phone), or the typed name."""
    item = _locked(token, item_id, "accept")
    signed_name = (signed_name or "").strip()
    if len(signed_name) > NAME_LENGTH:
        raise InvalidInput(
            _("At most %(limit)d characters, please (now %(count)d).")
            % {"limit": NAME_LENGTH, "count": len(signed_name)},
            field=NAME_FIELD,
        )
    if signature is None and not signed_name:
        raise InvalidInput(_("Sign in the box, or type your name."), field=SIGNATURE_FIELD)
    method = AcceptanceMethod.TYPED
    if signature is not None:
        checked = uploads.check(signature, field=SIGNATURE_FIELD, images_only=True)
        item.signature = uploads.keep(checked, folder=FOLDER, row=lambda stored_name: stored_name)
        method = AcceptanceMethod.SIGNATURE
    finish(item, RESIDENT, "accept", method=method, signed_name=signed_name)
    return item


@transaction.atomic
def object_to(*, token: str, item_id: int, objection: str, photos: Sequence[Any] = ()) -> Item:
    """The resident is not satisfied: what is still wrong starts the next round."""
    item = _locked(token, item_id, "object_developer")
    next_round(item, RESIDENT, objection=objection_text(objection), photos=photos)
    return item
