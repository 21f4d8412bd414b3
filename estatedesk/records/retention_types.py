"""The record types records itself keeps: the personal-data access log and sign-in records.

Registered in ``RecordsConfig.ready``. Both are deleted when past retention (decision 0045
says why the periods are what they are). Their labels carry no personal data: the ledger of
disposed records is kept after the records are gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from estatedesk.records.models import PersonalDataAccess
from estatedesk.records.registry import ArchiveBatch, Disposal, RecordType, register

ADMINISTRATOR = _("Administrator")


def _label(pk: int, when: datetime | None) -> str:
    return f"#{pk} {when:%Y-%m-%d}" if when else f"#{pk}"


def _find(model: type[models.Model]) -> Any:
    def find(text: str) -> int | None:
        digits = text.strip().lstrip("#").split(" ", 1)[0]
        if not digits.isdigit() or len(digits) > 18:
            return None
        pk = int(digits)
        return pk if model._default_manager.filter(pk=pk).exists() else None

    return find


def _labels(model: type[models.Model], field: str) -> Any:
    def labels(ids: Sequence[int]) -> dict[int, str]:
        rows = model._default_manager.filter(pk__in=ids).values_list("pk", field)
        return {pk: _label(pk, when) for pk, when in rows}

    return labels


def _dispose(model: type[models.Model]) -> Any:
    def dispose(ids: Sequence[int]) -> int:
        with transaction.atomic():
            deleted, _each = model._default_manager.filter(pk__in=ids).delete()
        return deleted

    return dispose


# --- The personal-data access log -------------------------------------------------------------

ACCESS_FIELDS = [
    "id",
    "at",
    "user_id",
    "username",
    "subject_type",
    "subject_id",
    "subject_label",
    "field",
    "reason",
    "ip_address",
]


def _access_archive(ids: Sequence[int]) -> ArchiveBatch:
    rows = (
        PersonalDataAccess.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "at",
            "user_id",
            "user__username",
            "subject_type",
            "subject_id",
            "subject_label",
            "field",
            "reason",
            "ip_address",
        )
    )
    records, csv_rows = [], []
    for row in rows:
        values = [row[0], row[1].isoformat(), *row[2:]]
        records.append(dict(zip(ACCESS_FIELDS, values, strict=True)))
        csv_rows.append(values)
    return ArchiveBatch(records=records, csv_header=ACCESS_FIELDS, csv_rows=csv_rows)


ACCESS_LOG = RecordType(
    key="access_log",
    label=_("Personal-data access log"),
    owner=ADMINISTRATOR,
    basis=_("time of access"),
    disposal=Disposal.DELETE,
    past_retention=lambda cutoff: PersonalDataAccess.objects.filter(at__lt=cutoff),
    archive=_access_archive,
    dispose=_dispose(PersonalDataAccess),
    labels=_labels(PersonalDataAccess, "at"),
    find=_find(PersonalDataAccess),
    default_months=36,
    order=900,
    note=_("Who read whose full contact details, when and why."),
)


# --- Sign-in records (django-axes) --------------------------------------------------------------

SIGN_IN_FIELDS = ["id", "attempt_time", "username", "ip_address", "user_agent", "path_info"]


def _axes_archive(model: type[models.Model], extra: Sequence[str]) -> Any:
    fields = [*SIGN_IN_FIELDS, *extra]

    def archive(ids: Sequence[int]) -> ArchiveBatch:
        names = ["pk", *fields[1:]]
        records, csv_rows = [], []
        for row in model._default_manager.filter(pk__in=ids).order_by("pk").values_list(*names):
            values = [v.isoformat() if isinstance(v, datetime) else v for v in row]
            records.append(dict(zip(fields, values, strict=True)))
            csv_rows.append(values)
        return ArchiveBatch(records=records, csv_header=fields, csv_rows=csv_rows)

    return archive


def _axes_type(
    model: type[models.Model], key: str, label: Any, extra: Sequence[str], months: int, order: int, note: Any
) -> RecordType:
    return RecordType(
        key=key,
        label=label,
        owner=ADMINISTRATOR,
        basis=_("time of sign-in"),
        disposal=Disposal.DELETE,
        past_retention=lambda cutoff: model._default_manager.filter(attempt_time__lt=cutoff),
        archive=_axes_archive(model, extra),
        dispose=_dispose(model),
        labels=_labels(model, "attempt_time"),
        find=_find(model),
        default_months=months,
        order=order,
        note=note,
    )


def sign_in_types() -> list[RecordType]:
    """One type per axes table that is installed: sign-ins (``sign_ins``), failed sign-ins and
    the lockout counters. Their ids are separate sequences, so each is its own type."""
    found = []
    for name, key, label, extra, months, order, note in (
        (
            "AccessLog",
            "sign_ins",
            _("Sign-ins"),
            ["logout_time"],
            12,
            910,
            _("Each sign-in and sign-out: account, address, browser."),
        ),
        (
            "AccessFailureLog",
            "sign_in_failures",
            _("Failed sign-ins"),
            ["locked_out"],
            12,
            911,
            _("Each failed sign-in: the name typed, address, browser."),
        ),
        (
            "AccessAttempt",
            "sign_in_lockouts",
            _("Sign-in lockout counters"),
            ["failures_since_start"],
            12,
            912,
            _("Failed sign-ins counted towards a lockout, by name and address."),
        ),
    ):
        try:
            model = apps.get_model("axes", name)
        except LookupError:
            continue
        found.append(_axes_type(model, key, label, extra, months, order, note))
    return found


def register_all() -> None:
    register(ACCESS_LOG)
    for each in sign_in_types():
        register(each)
