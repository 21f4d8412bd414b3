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
