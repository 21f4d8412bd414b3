"""The quality targets other than the company's (SPEC S-2's marks, S-7 §7.3.6d): for a category
company-wide, an estate, or a category in an estate; the most specific one applies
(``results.targets``). Kept by those who keep the evaluation standards."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from estatedesk.core.actors import Actor
from estatedesk.core.errors import InvalidInput
from estatedesk.core.workflow import lock
from estatedesk.org.models import Estate
from estatedesk.surveys.models import Category, SatisfactionTarget
from estatedesk.surveys.standards import require_editor

__all__ = ["remove_target", "set_target"]


def _target_value(value: object) -> Decimal:
    message = _("Enter a target above 0 % and at most 100 %.")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise InvalidInput(message, field="target") from error
    if not number.is_finite() or not Decimal(0) < number <= Decimal(100):
        raise InvalidInput(message, field="target")
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def set_target(
    *, actor: Actor, estate: Estate | int | None, category: object, target: object
) -> SatisfactionTarget:
    """The target for a category company-wide, an estate, or a category in an estate (the
    company-wide default is the company settings' ``satisfaction_target``)."""
    require_editor(actor)
    value = _target_value(target)
    category = str(category or "")
    if category and category not in Category.values:
        raise InvalidInput(_("Choose a category from the list."), field="category")
    estate_id = estate.pk if isinstance(estate, Estate) else estate
    if estate_id is not None:
        if not isinstance(estate_id, int) or not Estate.objects.filter(pk=estate_id).exists():
            raise InvalidInput(_("Choose an estate from the list."), field="estate")
    elif not category:
        raise InvalidInput(
            _("Choose an estate, a category or both; the company-wide target is in the company settings."),
            field="category",
        )
    row = (
        SatisfactionTarget.objects.select_for_update()
        .filter(Q(estate__isnull=True) if estate_id is None else Q(estate_id=estate_id), category=category)
        .order_by("pk")
        .first()
    )
    if row is None:
        return SatisfactionTarget.objects.create(estate_id=estate_id, category=category, target=value)
    row.target = value
    row.save(update_fields=["target"])
    return row


@transaction.atomic
def remove_target(*, actor: Actor, target: SatisfactionTarget | int) -> None:
    require_editor(actor)
    pk = target.pk if isinstance(target, SatisfactionTarget) else target
    lock(SatisfactionTarget.objects.all(), pk).delete()
