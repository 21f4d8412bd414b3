from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from estatedesk.core import crypto


class EncryptedTextField(models.TextField):
    """Text kept as Fernet ciphertext in the database and as clear text on the model instance.

    The clear value never reaches SQL, so it cannot be searched: pair it with a blind index
    column (see ``crypto.blind_index``) where look-up by exact value is needed.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return crypto.decrypt(value) if value else ""

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else ""


class _LocalDateAttribute(DeferredAttribute):
    """Remembers, when the date is assigned, which source moment it was assigned beside, so
    that ``pre_save`` can tell a date that belongs to the current moment from a stale one."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        field = self.field
        assert isinstance(field, LocalDateField)
        instance.__dict__[field.attname] = value
        instance.__dict__[field.memo_name] = instance.__dict__.get(field.source_attname, _UNSET)


_UNSET = object()


class LocalDateField(models.DateField):
    """The company-local calendar date of another datetime field of the same row.

    Kept so that counts by day and by month (``complaints.tally``) can be grouped in SQL
    without time-zone arithmetic, which SQLite lacks. Filled when the row is written without
    it (``save`` and ``bulk_create`` both call ``pre_save``); a writer that already knows the
    company's zone sets it itself and saves the settings query. When the company's time zone
    changes, the owning app recomputes the column (``org.hooks.on_time_zone_changed``).

    ``follows=False`` (the default): the source moment does not change after the row is
    written, so a date once set is kept.

    ``follows=True``: the source changes (``closed_at``: set by closing), and the date follows
    it on every save — None when the source is None, else recomputed in the company's zone,
    unless the date was assigned *after* the source took its current value (a writer that
    knows the zone sets both, source first; a row loaded from the database has both). So a
    writer that changes the source and not the date cannot leave a stale date behind.
    Writes that bypass ``save`` (a queryset ``update`` of the source) must set the date too.
    """

    def __init__(self, *args: Any, source: str = "", follows: bool = False, **kwargs: Any) -> None:
        self.source = source
        self.follows = follows
        if follows:
            self.descriptor_class = _LocalDateAttribute
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.follows:
            kwargs["follows"] = True
        return name, path, args, kwargs

    @property
    def source_attname(self) -> str:
        return self.source  # a datetime column: its attribute is its name

    @property
    def memo_name(self) -> str:
        return f"_{self.attname}_beside"

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        moment = getattr(model_instance, self.source)
        if self.follows:
            if moment is None:
                value = None
            elif value is None or model_instance.__dict__.get(self.memo_name, _UNSET) != moment:
                value = _local_date(moment)
            setattr(model_instance, self.attname, value)  # remembered beside this moment
        elif value is None and moment is not None:
            value = _local_date(moment)
            setattr(model_instance, self.attname, value)
        return value


def _local_date(moment: datetime) -> date:
    from estatedesk.core.clock import company_zone  # clock imports models, models import fields

    return moment.astimezone(company_zone()).date()
