"""One-time SMS verification codes (signup, password reset, SMS sign-in, registrations).

What must stay true:
- a code is 6 digits, lives ``SMS_CODE_TTL_SECONDS`` (5 minutes) and is good for one use only;
- it is bound to (scope, purpose, phone): a code sent for tenant A's sign-in is worthless on tenant
  B or for a password reset;
- limits are scoped so a stranger cannot lock a phone out everywhere: per (scope, phone) one code
  every ``SMS_CODE_RESEND_SECONDS`` (60 s) and ``SMS_DAILY_LIMIT_PER_PHONE`` (10) a day, so eleven
  requests on one provider's portal leave every other provider (and the public site) untouched;
  across all scopes ``SMS_DAILY_LIMIT_PER_PHONE_PLATFORM`` (40, well above real use) a day; per
  client address ``SMS_DAILY_LIMIT_PER_IP`` and per scope ``SMS_DAILY_LIMIT_PER_SCOPE`` a day
  (one provider's portal cannot spend the platform's SMS budget);
- ``SMS_CODE_MAX_ATTEMPTS`` (5) wrong tries lock the code; a new one must be requested.

Codes live only in the Django cache (Redis in production, shared by every process), stored as an
HMAC digest, never in clear. Counters use ``cache.add`` + ``cache.incr`` so concurrent requests
cannot slip past a limit (both are atomic on Redis).

Every refusal raises ``CodeRefused`` (a ``ValidationError``) with a translated message and a stable
``reason``: invalid_phone, too_soon, daily_limit_phone, daily_limit_ip, send_failed,
invalid_format, expired, used, wrong, locked, sms_unavailable (the shared cache is down: sends fail
closed).

``code_spent_on_success`` consumes a code only if the work it guards completes (a signup that lost
a race, or failed, leaves the code good for the retry).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.validators import normalize_phone
from integrations.metrics import SMS_REFUSED
from integrations.sms.gateway import SmsSendError, sms_send
from tenants.cache_backend import shared_cache_down

CODE_LENGTH = 6


class CodeRefused(ValidationError):
    """A code could not be sent or was not accepted. ``reason`` says why (see module docstring)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, code=reason)
        self.reason = reason
        SMS_REFUSED.labels(reason).inc()  # reasons are this module's fixed names: a bounded label


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _ttl() -> int:
    return _setting("SMS_CODE_TTL_SECONDS", 300)


def _now() -> float:
    return time.time()


