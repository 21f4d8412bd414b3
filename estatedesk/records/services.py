from __future__ import annotations

from django.db import models, transaction

from estatedesk.core.actors import Actor, user_of
from estatedesk.records.models import PersonalDataAccess


@transaction.atomic
def log_personal_data_access(
    *, user: Actor, subject: models.Model, field: str, reason: str = "", ip_address: str | None = None
) -> None:
    account = user_of(user)
    if account is None:
        # As Django itself answers when a foreign key is given something that is not an account.
        raise ValueError("Only a signed-in user reads personal data.")
    PersonalDataAccess.objects.create(
        user=account,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_label=str(subject)[:200],
        field=field,
        reason=reason[:200],
        ip_address=ip_address or None,
    )
