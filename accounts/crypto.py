"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) over the value, keyed from settings. Lives in
``accounts`` (the lowest tenant layer) so every tenant app may seal data: integrations (WeChat
secrets, asset-system credentials) and visitors (ID numbers) alike.

Keys: ``settings.FIELD_ENCRYPTION_KEYS`` (Fernet keys; the first encrypts, all decrypt, so a key can
be rotated by putting the new one first) or, when none is configured, one key derived from
``SECRET_KEY`` (SHA-256 → urlsafe base64). What must stay true: a stored secret is never the clear
value, and ``reveal`` of something encrypted under a key no longer configured raises
``SecretUnreadable`` instead of returning garbage.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored value was encrypted with a key that is no longer configured (or was tampered with)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    derived = base64.urlsafe_b64encode(hashlib.sha256(("baoxiu-fields:" + secret_key).encode()).digest())
    return MultiFernet([Fernet(derived)])


def _current() -> MultiFernet:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    return _fernet(keys, str(settings.SECRET_KEY))


def seal(value: str) -> str:
    """Encrypt ``value`` for storage ('' stays '')."""
    if not value:
        return ""
    return _current().encrypt(value.encode("utf-8")).decode("ascii")


def reveal(stored: str) -> str:
    """The clear value of something ``seal`` produced ('' stays '')."""
    if not stored:
        return ""
    try:
        return _current().decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("cannot decrypt a stored secret with the configured keys") from exc


def masked(value: str, *, visible: int = 4) -> str:
    """What a screen may show of a secret: its last few characters only."""
    if not value:
        return ""
    tail = value[-visible:] if len(value) > visible * 2 else ""
    return "••••••" + tail
