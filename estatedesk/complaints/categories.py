"""Every write to the complaint categories (SPEC K-3): administrators keep the list.

One function per change, each atomic, keyword-only, for administrators only, and each
recorded in the category's change history (who, when, what). A rename is based on the
version the form showed (``core.versioning``, decision 0011): two administrators renaming
the same category at once get one success and one 409 with both names, nothing lost.
Reordering and switching a category on or off change no text, so they leave the version alone.

A category a complaint uses is never deleted (the foreign key protects it too): it is
deactivated, which takes it off the intake and portal forms and keeps it on old complaints
and in reports. See docs/decisions/0012-complaint-categories.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from estatedesk.complaints.models import Category, Complaint
from estatedesk.core import policy
from estatedesk.core.actors import Actor, stamp
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import lock

NAME_FIELDS = ("name_zh_hans", "name_zh_hant", "name_en")
NAME_LENGTH = 50
CODE_LENGTH = 30
ORDER_STEP = 10
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _only_admins(actor: Actor) -> None:
    if not policy.is_admin(actor):
        raise NotAllowed(_("Only administrators may change the complaint categories."))


def _clean_names(names: dict[str, str], exclude: int | None = None) -> dict[str, str]:
    """Trimmed names; the Simplified Chinese one is required, each unique in its language."""
    clean = {field: " ".join((names.get(field) or "").split()) for field in NAME_FIELDS}
    if not clean["name_zh_hans"]:
        raise InvalidInput(_("Enter the name in Simplified Chinese."), field="name_zh_hans")
    others = Category.objects.exclude(pk=exclude) if exclude else Category.objects.all()
    for field, value in clean.items():
        if len(value) > NAME_LENGTH:
            raise InvalidInput(
                _("At most %(count)d characters.") % {"count": NAME_LENGTH},
                field=field,
            )
        if value and others.filter(**{f"{field}__iexact": value}).exists():
            raise InvalidInput(_("Another category already has this name."), field=field)
    return clean


def _new_code(code: str, name_en: str) -> str:
    if code:
        code = code.strip().lower()
        if len(code) > CODE_LENGTH or not _CODE.match(code):
            raise InvalidInput(
                _("Use up to 30 lower-case letters, digits, hyphens or underscores."), field="code"
            )
        if Category.objects.filter(code=code).exists():
            raise InvalidInput(_("Another category already has this code."), field="code")
        return code
    base = slugify(name_en)[:CODE_LENGTH].strip("-") or "category"
    candidate, n = base, 2
    while Category.objects.filter(code=candidate).exists():
        suffix = f"-{n}"
        candidate, n = base[: CODE_LENGTH - len(suffix)] + suffix, n + 1
    return candidate


def _renumber(ordered: Sequence[Category], actor: Actor) -> None:
    """Orders 10, 20, 30 … in the given sequence; only rows whose number changes are saved."""
    for index, category in enumerate(ordered, start=1):
        if category.order != index * ORDER_STEP:
            category.order = index * ORDER_STEP
            stamp(category, actor)
            category.save(update_fields=["order"])


def _all_locked() -> list[Category]:
    # Reordering touches neighbours: lock the whole (short) list, in one order for everyone.
    return list(Category.objects.select_for_update().order_by("order", "code"))


@transaction.atomic
def add_category(
    *, actor: Actor, name_zh_hans: str, name_zh_hant: str = "", name_en: str = "", code: str = ""
) -> Category:
    """A new category, offered at once; placed last, or just before "Other" when that is last."""
    _only_admins(actor)
    ordered = _all_locked()
    names = _clean_names({"name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant, "name_en": name_en})
    position = len(ordered)
    if ordered and ordered[-1].code == "other":
        position -= 1
    # Created at its place, so that its history starts there; the ones after it move down.
    category = Category(
        code=_new_code(code, names["name_en"]), order=(position + 1) * ORDER_STEP, active=True, **names
    )
    stamp(category, actor)
    category.save()
    ordered.insert(position, category)
    _renumber(ordered, actor)
    return category


@transaction.atomic
def rename_category(
    *,
    actor: Actor,
    category: int,
    based_on: int | None,
    name_zh_hans: str,
    name_zh_hant: str = "",
    name_en: str = "",
) -> Category:
    """New names in the three languages; every complaint, list and report shows them at once."""
    _only_admins(actor)
    record = lock(Category.objects.all(), category)
    names = _clean_names(
        {"name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant, "name_en": name_en},
        exclude=record.pk,
    )
    if all(getattr(record, field) == value for field, value in names.items()):
        return record
    take_edit(record, based_on, current={field: getattr(record, field) for field in NAME_FIELDS})
    for field, value in names.items():
        setattr(record, field, value)
    stamp(record, actor)
    record.save(update_fields=[*NAME_FIELDS, EDIT_VERSION])
    return record


@transaction.atomic
def move_category(*, actor: Actor, category: int, step: int) -> Category:
    """One place up (``step=-1``) or down (``step=1``) in the order forms and reports use."""
    _only_admins(actor)
    if step not in (-1, 1):
        raise InvalidInput(_("A category moves one place up or down."))
    ordered = _all_locked()
    index = next((i for i, c in enumerate(ordered) if c.pk == category), None)
    if index is None:
        raise NotFound(_("Not found, or not yours to see."))
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered, actor)
    return ordered[target] if 0 <= target < len(ordered) else ordered[index]


@transaction.atomic
def set_category_active(*, actor: Actor, category: int, active: bool) -> Category:
    """Deactivate (no longer offered for new complaints; old ones keep it) or reactivate."""
    _only_admins(actor)
    record = lock(Category.objects.all(), category)
    if record.active == active:
        return record
    if not active and not Category.objects.filter(active=True).exclude(pk=record.pk).exists():
        raise InvalidInput(_("At least one category must stay active: complaints need one."))
    record.active = active
    stamp(record, actor)
    record.save(update_fields=["active"])
    return record


def _in_use(count: int) -> InvalidInput:
    return InvalidInput(
        ngettext(
            "%(count)d complaint uses this category, so it cannot be deleted. Deactivate it "
            "instead: it will no longer be offered for new complaints and stays on the old one.",
            "%(count)d complaints use this category, so it cannot be deleted. Deactivate it "
            "instead: it will no longer be offered for new complaints and stays on the old ones.",
            count,
        )
        % {"count": count}
    )


def used_by(category: Category) -> int:
    return Complaint.objects.filter(category=category).count()


@transaction.atomic
def delete_category(*, actor: Actor, category: int) -> None:
    """Only a category no complaint uses; a used one is deactivated instead."""
    _only_admins(actor)
    record = lock(Category.objects.all(), category)
    count = used_by(record)
    if count:
        raise _in_use(count)
    if not Category.objects.filter(active=True).exclude(pk=record.pk).exists():
        raise InvalidInput(_("At least one category must stay active: complaints need one."))
    stamp(record, actor)
    try:
        record.delete()
    except ProtectedError as error:  # a complaint recorded with it meanwhile, through another path
        raise _in_use(max(used_by(record), 1)) from error
    _renumber(_all_locked(), actor)
