"""Encryption at rest for small secrets (the TOTP key): a model field that stores Fernet tokens.

The key is ``BATON_FIELD_KEY`` (one or more comma-separated passphrases: the first encrypts, every one
decrypts, so a key can be rotated) or, when that is unset, derived from ``SECRET_KEY``. Each passphrase
is stretched to a Fernet key with HKDF-SHA256. A stored value reads ``enc1:<token>``; a value without
that prefix (written before encryption was turned on) is read as it is and encrypted on its next save.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"
HKDF_INFO = b"baton field encryption v1"


def fernet_key(passphrase: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        passphrase.encode()
    )
    return base64.urlsafe_b64encode(derived)


def passphrases() -> list[str]:
    configured = [p.strip() for p in (getattr(settings, "BATON_FIELD_KEY", "") or "").split(",") if p.strip()]
    return configured or [settings.SECRET_KEY]


def cipher() -> MultiFernet:
    return MultiFernet([Fernet(fernet_key(p)) for p in passphrases()])


def encrypt(value: str) -> str:
    return PREFIX + cipher().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with the configured BATON_FIELD_KEY / SECRET_KEY "
            "(was the key changed without keeping the old one after a comma?)"
        ) from None


class EncryptedCharField(models.CharField):
    """A CharField whose column holds the encrypted value; Python code sees the plain text.

    Only exact reads and writes make sense: the column cannot be searched or ordered by its value.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, str) and value and not value.startswith(PREFIX):
            return encrypt(value)
        return value
