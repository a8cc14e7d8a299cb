"""Custom domains: which DNS resolver verifies them.

``DNS_RESOLVER_NAMESERVERS`` (comma-separated IPs; unset → the system resolver),
``DNS_RESOLVER_PORT`` (53) and ``DNS_RESOLVER_TIMEOUT`` (seconds). Tests point them at a loopback
fake DNS server."""

from __future__ import annotations

from saas_platform.settings.env import env_int, env_list

DNS_RESOLVER_NAMESERVERS: list[str] = env_list("DNS_RESOLVER_NAMESERVERS", [])
DNS_RESOLVER_PORT = env_int("DNS_RESOLVER_PORT", 53)
DNS_RESOLVER_TIMEOUT = env_int("DNS_RESOLVER_TIMEOUT", 5)
