"""Where a person's name or phone number is still stored: every table, history tables included.

Used by the erasure tests (SPEC D-3): after a customer's data is erased, ``traces`` over the whole
database must come back empty. It reads every text column of every model (the history models
django-simple-history adds among them), decrypting encrypted columns through the ORM, JSON
columns as their text, and compares every blind-index column (``*_index``) with the phone's
blind index — EstateDesk's only search index over personal data — and looks for that blind
index inside every text column too: columns the database keeps from others hold it as
'phone:<blind index>' (generated columns, and the report's rows kept by triggers).
"""

from __future__ import annotations

import json

from django.apps import apps
from django.db import models

from estatedesk.core import crypto

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def traces(*, names: list[str], phones: list[str], skip: tuple[str, ...] = ()) -> list[str]:
    """``"app.model.field #pk"`` for every stored value holding one of the names or phones.

    ``skip`` names models (``"records.datarequest"``) a test has its own reason to leave out.
    """
    wanted_names = [name for name in names if name]
    wanted_phones = [crypto.normalise_phone(phone) for phone in phones if phone]
    indexes = {crypto.blind_index(phone) for phone in wanted_phones}
    found: list[str] = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in skip or model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(_stored(f), TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._default_manager.all().values_list("pk", *(f.attname for f in fields)).iterator():
            pk, values = row[0], row[1:]
            for field, value in zip(fields, values, strict=True):
                if value in (None, ""):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if field.name.endswith("_index") and text in indexes:
                    found.append(f"{label}.{field.name} #{pk} (blind index)")
                    continue
                # A column the database keeps from others ('phone:<blind index>': the generated
                # Complaint.complainant, decision 0068, and the report's rows kept from it, 0072).
                if any(i in text for i in indexes):
                    found.append(f"{label}.{field.name} #{pk} (blind index)")
                    continue
                # A phone typed with spaces or dashes, in a short field made for it.
                digits = crypto.normalise_phone(text) if wanted_phones and len(text) <= 40 else ""
                if any(name in text for name in wanted_names) or any(
                    phone in text or phone in digits for phone in wanted_phones
                ):
                    found.append(f"{label}.{field.name} #{pk}")
    return found


def _stored(field: models.Field) -> models.Field:
    """What a column holds: a generated column's output field (``Complaint.complainant``)."""
    return field.output_field if isinstance(field, models.GeneratedField) else field
