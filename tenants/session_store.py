"""Sessions kept in the cache in front of each schema's ``django_session`` table.

Django's ``cached_db`` store keys the cache by session key alone. Every schema has its own session
table, but the cache is shared by all tenants: a session key taken from tenant A's cookie and sent
to tenant B's host would load A's session data (a user id) from the cache and sign the request in
as whoever has that id in B. The key therefore carries the schema the request was routed to, so a
cached session is only ever found again in the schema that wrote it, exactly like the table row.

Why cached at all: loading the session was one of a portal submit's database round trips
(bench/README, "Submit speed"); with Redis it is a cache read, and writes still go to the table, so
a cache outage (the fail-soft cache returns nothing) falls back to the database.
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import connection


class SessionStore(CachedDBStore):
    @property
    def cache_key_prefix(self) -> str:
        schema = getattr(connection, "schema_name", "public")
        return f"session:{schema}:"
