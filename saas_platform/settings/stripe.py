"""Stripe Checkout (payment mode). On only when both ``STRIPE_SECRET_KEY`` and
``STRIPE_WEBHOOK_SECRET`` are set (secrets from the environment or ``*_FILE``); otherwise the console
does not offer card payment. ``STRIPE_API_BASE`` points the client elsewhere (tests use a loopback
fake); ``STRIPE_CURRENCY`` defaults to ``cny``."""

from __future__ import annotations

from saas_platform.settings.env import env_optional, env_str

STRIPE_SECRET_KEY = env_optional("STRIPE_SECRET_KEY") or ""
STRIPE_WEBHOOK_SECRET = env_optional("STRIPE_WEBHOOK_SECRET") or ""
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_CURRENCY = env_str("STRIPE_CURRENCY", "cny").lower()
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
