"""Every write to the communication channels (SPEC C-1): administrators keep the list.

Modelled on ``complaints.categories``: one function per change, each atomic, keyword-only,
for administrators only, and recorded in the channel's change history. An edit of the names
and uses is based on the version the form showed (``core.versioning``, decision 0011): two
administrators editing the same channel at once get one success and one 409 with both
versions. Reordering and switching a channel on or off change no text and leave the version.

Built-in codes (``BUILT_IN_CHANNELS``) carry behaviour: they are never deleted, their code
never changes (no channel's does), and they keep the uses that behaviour needs
(``NEEDED_USES``). The resident portal is never switched off: residents complain and read
notices there. What a channel is delivered by (``kind``) follows from its code: EstateDesk
delivers only its own online channels, so a channel an administrator adds is recorded by staff.
A channel records use is never deleted; it is switched off, which takes it off the forms and
keeps it on the old records. See docs/decisions/0030-channels.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from estatedesk.core import policy
from estatedesk.core.actors import Actor, stamp
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import lock
from estatedesk.org.channels import Use, uses_of
from estatedesk.org.models import BUILT_IN_CHANNELS, Channel, ChannelKind

NAME_FIELDS = ("name_zh_hans", "name_zh_hant", "name_en")
USE_FIELDS = tuple(use.value for use in Use)
NAME_LENGTH = 50
CODE_LENGTH = 30
ORDER_STEP = 10
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# What a built-in channel is kept for, because the product acts on its code: the portal takes
# complaints and shows notices; the outbox delivers notices by SMS, e-mail and WeChat; a sheet
# and a warning sign are what §7.1.4 asks a notice to be posted as; a suggestion-box complaint
# needs no contact, and complaints to the company, the group, the media or the government are
# entered by leadership (§7.2.2).
NEEDED_USES: dict[str, frozenset[Use]] = {
    "portal": frozenset({Use.COMPLAINTS, Use.NOTICES}),
    "sms": frozenset({Use.NOTICES}),
    "email": frozenset({Use.NOTICES}),
    "wechat": frozenset({Use.NOTICES}),
    "notice_sheet": frozenset({Use.NOTICES}),
    "warning_sign": frozenset({Use.NOTICES}),
    "suggestion_box": frozenset({Use.COMPLAINTS}),
    "company": frozenset({Use.COMPLAINTS}),
    "group_company": frozenset({Use.COMPLAINTS}),
    "media": frozenset({Use.COMPLAINTS}),
    "government": frozenset({Use.COMPLAINTS}),
}
ALWAYS_ON = frozenset({"portal"})
USE_NAMES = {
    Use.COMPLAINTS: gettext_lazy("complaints"),
    Use.NOTICES: gettext_lazy("notices"),
    Use.LOG: gettext_lazy("the communication log"),
}


def _only_admins(actor: Actor) -> None:
    if not policy.is_admin(actor):
        raise NotAllowed(_("Only administrators may change the communication channels."))


def _clean_names(names: dict[str, str], exclude: int | None = None) -> dict[str, str]:
    """Trimmed names; the Simplified Chinese one is required, each unique in its language."""
    clean = {field: " ".join((names.get(field) or "").split()) for field in NAME_FIELDS}
    if not clean["name_zh_hans"]:
        raise InvalidInput(_("Enter the name in Simplified Chinese."), field="name_zh_hans")
    others = Channel.objects.exclude(pk=exclude) if exclude else Channel.objects.all()
    for field, value in clean.items():
        if len(value) > NAME_LENGTH:
            raise InvalidInput(_("At most %(count)d characters.") % {"count": NAME_LENGTH}, field=field)
        if value and others.filter(**{f"{field}__iexact": value}).exists():
            raise InvalidInput(_("Another channel already has this name."), field=field)
    return clean


def _clean_uses(uses: dict[str, bool], code: str) -> dict[str, bool]:
    clean = {field: bool(uses.get(field)) for field in USE_FIELDS}
    if not any(clean.values()):
        raise InvalidInput(
            _("Tick what the channel is used for: complaints, notices or the communication log."),
            field="for_complaints",
        )
    for use in NEEDED_USES.get(code, ()):
        if not clean[use.value]:
            raise InvalidInput(
                _("The product relies on this channel for %(use)s: that use stays ticked.")
                % {"use": USE_NAMES[use]},
                field=use.value,
            )
    return clean


def _new_code(code: str, name_en: str) -> str:
    if code:
        code = code.strip().lower()
        if len(code) > CODE_LENGTH or not _CODE.match(code):
            raise InvalidInput(
                _("Use up to 30 lower-case letters, digits, hyphens or underscores."), field="code"
            )
        if code in BUILT_IN_CHANNELS or Channel.objects.filter(code=code).exists():
            raise InvalidInput(_("Another channel already has this code."), field="code")
        return code
    base = slugify(name_en)[:CODE_LENGTH].strip("-") or "channel"
    candidate, n = base, 2
    while candidate in BUILT_IN_CHANNELS or Channel.objects.filter(code=candidate).exists():
        suffix = f"-{n}"
        candidate, n = base[: CODE_LENGTH - len(suffix)] + suffix, n + 1
    return candidate


def _renumber(ordered: Sequence[Channel], actor: Actor) -> None:
    """Orders 10, 20, 30 … in the given sequence; only rows whose number changes are saved."""
    for index, channel in enumerate(ordered, start=1):
        if channel.order != index * ORDER_STEP:
            channel.order = index * ORDER_STEP
            stamp(channel, actor)
            channel.save(update_fields=["order"])


def _all_locked() -> list[Channel]:
    # Reordering touches neighbours: lock the whole (short) list, in one order for everyone.
    return list(Channel.objects.select_for_update().order_by("order", "code"))


@transaction.atomic
def add_channel(
    *,
    actor: Actor,
    name_zh_hans: str,
    name_zh_hant: str = "",
    name_en: str = "",
    code: str = "",
    for_complaints: bool = False,
    for_notices: bool = False,
    for_log: bool = False,
) -> Channel:
    """A new channel, recorded by staff, offered at once for its uses; placed last."""
    _only_admins(actor)
    ordered = _all_locked()
    names = _clean_names({"name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant, "name_en": name_en})
    code = _new_code(code, names["name_en"])
    uses = _clean_uses(
        {"for_complaints": for_complaints, "for_notices": for_notices, "for_log": for_log}, code
    )
    channel = Channel(
        code=code,
        kind=ChannelKind.OFFLINE,
        order=(len(ordered) + 1) * ORDER_STEP,
        active=True,
        **names,
        **uses,
    )
    stamp(channel, actor)
    channel.save()
    return channel


@transaction.atomic
def edit_channel(
    *,
    actor: Actor,
    channel: int,
    based_on: int | None,
    name_zh_hans: str,
    name_zh_hant: str = "",
    name_en: str = "",
    for_complaints: bool = False,
    for_notices: bool = False,
    for_log: bool = False,
) -> Channel:
    """New names in the three languages and what it is used for; every record shows the new
    names at once. The code stays: records keep it."""
    _only_admins(actor)
    record = lock(Channel.objects.all(), channel)
    names = _clean_names(
        {"name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant, "name_en": name_en},
        exclude=record.pk,
    )
    uses = _clean_uses(
        {"for_complaints": for_complaints, "for_notices": for_notices, "for_log": for_log}, record.code
    )
    wanted: dict[str, object] = {**names, **uses}
    if all(getattr(record, field) == value for field, value in wanted.items()):
        return record
    take_edit(record, based_on, current={field: getattr(record, field) for field in NAME_FIELDS})
    for field, value in wanted.items():
        setattr(record, field, value)
    stamp(record, actor)
    record.save(update_fields=[*NAME_FIELDS, *USE_FIELDS, EDIT_VERSION])
    return record


@transaction.atomic
def move_channel(*, actor: Actor, channel: int, step: int) -> Channel:
    """One place up (``step=-1``) or down (``step=1``) in the order the forms offer them."""
    _only_admins(actor)
    if step not in (-1, 1):
        raise InvalidInput(_("A channel moves one place up or down."))
    ordered = _all_locked()
    index = next((i for i, c in enumerate(ordered) if c.pk == channel), None)
    if index is None:
        raise NotFound(_("Not found, or not yours to see."))
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered, actor)
    return ordered[target] if 0 <= target < len(ordered) else ordered[index]


@transaction.atomic
def set_channel_active(*, actor: Actor, channel: int, active: bool) -> Channel:
    """Switch off (no longer offered on forms; records that used it keep its name) or on again."""
    _only_admins(actor)
    record = lock(Channel.objects.all(), channel)
    if record.active == active:
        return record
    if not active and record.code in ALWAYS_ON:
        raise InvalidInput(
            _("The resident portal stays on: residents make complaints and read notices there.")
        )
    record.active = active
    stamp(record, actor)
    record.save(update_fields=["active"])
    return record


def _in_use(count: int) -> InvalidInput:
    return InvalidInput(
        ngettext(
            "%(count)d record uses this channel, so it cannot be deleted. Switch it off instead: "
            "it will no longer be offered and stays on the record that used it.",
            "%(count)d records use this channel, so it cannot be deleted. Switch it off instead: "
            "it will no longer be offered and stays on the records that used it.",
            count,
        )
        % {"count": count}
    )


@transaction.atomic
def delete_channel(*, actor: Actor, channel: int) -> None:
    """Only a channel the administrators added and no record uses; others are switched off."""
    _only_admins(actor)
    record = lock(Channel.objects.all(), channel)
    if record.built_in:
        raise InvalidInput(
            _("The product relies on this channel, so it cannot be deleted. Switch it off instead.")
        )
    count = uses_of(record.code)
    if count:
        raise _in_use(count)
    stamp(record, actor)
    record.delete()
    _renumber(_all_locked(), actor)
