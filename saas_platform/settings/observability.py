"""Operations: trusted proxies, health probes, metrics access, logs, error reports.

``TRUSTED_PROXIES``: comma-separated CIDRs of the reverse proxies whose ``X-Forwarded-For`` and
``X-Request-ID`` are believed (empty: trust nobody, the peer address is the client).
``HEALTH_BEAT_EXPECTED`` (default: on when ``REDIS_URL`` is set) makes ``/readyz`` require beat's
heartbeat younger than ``HEALTH_BEAT_MAX_AGE`` seconds (default 180 = three missed beats).
``METRICS_ALLOWED_NETWORKS`` (CIDRs, default loopback) and ``METRICS_TOKEN`` (bearer) open ``/metrics``.
``LOG_FORMAT``: ``json`` (production default) or ``console`` (development default).
``SENTRY_DSN`` turns error reports on; ``SENTRY_ENVIRONMENT``, ``SENTRY_TRACES_SAMPLE_RATE``.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from saas_platform.settings.env import env_bool, env_int, env_list, env_optional

TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
for _name, _networks in {
    "TRUSTED_PROXIES": TRUSTED_PROXIES,
    "METRICS_ALLOWED_NETWORKS": METRICS_ALLOWED_NETWORKS,
}.items():
    for _item in _networks:
        try:
            ipaddress.ip_network(_item, strict=False)
        except ValueError as _exc:
            raise ImproperlyConfigured(f"{_name}: {_item!r} is not a CIDR network ({_exc}).") from _exc
METRICS_TOKEN = env_optional("METRICS_TOKEN")

HEALTH_BEAT_EXPECTED = env_bool("HEALTH_BEAT_EXPECTED", bool(env_optional("REDIS_URL")))
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE", 180)

SENTRY_DSN = env_optional("SENTRY_DSN")

# --- Logs (saas_platform.observability.logging) ------------------------------------------------
from saas_platform.observability.logging import configure_structlog, logging_config  # noqa: E402
from saas_platform.observability.sentry import init_sentry  # noqa: E402
from saas_platform.settings.env import env_str  # noqa: E402

LOG_FORMAT = env_str("LOG_FORMAT", "console")
if LOG_FORMAT not in {"json", "console"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'console', got {LOG_FORMAT!r}.")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))
configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True  # the request's context travels in the task headers
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # vetted by RequestIdMiddleware (trusted proxies only)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # "ip" is bound from tenants.client_ip instead
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING too (JSON, UTC, masked)

init_sentry(
    SENTRY_DSN,
    environment=env_str("SENTRY_ENVIRONMENT", "production"),
    traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0")),
)
