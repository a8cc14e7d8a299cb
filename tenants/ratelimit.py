"""Fixed-window rate limits per client IP, counted in the shared cache (Redis in production).
The client IP is ``tenants.client_ip.client_ip`` (trusted proxies only).

``settings.PUBLIC_RATE_LIMITS`` maps an action to (requests, window seconds); tests shrink them."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.http import HttpRequest

from tenants.cache_backend import CacheUnavailable
from tenants.client_ip import client_ip

__all__ = ["DEFAULT_LIMITS", "FAILS_CLOSED", "Verdict", "client_ip", "rate_limit", "rate_limited"]

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "signup": (10, 3600),  # completed signup attempts per IP per hour
    "login": (20, 600),  # sign-in attempts per IP per 10 minutes
    "reset": (20, 600),  # password-reset code checks per IP per 10 minutes
    "send_code": (20, 600),  # SMS code requests per IP per 10 minutes (the daily caps apply too)
    "subdomain_check": (120, 60),  # live availability checks per IP per minute
}


# What a limit does while the shared cache is unreachable and nothing can be counted — decided per
# limit: SMS sends and code checks fail closed (each text costs money; an uncounted code check is a
# brute-force opening); page-like actions (sign-in, signup, the subdomain check) fail open.
FAILS_CLOSED: frozenset[str] = frozenset({"send_code", "reset"})


class Verdict(models.TextChoices):
    ALLOWED = "allowed"
    LIMITED = "limited"
    UNAVAILABLE = "unavailable"  # cache down and the limit fails closed


def rate_limit(request: HttpRequest, action: str) -> Verdict:
    """Count this request against ``action``'s limit for the client IP."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "PUBLIC_RATE_LIMITS", {})}
    allowed, window = limits[action]
    bucket = int(time.time() // window)
    key = f"ratelimit:{action}:{client_ip(request)}:{bucket}"
    try:
        cache.add(key, 0, window + 5)
        try:
            count = int(cache.incr(key))
        except ValueError:
            cache.set(key, 1, window + 5)
            count = 1
    except CacheUnavailable:  # logged once by the cache backend
        return Verdict.UNAVAILABLE if action in FAILS_CLOSED else Verdict.ALLOWED
    return Verdict.LIMITED if count > allowed else Verdict.ALLOWED


def rate_limited(request: HttpRequest, action: str) -> bool:
    """True when the request must be refused: over the limit, or the cache is down and the limit
    fails closed (``FAILS_CLOSED``)."""
    return rate_limit(request, action) != Verdict.ALLOWED