def _phone(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except ValidationError:
        raise CodeRefused(_("Enter a valid phone number."), reason="invalid_phone") from None


def _key(kind: str, *parts: str) -> str:
    return "sms-code:" + kind + ":" + ":".join(parts)


def _digest(*, phone: str, purpose: str, scope: str, code: str) -> str:
    message = f"{scope}|{purpose}|{phone}|{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # already expired: nothing to give back
        cache.decr(key)


def _daily_caps(*, day: str, scope: str, phone: str, ip: str | None) -> list[tuple[str, int, str, str]]:
    """(counter key, cap, refusal, reason) for every daily cap a send counts against, in order."""
    phone_message = _("This number has received too many codes today. Try again tomorrow.")
    caps = [
        (_key("day-phone", day, scope, phone), _setting("SMS_DAILY_LIMIT_PER_PHONE", 10)),
        (_key("day-phone-all", day, phone), _setting("SMS_DAILY_LIMIT_PER_PHONE_PLATFORM", 40)),
    ]
    found = [(key, cap, phone_message, "daily_limit_phone") for key, cap in caps]
    if ip:
        found.append(
            (
                _key("day-ip", day, ip),
                _setting("SMS_DAILY_LIMIT_PER_IP", 30),
                _("Too many codes were requested from your network today. Try again tomorrow."),
                "daily_limit_ip",
            )
        )
    found.append(
        (
            _key("day-scope", day, scope),
            _setting("SMS_DAILY_LIMIT_PER_SCOPE", 2000),
            _("This site has sent too many codes today. Try again tomorrow."),
            "daily_limit_scope",
        )
    )
    return found


def code_usage(*, phone: str, scope: str, ip: str | None) -> float:
    """How close the next send is to a daily cap, 0.0 (none used) to 1.0 (at a cap): the challenge
    (``integrations.sms.challenge``) is asked for only when this is high."""
    try:
        phone = normalize_phone(phone)
    except ValidationError:
        return 0.0
    day = timezone.localdate().isoformat()
    caps = _daily_caps(day=day, scope=scope, phone=phone, ip=ip)
    used = cache.get_many([key for key, *_rest in caps])
    return max((int(used.get(key) or 0) / max(1, cap) for key, cap, *_rest in caps), default=0.0)


def code_send(*, phone: str, purpose: str, scope: str, ip: str | None, deliver: bool = True) -> None:
    """Send a fresh code to ``phone`` for ``purpose`` within ``scope`` ("public" or a tenant schema).

    A new code replaces the previous one for the same phone, purpose and scope. ``deliver=False``
    counts the request against every limit exactly like a real send but texts nobody: callers use
    it for phones that must not get a code (an unknown phone asking for a reset, an owner asking
    for a signup code), so the answers — including "wait 60 s" — do not reveal who has an account."""
    phone = _phone(phone)
    now = _now()
    resend = _setting("SMS_CODE_RESEND_SECONDS", 60)
    cooldown_key = _key("cooldown", scope, phone)
    if not cache.add(cooldown_key, now + resend, resend):
        if shared_cache_down():  # nothing can be counted or remembered: fail closed, and say why
            raise CodeRefused(
                _("Text messages cannot be sent right now. Try again in a few minutes."),
                reason="sms_unavailable",
            )
        until = cache.get(cooldown_key) or now + resend
        seconds = max(1, int(until - now + 0.999))
        raise CodeRefused(
            ngettext(
                "A code was sent to this number moments ago. Wait %(seconds)d second before asking again.",
                "A code was sent to this number moments ago. Wait %(seconds)d seconds before asking again.",
                seconds,
            )
            % {"seconds": seconds},
            reason="too_soon",
        )

    day = timezone.localdate().isoformat()
    day_seconds = 26 * 3600
    counted: list[str] = []
    for key, limit, message, reason in _daily_caps(day=day, scope=scope, phone=phone, ip=ip):
        counted.append(key)
        if _count(key, day_seconds) > limit:
            cache.delete(cooldown_key)
            for earlier in counted:
                _uncount(earlier)
            raise CodeRefused(message, reason=reason)

    if not deliver:
        return
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    ttl = _ttl()
    code_key = _key("code", scope, purpose, phone)
    entry = {"digest": _digest(phone=phone, purpose=purpose, scope=scope, code=code), "expires": now + ttl}
    cache.set(code_key, entry, ttl)
    cache.delete_many([_key("tries", scope, purpose, phone), _key("used", scope, purpose, phone)])
    try:
        sms_send(
            phone=phone,
            template="verify_code",
            params={"code": code, "minutes": str(max(1, ttl // 60))},
            scope=scope,
        )
    except SmsSendError as exc:
        cache.delete_many([code_key, cooldown_key])
        for key in counted:
            _uncount(key)
        if exc.reason == "limit":
            raise CodeRefused(
                _("The SMS service will not send more messages to this number for now. Try again later."),
                reason="daily_limit_phone",
            ) from exc
        if exc.reason == "invalid_phone":
            raise CodeRefused(_("Enter a valid phone number."), reason="invalid_phone") from exc
        raise CodeRefused(
            _("The text message could not be sent. Try again in a minute."), reason="send_failed"
        ) from exc


def code_verify(*, phone: str, purpose: str, scope: str, code: str) -> None:
    """Accept ``code`` once, or raise ``CodeRefused``. A correct code is consumed."""
    phone = _phone(phone)
    code = (code or "").strip()
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise CodeRefused(_("The verification code is 6 digits."), reason="invalid_format")

    code_key = _key("code", scope, purpose, phone)
    used_key = _key("used", scope, purpose, phone)
    entry: dict[str, Any] | None = cache.get(code_key)
    if entry is None or float(entry.get("expires", 0)) <= _now():
        if cache.get(used_key):
            raise CodeRefused(_("This code has already been used. Ask for a new one."), reason="used")
        raise CodeRefused(_("The code has expired or was never sent. Ask for a new one."), reason="expired")

    max_attempts = _setting("SMS_CODE_MAX_ATTEMPTS", 5)
    tries_key = _key("tries", scope, purpose, phone)
    attempt = _count(tries_key, _ttl())
    if attempt > max_attempts:
        raise CodeRefused(_("Too many wrong tries: this code is locked. Ask for a new one."), reason="locked")

    expected = str(entry.get("digest", ""))
    given = _digest(phone=phone, purpose=purpose, scope=scope, code=code)
    if not hmac.compare_digest(expected, given):
        left = max_attempts - attempt
        if left <= 0:
            raise CodeRefused(
                _("Too many wrong tries: this code is locked. Ask for a new one."), reason="locked"
            )
        raise CodeRefused(
            ngettext("The code is wrong. %(left)d try left.", "The code is wrong. %(left)d tries left.", left)
            % {"left": left},
            reason="wrong",
        )

    # Single use: of two requests racing with the right code, only the one that deletes it wins.
    if not cache.delete(code_key):
        raise CodeRefused(_("This code has already been used. Ask for a new one."), reason="used")
    cache.set(used_key, True, _ttl())
    cache.delete(tries_key)


@contextlib.contextmanager
def code_spent_on_success(*, phone: str, purpose: str, scope: str, code: str) -> Iterator[None]:
    """Accept ``code`` like ``code_verify`` (single use: of two racing requests one wins), but give
    it back if the block raises, so a signup that fails — a lost race, a database error — does not
    cost the person their code."""
    normalized = _phone(phone)
    code_key = _key("code", scope, purpose, normalized)
    entry: dict[str, Any] | None = cache.get(code_key)
    code_verify(phone=phone, purpose=purpose, scope=scope, code=code)
    try:
        yield
    except BaseException:
        remaining = int(float((entry or {}).get("expires", 0)) - _now())
        if entry is not None and remaining > 0:
            cache.set(code_key, entry, remaining)
            cache.delete(_key("used", scope, purpose, normalized))
        raise
