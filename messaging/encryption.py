"""Event data encrypted at rest: a database dump alone reveals no personal data.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a `MultiFernet` over the keys
in `EVENT_DATA_KEYS`: the first key encrypts, every key decrypts. Rotating is adding a new key
in front, running `manage.py rotate_event_data_key` (which re-encrypts every row with it), and
then dropping the old key. Without the setting (development only: the production deploy check
refuses it) the key derives from `SECRET_KEY`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# A distinct salt: the derived key is never the same bytes as any other SECRET_KEY use.
FALLBACK_KEY_SALT = b"sealpost.messaging.event-data-key.v1"


def configured_keys() -> list[str]:
    """`EVENT_DATA_KEYS` as a list (a comma-separated string or a list), blanks dropped."""
    keys = settings.EVENT_DATA_KEYS
    if isinstance(keys, str):
        keys = keys.split(",")
    return [key.strip() for key in keys if key and key.strip()]


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hmac.new(secret_key.encode(), FALLBACK_KEY_SALT, hashlib.sha256).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "EVENT_DATA_KEYS holds a key that is not a Fernet key (32 url-safe base64 bytes): "
            "generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        ) from None


def event_data_cipher() -> MultiFernet:
    """The cipher of the keys configured now (cached per key set)."""
    return _fernet(tuple(configured_keys()), settings.SECRET_KEY)


def encrypt_json(value: Any) -> str:
    """`value` as JSON, encrypted with the first key."""
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return event_data_cipher().encrypt(plain).decode("ascii")


def decrypt_json(token: str) -> Any:
    """The value `token` holds; raises `ImproperlyConfigured` when no configured key opens it
    (a key dropped before the rows were rotated to its successor)."""
    try:
        return json.loads(event_data_cipher().decrypt(token.encode("ascii")))
    except InvalidToken:
        raise ImproperlyConfigured(
            "Event data could not be decrypted with any key in EVENT_DATA_KEYS: was a key "
            "removed before `manage.py rotate_event_data_key` ran?"
        ) from None


def rotate_token(token: str) -> str:
    """`token` re-encrypted with the first key (the same value, the current key)."""
    return event_data_cipher().rotate(token.encode("ascii")).decode("ascii")


class EncryptedToken(str):
    """A value already encrypted: `EncryptedJSONField` stores it as it is."""


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token: the column never holds the plain data.

    Not searchable and not comparable in queries, by design."""

    description = "JSON, encrypted at rest"

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt_json(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, EncryptedToken):
            return str(value)  # already encrypted (key rotation writes tokens as they are)
        return encrypt_json(value)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))
