from __future__ import annotations

from django.db import transaction

from estatedesk.records.models import PersonalDataAccess


@transaction.atomic
def log_personal_data_access(
    *, user, subject, field: str, reason: str = "", ip_address: str | None = None
) -> None:
    PersonalDataAccess.objects.create(
        user=user,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_label=str(subject)[:200],
        field=field,
        reason=reason[:200],
        ip_address=ip_address or None,
    )
