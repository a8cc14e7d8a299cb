"""The one module that turns a request's host into a provider (like Zulip's lib/subdomains.py).

A warm lookup makes zero database queries: the resolved ``Provider`` is kept in the Django cache
(Redis in production, so every process shares it) under the hostname. ``tenants.signals`` drops the
entry whenever a Provider or Domain changes. Unknown hosts are cached briefly as misses so random
hostnames cannot hammer the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from tenants.models import Domain, Provider

_MISS = "__no_tenant__"
_MISS_SECONDS = 30


def normalize_host(host: str) -> str:
    host = (host or "").strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.split(":")[0].rstrip(".")


def is_public_host(hostname: str) -> bool:
    return hostname in settings.PUBLIC_HOSTS


def subdomain_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.BASE_DOMAIN}"


def portal_url(host: str, path: str = "/") -> str:
    port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
    return f"{settings.PORTAL_SCHEME}://{host}{port}{path}"


def public_url(path: str = "/") -> str:
    return portal_url(settings.BASE_DOMAIN, path)


def cache_key(hostname: str) -> str:
    return f"tenant-host:{hostname}"


def tenant_for_host(hostname: str) -> Provider | None:
    """The provider that serves ``hostname``, or None. Cached; see module docstring."""
    key = cache_key(hostname)
    cached = cache.get(key)
    if cached == _MISS:
        return None
    if isinstance(cached, Provider):
        return cached
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is None:
        cache.set(key, _MISS, _MISS_SECONDS)
        return None
    provider: Provider = domain.tenant
    setattr(provider, "domain_url", hostname)  # noqa: B010 (django-tenants declares it None)
    cache.set(key, provider, settings.TENANT_CACHE_SECONDS)
    return provider


def forget_hosts(hostnames: list[str]) -> None:
    cache.delete_many([cache_key(h) for h in hostnames if h])


def hostname_is_live(hostname: str) -> bool:
    """Does a certificate for ``hostname`` make sense: a public host or a live provider Domain?
    (The reverse proxy's on-demand TLS asks this; cached like every host lookup.)"""
    hostname = normalize_host(hostname)
    return bool(hostname) and (is_public_host(hostname) or tenant_for_host(hostname) is not None)
