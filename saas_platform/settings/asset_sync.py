"""External asset systems (``integrations.asset_systems``).

``ASSET_SYNC_TIMEOUT_SECONDS``: read timeout of background calls (pushes, pulls, tests).
``ASSET_SYNC_LOOKUP_TIMEOUT_SECONDS``: read timeout of a lookup made while a customer waits.
``ASSET_SYNC_ALLOW_PRIVATE_NETWORKS``: let a binding's base URL point at loopback or private
addresses (off by default, so a tenant cannot probe the platform's own network; on for a
self-hosted system on the same LAN, and in tests, whose fakes listen on 127.0.0.1).
"""

from __future__ import annotations

from saas_platform.settings.env import env_bool, env_int

ASSET_SYNC_TIMEOUT_SECONDS = env_int("ASSET_SYNC_TIMEOUT_SECONDS", 10)
ASSET_SYNC_LOOKUP_TIMEOUT_SECONDS = env_int("ASSET_SYNC_LOOKUP_TIMEOUT_SECONDS", 4)
ASSET_SYNC_CONNECT_TIMEOUT_SECONDS = env_int("ASSET_SYNC_CONNECT_TIMEOUT_SECONDS", 3)
ASSET_SYNC_ALLOW_PRIVATE_NETWORKS = env_bool("ASSET_SYNC_ALLOW_PRIVATE_NETWORKS", False)
# Pushes that fail are retried with exponential backoff: 1, 2, 4 … minutes, capped, then given up.
ASSET_SYNC_PUSH_MAX_ATTEMPTS = env_int("ASSET_SYNC_PUSH_MAX_ATTEMPTS", 8)
ASSET_SYNC_WEBHOOK_TOLERANCE_SECONDS = env_int("ASSET_SYNC_WEBHOOK_TOLERANCE_SECONDS", 300)
