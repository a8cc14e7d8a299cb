"""Bearer tokens for the mini-program (and any other API client): one ``ApiSession`` row per
signed-in device.

A token is ``<kind>.<session id>.<random>`` signed by Django's signing with a salt that names the
tenant schema, so a token minted by provider A fails its signature on provider B's host before any
lookup. Only SHA-256 digests of the tokens are stored. What must stay true:
- an access token works until ``MINIPROGRAM_ACCESS_TOKEN_SECONDS`` (2 h) and never after its
  session is revoked;
- a refresh token works once: refreshing rotates both tokens, and presenting a rotated refresh
  token again revokes the whole session (someone holds a copy);
- sessions end on sign-out, when a person revokes them (their own, or staff for anyone) and when
  the person behind them is deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from integrations.miniprogram.models import ApiSession, MiniProgramUser

ACCESS = "a"
REFRESH = "r"


class TokenRefused(Exception):
    """The token cannot be used. ``reason``: malformed, bad_signature (forged or another provider's),
    unknown, expired, revoked, reused."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedTokens:
    session: ApiSession
    access: str
    refresh: str
    expires_in: int


def access_seconds() -> int:
    return int(getattr(settings, "MINIPROGRAM_ACCESS_TOKEN_SECONDS", 7200))


def refresh_seconds() -> int:
    return int(getattr(settings, "MINIPROGRAM_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600))


def _signer() -> signing.Signer:
    schema = str(getattr(connection, "schema_name", "public"))
    return signing.Signer(salt=f"integrations.miniprogram.api_tokens:{schema}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mint(kind: str, session_id: int) -> str:
    return _signer().sign(f"{kind}.{session_id}.{secrets.token_urlsafe(24)}")


def _parse(token: str, kind: str) -> int:
    """The session id inside a well-signed token of ``kind``."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as exc:
        # Forged, or minted for another provider (the salt names the schema).
        raise TokenRefused("bad_signature") from exc
    token_kind, _sep, rest = value.partition(".")
    session_id, _sep, _random = rest.partition(".")
    if token_kind != kind or not session_id.isdigit():
        raise TokenRefused("malformed")
    return int(session_id)


def _rotate(session: ApiSession, now: Any) -> tuple[str, str]:
    access = _mint(ACCESS, session.pk)
    refresh = _mint(REFRESH, session.pk)
    session.access_digest = _digest(access)
    session.access_expires_at = now + timedelta(seconds=access_seconds())
    session.refresh_digest = _digest(refresh)
    session.refresh_expires_at = now + timedelta(seconds=refresh_seconds())
    return access, refresh


@transaction.atomic
def api_session_issue(*, user: MiniProgramUser, device: str = "") -> IssuedTokens:
    """A new session (device) for ``user`` with a fresh token pair."""
    now = timezone.now()
    placeholder = secrets.token_hex(32)  # unique until the row has an id to sign
    session = ApiSession.objects.create(
        user=user,
        device=(device or "").strip()[:120],
        access_digest=placeholder,
        access_expires_at=now,
        refresh_digest=secrets.token_hex(32),
        refresh_expires_at=now,
    )
    access, refresh = _rotate(session, now)
    session.save(update_fields=["access_digest", "access_expires_at", "refresh_digest", "refresh_expires_at"])
    return IssuedTokens(session, access, refresh, access_seconds())


def api_session_for_access(token: str) -> ApiSession:
    """The live session this access token belongs to, or ``TokenRefused``."""
    session_id = _parse(token, ACCESS)
    session = (
        ApiSession.objects.select_related(
            "user", "user__customer__user", "user__customer__company", "user__staff__user"
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None or not hmac.compare_digest(session.access_digest, _digest(token)):
        raise TokenRefused("unknown")
    if session.revoked_at is not None:
        raise TokenRefused("revoked")
    now = timezone.now()
    if session.access_expires_at <= now:
        raise TokenRefused("expired")
    if session.last_used_at is None or now - session.last_used_at > timedelta(minutes=5):
        ApiSession.objects.filter(pk=session.pk).update(last_used_at=now)  # coarse, not per request
    return session


def api_session_refresh(*, refresh_token: str) -> IssuedTokens:
    """Swap a refresh token for a new pair (the old refresh token dies). A rotated refresh token
    presented again revokes the session (committed even though the call is refused)."""
    session_id = _parse(refresh_token, REFRESH)
    digest = _digest(refresh_token)
    with transaction.atomic():
        session = ApiSession.objects.select_for_update().filter(pk=session_id).first()
        if session is None:
            raise TokenRefused("unknown")
        reused = bool(session.previous_refresh_digest) and hmac.compare_digest(
            session.previous_refresh_digest, digest
        )
        if not reused:
            if not hmac.compare_digest(session.refresh_digest, digest):
                raise TokenRefused("unknown")
            if session.revoked_at is not None:
                raise TokenRefused("revoked")
            now = timezone.now()
            if session.refresh_expires_at <= now:
                raise TokenRefused("expired")
            session.previous_refresh_digest = session.refresh_digest
            access, refresh = _rotate(session, now)
            session.last_used_at = now
            session.save()
            return IssuedTokens(session, access, refresh, access_seconds())
    _revoke(session, "refresh_reused")
    raise TokenRefused("reused")


def _revoke(session: ApiSession, reason: str) -> None:
    ApiSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


@transaction.atomic
def api_session_revoke(*, session: ApiSession, reason: str = "signed_out") -> None:
    _revoke(session, reason)


@transaction.atomic
def api_sessions_revoke_for_user_ids(*, user_ids: list[int], reason: str) -> int:
    """End every live session of the people whose Django users are ``user_ids`` (deactivation)."""
    return ApiSession.objects.filter(revoked_at__isnull=True).filter(
        user__customer__user_id__in=user_ids
    ).update(revoked_at=timezone.now(), revoked_reason=reason) + ApiSession.objects.filter(
        revoked_at__isnull=True, user__staff__user_id__in=user_ids
    ).update(revoked_at=timezone.now(), revoked_reason=reason)


def api_sessions_live(*, users: QuerySet[MiniProgramUser]) -> QuerySet[ApiSession]:
    """Live sessions (not revoked, refresh token still good) of these mini-program users."""
    return (
        ApiSession.objects.filter(
            user__in=users, revoked_at__isnull=True, refresh_expires_at__gt=timezone.now()
        )
        .select_related("user")
        .order_by("-created_at", "-id")
    )
