"""What the rectification services share: the locked item, a required text, a date check."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.core.errors import InvalidInput
from estatedesk.core.workflow import Transition, check_source, lock, require
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item
from estatedesk.rectification.workflow import ITEM

# A completion date further out than this is a typing mistake.
LONGEST_PLAN_DAYS = 730


def locked_item(actor: Actor, item: Item | int, transition: Transition) -> Item:
    """The item, locked, in the actor's scope, in a status the step starts from."""
    require(actor, transition)
    item = lock(selectors.items_for(actor), item if isinstance(item, int) else item.pk)
    check_source(ITEM, transition, item.status, item.number)
    return item


def text(value: str | None, *, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters, please (now %(count)d).")
            % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def completion_date(value: date | None, *, field: str = "due_date") -> date:
    if value is None:
        raise InvalidInput(_("Give the completion date."), field=field)
    today = company_today()
    if value < today:
        raise InvalidInput(_("The completion date cannot be in the past."), field=field)
    if (value - today).days > LONGEST_PLAN_DAYS:
        raise InvalidInput(_("The completion date is more than two years away."), field=field)
    return value
