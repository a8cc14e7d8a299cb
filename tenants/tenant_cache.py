"""Small per-tenant cache entries for what every request of a tenant reads and almost never changes
(the default form version, whether an asset system is bound).

Keys carry the schema the connection is routed to, so one tenant's entry is never read by another.
A write that changes the cached thing calls ``forget`` (at once and again after commit, so a
concurrent reader cannot re-cache the old value from a transaction that has not committed yet).
Entries also expire after ``TTL_SECONDS`` as a safety net for writes that bypass the services.
A cache outage (the fail-soft Redis backend returns nothing) just means the database is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")
TTL_SECONDS = 300
_MISSING = object()


def tenant_key(name: str) -> str:
    return f"tenant:{getattr(connection, 'schema_name', 'public')}:{name}"


def cached_for_tenant(name: str, compute: Callable[[], T], *, ttl: int = TTL_SECONDS) -> T:
    """``compute()``'s value for the current tenant, from the cache when it is there. ``None`` is a
    value too (e.g. "no asset system bound"), stored as such."""
    key = tenant_key(name)
    hit = cache.get(key, _MISSING)
    if hit is not _MISSING:
        return hit
    value = compute()
    if not connection.in_atomic_block:
        cache.set(key, value, ttl)
    else:
        # Read inside a transaction: cache it only once that transaction has committed, so an
        # uncommitted (and maybe rolled-back) state is never served to others.
        transaction.on_commit(lambda: cache.set(key, value, ttl), robust=True)
    return value


def forget(name: str) -> None:
    key = tenant_key(name)
    cache.delete(key)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key), robust=True)
