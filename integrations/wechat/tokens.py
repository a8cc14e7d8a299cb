"""Access tokens shared by every process, refreshed by exactly one of them at a time.

WeChat allows about 2,000 token fetches a day per account and each fetch invalidates the previous
token after a grace period, so two workers racing to refresh would knock each other's tokens out.
Tokens live in the Django cache (Redis in production, shared by all workers; local memory
otherwise) under ``wechat-token:<appid>``; a refresh takes the lock ``wechat-token-lock:<appid>``
with ``cache.add`` (atomic on Redis and in local memory), re-reads the cache (someone may just have
refreshed), and only then calls WeChat. Everyone else waits for the new token.

``refresh(stale=...)``: a call that failed with 40001/42001 passes the token it used; if the cache
already holds another token, that one is returned without a fetch — N workers hitting an expired
token cause one refresh, not N.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Refresh a little before WeChat's expiry so a token never dies mid-request.
EXPIRY_MARGIN_SECONDS = 120
LOCK_SECONDS = 15
WAIT_SECONDS = 10.0


class TokenUnavailable(Exception):
    """No token could be had (the fetch failed, or the refresher holding the lock never finished)."""


@dataclass(frozen=True)
class Fetched:
    token: str
    expires_in: int


Fetcher = Callable[[], Fetched]


def _key(name: str) -> str:
    return f"wechat-token:{name}"


def _lock_key(name: str) -> str:
    return f"wechat-token-lock:{name}"


def _count_key(name: str) -> str:
    return f"wechat-token-fetches:{name}"


def peek(name: str) -> str | None:
    """The cached token, if any (never fetches)."""
    value = cache.get(_key(name))
    return str(value) if value else None


def get(name: str, fetch: Fetcher) -> str:
    """A valid token for ``name`` (an appid, or ``component:<appid>``), fetching if there is none."""
    token = peek(name)
    if token:
        return token
    return refresh(name, fetch, stale=None)


def refresh(name: str, fetch: Fetcher, *, stale: str | None) -> str:
    """Replace ``stale`` (None: there is no token) by a new token, fetching at most once across all
    processes."""
    deadline = time.monotonic() + WAIT_SECONDS
    owner = secrets.token_hex(8)
    while True:
        current = peek(name)
        if current and current != stale:
            return current
        if cache.add(_lock_key(name), owner, LOCK_SECONDS):
            try:
                current = peek(name)
                if current and current != stale:
                    return current
                fetched = fetch()
                ttl = max(60, int(fetched.expires_in) - EXPIRY_MARGIN_SECONDS)
                cache.set(_key(name), fetched.token, ttl)
                _count_fetch(name)
                logger.info("fetched a new WeChat access token for %s (valid %ss)", name, fetched.expires_in)
                return fetched.token
            finally:
                if cache.get(_lock_key(name)) == owner:
                    cache.delete(_lock_key(name))
        if time.monotonic() > deadline:
            raise TokenUnavailable(f"timed out waiting for the token refresh of {name}")
        time.sleep(0.02)


def forget(name: str) -> None:
    cache.delete(_key(name))


def store(name: str, token: str, expires_in: int) -> None:
    """Keep a token WeChat handed us with another answer (e.g. ``api_query_auth``)."""
    cache.set(_key(name), token, max(60, int(expires_in) - EXPIRY_MARGIN_SECONDS))


def _count_fetch(name: str) -> None:
    key = _count_key(name)
    cache.add(key, 0, None)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def fetch_count(name: str) -> int:
    """How many times this process group fetched a token for ``name`` (benchmarks, tests)."""
    return int(cache.get(_count_key(name)) or 0)
