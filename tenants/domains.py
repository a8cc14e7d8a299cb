"""The one module that turns a request's host into a provider (like Zulip's lib/subdomains.py).

A warm lookup makes zero database queries: the resolved ``Provider`` is kept in the Django cache
(Redis in production, so every process shares it) under the hostname. ``tenants.signals`` drops the
entry whenever a Provider or Domain changes. Unknown hosts are cached briefly as misses so random
hostnames cannot hammer the database.

While the shared cache is down (``tenants.cache_backend``: reads answer "not cached" instead of
raising), lookups go to the database and are kept in a small in-process cache for
``LOCAL_SECONDS``, so an outage costs one query per host per process every few seconds, not one per
request — and never a 500. The short lifetime bounds how long a change made meanwhile goes unseen.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from tenants.cache_backend import shared_cache_down
from tenants.models import Domain, Provider

_MISS = "__no_tenant__"
_MISS_SECONDS = 30
LOCAL_SECONDS = 10.0
LOCAL_MAX_ENTRIES = 10_000
_local: dict[str, tuple[float, Provider | None]] = {}
_local_lock = threading.Lock()


def normalize_host(host: str) -> str:
    host = (host or "").strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.split(":")[0].rstrip(".")


def is_public_host(hostname: str) -> bool:
    return hostname in settings.PUBLIC_HOSTS


def subdomain_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.BASE_DOMAIN}"


DEFAULT_PORTS = {"http": "80", "https": "443"}


def request_origin(request: Any) -> tuple[str, str]:
    """(scheme, port) the person reached us on, for links made while answering them: the port of
    the Host they typed (``X-Forwarded-Host`` behind a proxy when ``USE_X_FORWARDED_HOST``, or
    ``X-Forwarded-Port`` when ``USE_X_FORWARDED_PORT``), the scheme from ``request.scheme``
    (``X-Forwarded-Proto`` through ``SECURE_PROXY_SSL_HEADER``). A default port is left out."""
    scheme = request.scheme
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    forwarded = request.META.get("HTTP_X_FORWARDED_PORT", "")
    if settings.USE_X_FORWARDED_PORT and forwarded.isdigit():
        port = forwarded
    if port == DEFAULT_PORTS.get(scheme):
        port = ""
    return scheme, port


def portal_url(host: str, path: str = "/", *, request: Any = None) -> str:
    """``path`` on ``host``. With ``request`` (a redirect while answering someone) the scheme and
    port are the ones they used; otherwise ``PORTAL_SCHEME`` / ``PORTAL_PORT`` (links in texts,
    e-mails and QR codes; ``serve`` sets the port it listens on)."""
    if request is not None:
        scheme, port = request_origin(request)
    else:
        scheme, port = settings.PORTAL_SCHEME, str(settings.PORTAL_PORT or "")
    return f"{scheme}://{host}{':' + port if port else ''}{path}"


def public_url(path: str = "/") -> str:
    return portal_url(settings.BASE_DOMAIN, path)


def cache_key(hostname: str) -> str:
    return f"tenant-host:{hostname}"


def tenant_for_host(hostname: str) -> Provider | None:
    """The provider that serves ``hostname``, or None. Cached; see module docstring."""
    if shared_cache_down():
        return _local_lookup(hostname)
    key = cache_key(hostname)
    cached = cache.get(key)
    if cached == _MISS:
        return None
    if isinstance(cached, Provider):
        return cached
    if shared_cache_down():  # this very read found the cache down
        return _local_lookup(hostname)
    provider = _from_database(hostname)
    if provider is None:
        cache.set(key, _MISS, _MISS_SECONDS)
    else:
        cache.set(key, provider, settings.TENANT_CACHE_SECONDS)
    return provider


def _from_database(hostname: str) -> Provider | None:
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is None:
        return None
    provider: Provider = domain.tenant
    setattr(provider, "domain_url", hostname)  # noqa: B010 (django-tenants declares it None)
    return provider


def _local_lookup(hostname: str) -> Provider | None:
    """The shared cache is down: the database, remembered in this process for ``LOCAL_SECONDS``."""
    now = time.monotonic()
    hit = _local.get(hostname)
    if hit is not None and hit[0] > now:
        return hit[1]
    provider = _from_database(hostname)
    with _local_lock:
        if len(_local) >= LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[hostname] = (now + LOCAL_SECONDS, provider)
    return provider


def forget_hosts(hostnames: list[str]) -> None:
    cache.delete_many([cache_key(h) for h in hostnames if h])
    with _local_lock:
        for hostname in hostnames:
            _local.pop(hostname, None)


def hostname_is_live(hostname: str) -> bool:
    """Does a certificate for ``hostname`` make sense: a public host or a live provider Domain?
    (The reverse proxy's on-demand TLS asks this; cached like every host lookup.)"""
    hostname = normalize_host(hostname)
    return bool(hostname) and (is_public_host(hostname) or tenant_for_host(hostname) is not None)
