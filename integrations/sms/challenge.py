"""A captcha-free challenge before an SMS code is sent, asked for only when a limit is near.

Why a small hashcash of our own instead of a captcha service or a package: no third-party script
may load (the site works offline and inside WeChat, every static file is served by the app), the
maintained proof-of-work packages found bring their own widget and server, and the whole protocol
is twenty lines on each side with the browser's built-in SHA-256 (``crypto.subtle.digest``).

Protocol: the server answers a send request with ``{"reason": "challenge", "challenge": <token>,
"bits": N}``; ``token`` is signed (``django.core.signing``), names the phone it was issued for and
expires after ``CHALLENGE_MAX_AGE`` seconds. The page finds a ``nonce`` such that
SHA-256(token + ":" + nonce) starts with N zero bits (2^N tries on average: a fraction of a second
for a person, real work for a script sending thousands) and sends both back with the request. A
solution is good once (remembered in the cache until the token expires).

Asked only when ``code_usage`` (the share of the tightest daily cap already used for this phone,
address or provider) is at least ``SMS_CHALLENGE_FROM`` — a normal sign-in never sees it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "integrations.sms.challenge"
CHALLENGE_MAX_AGE = 300


def challenge_bits() -> int:
    return int(getattr(settings, "SMS_CHALLENGE_BITS", 16))


def challenge_needed(usage: float) -> bool:
    """Near a cap, but not over it (over it, the send is refused anyway: no puzzle for nothing)."""
    return float(getattr(settings, "SMS_CHALLENGE_FROM", 0.5)) <= usage < 1.0


def challenge_issue(*, phone: str) -> str:
    """A fresh signed challenge for ``phone``."""
    return signing.dumps({"p": phone, "r": secrets.token_hex(8), "b": challenge_bits()}, salt=SALT)


def _leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def challenge_solve(token: str, *, bits: int) -> str:
    """The nonce a browser would find (used by tests and by nobody else)."""
    nonce = 0
    while _leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def challenge_passed(*, token: str, nonce: str, phone: str) -> bool:
    """Is ``nonce`` a fresh, first-time solution of a challenge issued for ``phone``?"""
    if not token or not nonce or len(nonce) > 20 or not nonce.isascii():
        return False
    try:
        data = signing.loads(token, salt=SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("p") != phone:
        return False
    digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
    if _leading_zero_bits(digest) < int(data.get("b", challenge_bits())):
        return False
    used = "sms-challenge-used:" + hashlib.sha256(token.encode()).hexdigest()
    return bool(cache.add(used, 1, CHALLENGE_MAX_AGE + 10))
