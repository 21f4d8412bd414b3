"""Encryption of personal data at rest, with a blind index for exact look-ups (SPEC D-3).

A phone number is stored as Fernet ciphertext; a keyed HMAC of its normalised digits is
stored beside it so that staff can find a customer by the full number without the
database ever holding the number in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _keys(material: str) -> tuple[Fernet, bytes]:
    raw = base64.urlsafe_b64decode(material.encode("ascii"))
    if len(raw) < 64:
        raise ValueError("FIELD_ENCRYPTION_KEY must hold 64 bytes (urlsafe base64)")
    return Fernet(base64.urlsafe_b64encode(raw[:32])), raw[32:64]


def _fernet() -> Fernet:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0]


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        # Wrong key or damaged value: never show ciphertext, never crash a page.
        return ""


_NON_DIGITS = re.compile(r"[^\d+]")


def normalise_phone(value: str) -> str:
    """Digits only, without a +86 / 0086 country prefix, so every spelling finds the same customer."""
    digits = _NON_DIGITS.sub("", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits.replace("+", "")


def blind_index(value: str) -> str:
    phone = normalise_phone(value)
    if not phone:
        return ""
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[1]
    return hmac.new(key, phone.encode("ascii"), hashlib.sha256).hexdigest()


PHONE_RE = re.compile(r"^\d{7,15}$")


def is_valid_phone(value: str) -> bool:
    return bool(PHONE_RE.match(normalise_phone(value)))


def mask_phone(value: str) -> str:
    """138****1234 for mobiles; keep the first three and last four digits of anything long enough."""
    phone = normalise_phone(value)
    if not phone:
        return ""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return phone[:1] + "*" * (len(phone) - 1)


def mask_name(value: str) -> str:
    """王*明 / 李* / J*** S****: enough to tell people apart on a list, not to identify them."""
    value = (value or "").strip()
    if not value:
        return ""
    if " " in value:
        return " ".join(part[:1] + "*" * (len(part) - 1) for part in value.split())
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
