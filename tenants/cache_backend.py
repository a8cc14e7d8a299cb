"""The shared cache (Redis) as a fail-soft backend: a cache outage slows pages, it never breaks them.

It lives in ``tenants`` (the bottom layer) because tenant routing is its first user and every app
may import from here.

Everything the cache holds can be recomputed from the database (tenant routing, entitlements,
people's roles) or is a guard whose owner decides what an outage means (rate limits, one-time
tokens, SMS codes). So while Redis is unreachable:

- reads answer "not cached" (``get`` → default, ``get_many`` → {}, ``has_key`` → False) and the
  caller falls back to the database;
- writes and deletes are dropped (``set``/``delete`` do nothing; ``add`` answers False, i.e. "not
  claimed", so a one-time token or a lock is refused rather than granted twice) — but the keys of
  dropped deletes and writes are remembered in the process and deleted as soon as Redis answers
  again, before anything else this process asks of it, and by a background thread if the process
  asks nothing. An outage that keeps Redis's data (a network partition, a paused server) would
  otherwise leave an invalidation undone until the TTL: a provider's old host still routed, a
  changed setting still served to every process. Deleting what may have changed costs one miss;
  ``MAX_UNSENT`` keys at most are kept (then the oldest are dropped, logged);
- counters (``incr``, and ``decr`` through it) raise ``CacheUnavailable``: only the caller knows
  whether its limit fails open or closed (``tenants.ratelimit``).

After a failure the backend stops trying for ``RETRY_SECONDS`` (one slow connect, not one per cache
call), logs once when the outage starts and once when Redis answers again — never per request.
``shared_cache_down()`` tells callers with a local fallback (``tenants.domains``) to use it.
"""

from __future__ import annotations

import logging
import os
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
REPLAY_POLL_SECONDS = 1.0
MAX_UNSENT = 10_000
_OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class CacheUnavailable(Exception):  # noqa: N818 (reads as a state, like Django's ImproperlyConfigured)
    """The shared cache cannot be reached; raised only by counters (``incr``/``decr``)."""


class _Outage:
    """Process-wide outage state (cache backends are per thread; the outage is not)."""

    lock = threading.Lock()
    down_since: float | None = None
    retry_at = 0.0
    # Keys (as sent to Redis) whose delete or write was dropped: deleted once Redis answers again.
    unsent: dict[str, int] = {}
    sequence = 0
    lost = 0
    replayer: threading.Thread | None = None
    replayer_pid = 0

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

    @classmethod
    def remember(cls, keys: list[str], backend: FailSoftRedisCache) -> None:
        """``keys`` may hold stale values now: delete them when Redis answers again."""
        with cls.lock:
            for key in keys:
                cls.sequence += 1
                cls.unsent.pop(key, None)
                cls.unsent[key] = cls.sequence
            while len(cls.unsent) > MAX_UNSENT:
                cls.unsent.pop(next(iter(cls.unsent)))
                cls.lost += 1
            if cls.replayer is None or not cls.replayer.is_alive() or cls.replayer_pid != os.getpid():
                cls.replayer = threading.Thread(
                    target=cls._replay_in_background, args=(backend,), name="cache-replay", daemon=True
                )
                cls.replayer_pid = os.getpid()
                cls.replayer.start()

    @classmethod
    def replay(cls, backend: FailSoftRedisCache) -> None:
        """Delete the remembered keys; raises the outage's error if Redis still does not answer."""
        with cls.lock:
            batch = dict(cls.unsent)
        if not batch:
            return
        backend.delete_unsent(list(batch))
        with cls.lock:
            for key, sequence in batch.items():
                if cls.unsent.get(key) == sequence:  # not dropped again meanwhile
                    del cls.unsent[key]
            lost, cls.lost = cls.lost, 0
        logger.warning(
            "shared cache: %d invalidations made during the outage sent%s",
            len(batch),
            f"; {lost} more were dropped (over {MAX_UNSENT}) and stay until their TTL" if lost else "",
        )

    @classmethod
    def _replay_in_background(cls, backend: FailSoftRedisCache) -> None:
        """For a process that asks nothing of the cache after the outage (an idle worker)."""
        while cls.unsent:
            time.sleep(min(RETRY_SECONDS, REPLAY_POLL_SECONDS))
            if cls.skip():
                continue
            try:
                cls.replay(backend)
            except _OUTAGE as exc:
                cls.failed(exc)
            else:
                cls.answered()

    @classmethod
    def reset(cls) -> None:
        """Forget an outage and its remembered keys (tests that start and stop Redis)."""
        with cls.lock:
            cls.down_since = None
            cls.retry_at = 0.0
            cls.unsent = {}
            cls.lost = 0


def shared_cache_down() -> bool:
    """Is the default cache a fail-soft backend in an outage right now?"""
    return bool(getattr(cache, "is_down", False))


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache that degrades instead of raising (see module docstring)."""

    @property
    def is_down(self) -> bool:
        return _Outage.down_since is not None

    def _try(
        self, call: Callable[[], T], fallback: T, *, writes: Iterable[Any] = (), version: Any = None
    ) -> T:
        """``call()``, or ``fallback`` in an outage. ``writes``: the keys ``call`` deletes or
        overwrites, remembered when it cannot run (see module docstring)."""
        if _Outage.skip():
            self._remember(writes, version)
            return fallback
        try:
            if _Outage.unsent:
                _Outage.replay(self)
            result = call()
        except _OUTAGE as exc:
            _Outage.failed(exc)
            self._remember(writes, version)
            return fallback
        _Outage.answered()
        return result

    def _remember(self, keys: Iterable[Any], version: Any) -> None:
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        if made:
            _Outage.remember(made, self)

    def delete_unsent(self, made_keys: list[str]) -> None:
        """Delete keys already made (prefixed and versioned), as remembered during an outage."""
        self._cache.delete_many(made_keys)  # type: ignore[attr-defined]  # RedisCache's client

    def _count(self, call: Callable[[], int]) -> int:
        if _Outage.skip():
            raise CacheUnavailable("the shared cache is unreachable")
        try:
            if _Outage.unsent:
                _Outage.replay(self)
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
        self._try(
            lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version),
            None,
            writes=[key],
            version=version,
        )

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._try(
            lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version),
            list(data),
            writes=list(data),
            version=version,
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._try(lambda: bool(super(FailSoftRedisCache, self).touch(key, timeout, version)), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._try(
            lambda: bool(super(FailSoftRedisCache, self).delete(key, version)),
            False,
            writes=[key],
            version=version,
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._try(
            lambda: super(FailSoftRedisCache, self).delete_many(keys, version),
            None,
            writes=keys,
            version=version,
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._count(lambda: int(super(FailSoftRedisCache, self).incr(key, delta, version)))
