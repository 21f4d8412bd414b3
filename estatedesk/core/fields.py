from __future__ import annotations

from typing import Any

from django.db import models

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


class LocalDateField(models.DateField):
    """The company-local calendar date of another datetime field of the same row.

    Kept so that counts by day and by month (``complaints.tally``) can be grouped in SQL
    without time-zone arithmetic, which SQLite lacks. Filled when the row is written without
    it (``save`` and ``bulk_create`` both call ``pre_save``); a writer that already knows the
    company's zone sets it itself and saves the settings query. The source moment does not
    change after the row is written; when the company's time zone changes, the owning app
    recomputes the column (``org.hooks.on_time_zone_changed``).
    """

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        moment = getattr(model_instance, self.source)
        if value is None and moment is not None:
            from estatedesk.core.clock import company_zone  # clock imports models, models import fields

            value = moment.astimezone(company_zone()).date()
            setattr(model_instance, self.attname, value)
        return value
