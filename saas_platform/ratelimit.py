"""Fixed-window rate limits per client IP, counted in the shared cache (Redis in production).

``settings.PUBLIC_RATE_LIMITS`` maps an action to (requests, window seconds); tests shrink them."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "signup": (10, 3600),  # completed signup attempts per IP per hour
    "login": (20, 600),  # sign-in attempts per IP per 10 minutes
    "reset": (20, 600),  # password-reset code checks per IP per 10 minutes
    "send_code": (20, 600),  # SMS code requests per IP per 10 minutes (the daily caps apply too)
    "subdomain_check": (120, 60),  # live availability checks per IP per minute
}


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind the reverse proxy (deploy/), the proxy sets REMOTE_ADDR via the
    server's forwarded-header handling; we never trust a client-sent X-Forwarded-For here."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def rate_limited(request: HttpRequest, action: str) -> bool:
    """Count this request against ``action``'s limit for the client IP; True when over it."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "PUBLIC_RATE_LIMITS", {})}
    allowed, window = limits[action]
    bucket = int(time.time() // window)
    key = f"ratelimit:{action}:{client_ip(request)}:{bucket}"
    cache.add(key, 0, window + 5)
    try:
        count = int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, window + 5)
        count = 1
    return count > allowed
