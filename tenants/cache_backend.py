"""The shared cache (Redis) as a fail-soft backend: a cache outage slows pages, it never breaks them.

It lives in ``tenants`` (the bottom layer) because tenant routing is its first user and every app
may import from here.

Everything the cache holds can be recomputed from the database (tenant routing, entitlements,
people's roles) or is a guard whose owner decides what an outage means (rate limits, one-time
tokens, SMS codes). So while Redis is unreachable:

- reads answer "not cached" (``get`` → default, ``get_many`` → {}, ``has_key`` → False) and the
  caller falls back to the database;
- writes and deletes are dropped (``set``/``delete`` do nothing; ``add`` answers False, i.e. "not
  claimed", so a one-time token or a lock is refused rather than granted twice);
- counters (``incr``, and ``decr`` through it) raise ``CacheUnavailable``: only the caller knows
  whether its limit fails open or closed (``tenants.ratelimit``).

After a failure the backend stops trying for ``RETRY_SECONDS`` (one slow connect, not one per cache
call), logs once when the outage starts and once when Redis answers again — never per request.
``shared_cache_down()`` tells callers with a local fallback (``tenants.domains``) to use it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class CacheUnavailable(Exception):  # noqa: N818 (reads as a state, like Django's ImproperlyConfigured)
    """The shared cache cannot be reached; raised only by counters (``incr``/``decr``)."""


class _Outage:
    """Process-wide outage state (cache backends are per thread; the outage is not)."""

    lock = threading.Lock()
    down_since: float | None = None
    retry_at = 0.0

    @classmethod
    def skip(cls) -> bool:
        return cls.down_since is not None and time.monotonic() < cls.retry_at

    @classmethod
    def failed(cls, exc: BaseException) -> None:
        with cls.lock:
            cls.retry_at = time.monotonic() + RETRY_SECONDS
            if cls.down_since is None:
                cls.down_since = time.monotonic()
                logger.error("shared cache unreachable (%s); serving from the database until it answers", exc)

    @classmethod
    def answered(cls) -> None:
        if cls.down_since is None:
            return
        with cls.lock:
            if cls.down_since is not None:
                logger.warning("shared cache answers again after %.1f s", time.monotonic() - cls.down_since)
                cls.down_since = None


def shared_cache_down() -> bool:
    """Is the default cache a fail-soft backend in an outage right now?"""
    return bool(getattr(cache, "is_down", False))


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache that degrades instead of raising (see module docstring)."""

    @property
    def is_down(self) -> bool:
        return _Outage.down_since is not None

    def _try(self, call: Callable[[], T], fallback: T) -> T:
        if _Outage.skip():
            return fallback
        try:
            result = call()
        except _OUTAGE as exc:
            _Outage.failed(exc)
            return fallback
        _Outage.answered()
        return result

    def _count(self, call: Callable[[], int]) -> int:
        if _Outage.skip():
            raise CacheUnavailable("the shared cache is unreachable")
        try:
            result = call()
        except _OUTAGE as exc:
            _Outage.failed(exc)
            raise CacheUnavailable("the shared cache is unreachable") from exc
        _Outage.answered()
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._try(lambda: super(FailSoftRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._try(lambda: super(FailSoftRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._try(lambda: bool(super(FailSoftRedisCache, self).has_key(key, version)), False)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._try(
            lambda: bool(super(FailSoftRedisCache, self).add(key, value, timeout, version)), False
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._try(lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version), None)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._try(lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._try(lambda: bool(super(FailSoftRedisCache, self).touch(key, timeout, version)), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._try(lambda: bool(super(FailSoftRedisCache, self).delete(key, version)), False)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._try(lambda: super(FailSoftRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._count(lambda: int(super(FailSoftRedisCache, self).incr(key, delta, version)))
