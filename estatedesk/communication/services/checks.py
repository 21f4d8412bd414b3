"""The input checks the contract and customer-property services share: each problem names its
field, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from estatedesk.communication.workflow import WRITER_ROLES
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today, company_zone, now
from estatedesk.core.errors import InvalidInput
from estatedesk.org import channels as org_channels

NAME_LENGTH = 100
TEXT_LENGTH = 4000


def may_write(user: Actor) -> bool:
    """Writers of customer communication; auditors and duty staff read."""
    return policy.role_of(user) in WRITER_ROLES


def text(value: str | None, field: str, *, required: str = "", length: int = TEXT_LENGTH) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(required, field=field)
    if len(cleaned) > length:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": length}, field=field)
    return cleaned


def line(value: str | None, field: str, *, required: str = "", length: int = NAME_LENGTH) -> str:
    return text(" ".join((value or "").split()), field, required=required, length=length)


def past_day(day: date | None, field: str, *, required: str) -> date:
    if day is None:
        raise InvalidInput(required, field=field)
    if day > company_today():
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    return day


def past_time(at: datetime | None, field: str, *, required: str) -> datetime:
    if at is None:
        raise InvalidInput(required, field=field)
    if at > now():
        raise InvalidInput(_("The time cannot be in the future."), field=field)
    return at


def day_of(at: datetime) -> date:
    return at.astimezone(company_zone()).date()


def channel(code: str, field: str = "channel") -> str:
    """A channel of the communication log (SPEC C-1): how the customer was reached."""
    if not code or not org_channels.is_offered(code, org_channels.Use.LOG):
        raise InvalidInput(_("Choose how the customer was reached."), field=field)
    return code
