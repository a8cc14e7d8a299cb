"""Base settings shared by every environment.

Environment variables (all optional here; ``production`` requires some):
``DATABASE_URL`` (unset → embedded PostgreSQL under ``var/pg``), ``REDIS_URL`` (unset → tasks run
in-process and periodic jobs run on a thread), ``BASE_DOMAIN`` (default ``localhost``),
``SECRET_KEY``, ``DEBUG``, ``S3_BUCKET``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from saas_platform.embedded_pg import embedded_database_url
from saas_platform.settings.env import env_bool, env_db, env_db_url, env_int, env_list, env_optional, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("BAOXIU_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("DEBUG", True)

# --- Hosts and tenancy -------------------------------------------------------------------------
BASE_DOMAIN = env_str("BASE_DOMAIN", "localhost").lower().strip(".")
# Hosts that serve the shared public site (landing, signup, operator console).
PUBLIC_HOSTS = [BASE_DOMAIN, f"www.{BASE_DOMAIN}", *env_list("EXTRA_PUBLIC_HOSTS", ["127.0.0.1"])]
# Custom domains are arbitrary hostnames, so the tenant middleware (not ALLOWED_HOSTS) decides
# which hosts exist; it answers 404 for unknown ones.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])
PORTAL_SCHEME = env_str("PORTAL_SCHEME", "http")
PORTAL_PORT = env_str("PORTAL_PORT", "8000")  # shown in links; empty in production

TENANT_MODEL = "tenants.Provider"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
TENANT_TEMPLATE_SCHEMA = "tenant_template"
TENANT_SPARE_POOL_SIZE = env_int("TENANT_SPARE_POOL_SIZE", 3)
TENANT_CACHE_SECONDS = env_int("TENANT_CACHE_SECONDS", 300)
# Seeders run inside a new tenant's schema, in order, in the provisioning transaction.
TENANT_SEEDERS = [
    "accounts.seed.create_owner",
    "accounts.seed.create_defaults",
    "repair_forms.seed.create_form_templates",
]
# Hooks run on the public schema in the provisioning transaction (e.g. the billing account).
PROVIDER_PROVISIONED_HOOKS: list[str] = ["billing.services.account_open"]
# Billing reminders are recorded by billing and delivered (SMS, email) by this tenant-side function.
BILLING_REMINDER_DELIVERY = "integrations.billing_reminders.deliver"

SHARED_APPS = [
    "tenants",  # first: its migrate/migrate_schemas commands take precedence
    "django_tenants",
    "saas_platform",
    "django_structlog",  # structured request/task logs (saas_platform.observability)
    "billing",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",  # login attempts and their audit rows live once, in public (saas_platform.login_throttle)
]
TENANT_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "accounts",
    "repair_forms",
    "integrations",
    "integrations.asset_systems",
    "visitors",
    "portals",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter", "tenants.guards.TenantSchemaGuardRouter"]

MIDDLEWARE = [
    "saas_platform.health.HealthMiddleware",  # /healthz, /readyz, /metrics on any Host, before routing
    "saas_platform.observability.middleware.RequestIdMiddleware",  # X-Request-ID, request metrics
    "django_structlog.middlewares.RequestMiddleware",  # request_started/finished log lines
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (settings/security.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files never touch tenant routing
    "tenants.middleware.TenantRoutingMiddleware",
    "saas_platform.observability.middleware.TenantLogContextMiddleware",  # tenant on every log line
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "saas_platform.input_guard.RejectNulInputMiddleware",  # NUL in any input: 400, never a DataError
    "django.middleware.common.CommonMiddleware",
    "portals.api.method_override.MethodOverrideMiddleware",  # wx.request has no PATCH: POST + override
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.signed_in.CachedAuthenticationMiddleware",  # user + customer from the cache, per tenant
    "integrations.wechat.middleware.WeChatSilentLoginMiddleware",  # portal inside WeChat: silent sign-in
    "billing.middleware.ExpiredReadOnlyMiddleware",  # console read-only once billing expired
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 page
]

ROOT_URLCONF = "saas_platform.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "saas_platform.urls_public"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saas_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saas_platform.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "saas_platform.wsgi.application"
ASGI_APPLICATION = "saas_platform.asgi.application"

# --- Database --------------------------------------------------------------------------------------
_db = env_db("DATABASE_URL")
if _db is None:
    _db = env_db_url("embedded", embedded_database_url(VAR_DIR / "pg"))
    EMBEDDED_DATABASE = True
else:
    EMBEDDED_DATABASE = False
_db["ENGINE"] = "django_tenants.postgresql_backend"
_db.setdefault("CONN_MAX_AGE", env_int("DB_CONN_MAX_AGE", 60))
_db["CONN_HEALTH_CHECKS"] = True
# django-tenants sends `SET search_path` before every statement unless told to send it only when
# the schema changes. That is safe here: the tenant is set once per request (and reset by
# schema_context), PostgreSQL reverts a SET on ROLLBACK / ROLLBACK TO SAVEPOINT, and django-tenants
# 4.0.1 forgets its cached path on both (tenants/tests/test_search_path.py proves it, with two
# tenants interleaved on one connection). It needs a server connection per client session:
# PgBouncer in session mode, never transaction mode (deploy/README).
TENANT_LIMIT_SET_CALLS = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (tenant routing, rate limits); Redis when configured ----------------------------------
REDIS_URL = env_optional("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            # Fail-soft: a Redis outage degrades to the database, never a 500 (tenants.cache_backend).
            "BACKEND": "tenants.cache_backend.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "baoxiu"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    # One process without Redis: hold every tenant host (the default 300 entries would thrash routing).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "baoxiu",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# --- Auth --------------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies any older hashes, then upgrades them
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
# Sessions read from the cache (keyed by schema), written through to the schema's table.
SESSION_ENGINE = "tenants.session_store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- I18n ----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS: list[str] = []  # each app keeps its own <app>/locale/zh_Hans catalog
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media (served by the app: no CDN, works inside WeChat) -----------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "saas_platform" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True

# --- API -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portals.api.authentication.BearerTokenAuthentication",  # mini-program (Authorization: Bearer)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baoxiu API",
    "DESCRIPTION": "报修 Baoxiu tenant API: portal and console actions for mini-program and mobile clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its 400/401/403/404/409/429 with the shared error body.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portals.api.schema_hooks.document_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}, "django.db.backends": {"level": "INFO"}},
}

from saas_platform.settings.asset_sync import *  # noqa: E402,F403
from saas_platform.settings.celery import *  # noqa: E402,F403
from saas_platform.settings.domains import *  # noqa: E402,F403
from saas_platform.settings.observability import *  # noqa: E402,F403
from saas_platform.settings.security import *  # noqa: E402,F403
from saas_platform.settings.sms import *  # noqa: E402,F403
from saas_platform.settings.storage import *  # noqa: E402,F403
from saas_platform.settings.stripe import *  # noqa: E402,F403
from saas_platform.settings.support import *  # noqa: E402,F403
from saas_platform.settings.wechat import *  # noqa: E402,F403
from saas_platform.settings.wechatpay import *  # noqa: E402,F403
