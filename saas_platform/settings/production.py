"""Production: no default secrets, HTTPS everywhere. Missing or bad values fail at start with the
variable's name."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from saas_platform.observability.logging import logging_config
from saas_platform.settings.base import *  # noqa: F403
from saas_platform.settings.env import env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be false in production.")
BASE_DOMAIN = env_str("BASE_DOMAIN").lower().strip(".")
PUBLIC_HOSTS = [BASE_DOMAIN, f"www.{BASE_DOMAIN}", *env_list("EXTRA_PUBLIC_HOSTS", [])]
PORTAL_SCHEME = "https"
PORTAL_PORT = env_str("PORTAL_PORT", "")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^internal/", r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Static files: hashed names (collectstatic at image build) served by whitenoise with a year-long,
# immutable cache; files without a hash (none referenced by templates) get an hour.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = False
WHITENOISE_MAX_AGE = 3600

# One JSON object per log line, UTC timestamps (saas_platform.observability.logging).
LOGGING = logging_config(env_str("LOG_FORMAT", "json"), env_str("LOG_LEVEL", "INFO"))
