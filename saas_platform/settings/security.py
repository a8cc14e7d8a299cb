"""Login throttling (django-axes) and the password policy.

Every value an operator may tune is an environment variable; README's "Security" section lists
them. Attempts are keyed per provider + account and per client address
(``saas_platform.login_throttle``)."""

from __future__ import annotations

from datetime import timedelta

from csp.constants import NONCE, NONE, SELF

from saas_platform.settings.env import env_int

AUTHENTICATION_BACKENDS = [
    "saas_platform.login_throttle.ThrottledBackend",  # first: refuses locked-out accounts/addresses
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)  # wrong passwords per account or address
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one audit row per failed attempt (public schema)
AXES_CLIENT_IP_CALLABLE = "saas_platform.login_throttle.axes_client_ip"  # tenants.client_ip
AXES_USERNAME_CALLABLE = "saas_platform.login_throttle.account_key"
AXES_LOCKOUT_CALLABLE = "saas_platform.login_throttle.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2"]

PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "saas_platform.password_validation.PasswordMinimumLength",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    # Django's own wording for these two has zh-hans translations.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# --- Content-Security-Policy (django-csp) --------------------------------------------------------
# Every static file is served by the app (no CDN), so 'self' covers scripts and styles. No inline
# script runs without the per-request nonce (``{{ request.csp_nonce }}``); inline event handlers
# are not allowed at all. Styles keep 'unsafe-inline' (htmx's indicator style, a few style
# attributes); scripts never do. The embed window replaces frame-ancestors with the provider's
# allowed origins (portals.customer.embed_views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
    }
}

# --- 快捷报修 lookups by machine number or serial (portals.asset_lookup) ----------------------------
ASSET_LOOKUP_LIMITS = {
    "customer": (env_int("ASSET_LOOKUP_PER_CUSTOMER_HOURLY", 30), 3600),
    "address": (env_int("ASSET_LOOKUP_PER_ADDRESS_HOURLY", 60), 3600),
}

# Seconds a signed WeChat callback stays valid; each signature set is remembered (accepted once).
WECHAT_CALLBACK_MAX_AGE = env_int("WECHAT_CALLBACK_MAX_AGE", 300)
