"""Readable document numbers: PREFIX-YEAR-NNNNNN (TS-2026-000123), one sequence per prefix
and company year, gap-free within committed transactions."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from estatedesk.core.clock import company_zone
from estatedesk.core.models import Counter


def next_number(prefix: str, when: datetime) -> str:
    """The next number for ``prefix`` in the company year of ``when``.

    Call it inside the transaction that saves the record: the counter row stays locked by
    the update until that transaction ends, so a rolled-back record gives its number back.
    """
    year = when.astimezone(company_zone()).year
    for _attempt in range(3):
        updated = Counter.objects.filter(prefix=prefix, year=year).update(value=F("value") + 1)
        if updated:
            break
        try:
            with transaction.atomic():
                Counter.objects.create(prefix=prefix, year=year, value=1)
            break
        except IntegrityError:
            continue
    value = Counter.objects.filter(prefix=prefix, year=year).values_list("value", flat=True).get()
    return f"{prefix}-{year}-{value:06d}"
