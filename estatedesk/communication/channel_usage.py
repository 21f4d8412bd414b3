"""How many communication records carry a channel code (SPEC C-1): registered with
``org.channels.register_usage`` so a channel they use is never deleted."""

from __future__ import annotations

from django.db.models import TextField
from django.db.models.functions import Cast

from estatedesk.communication.models import (
    Clarification,
    Contact,
    ContractChange,
    Notice,
    NoticeRecipient,
    PropertyIncident,
)


def _in_json_list(model: type[Notice] | type[NoticeRecipient], code: str) -> int:
    # The JSON list as text, searched for the quoted code: portable where a JSON "contains"
    # lookup is not (SQLite). Codes are slugs, so the quotes delimit exactly one code.
    return (
        model.objects.annotate(channels_text=Cast("channels", TextField()))
        .filter(channels_text__contains=f'"{code}"')
        .count()
    )


def channel_uses(code: str) -> int:
    return (
        _in_json_list(Notice, code)
        + _in_json_list(NoticeRecipient, code)
        + NoticeRecipient.objects.filter(contact_channel=code).count()
        + Contact.objects.filter(channel=code).count()
        + Clarification.objects.filter(channel=code).count()
        + ContractChange.objects.filter(told_channel=code).count()
        + PropertyIncident.objects.filter(told_channel=code).count()
    )
