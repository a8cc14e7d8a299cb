"""WeChat official accounts, notification delivery and map links.

Third-party platform (微信开放平台 第三方平台): on only when ``WECHAT_COMPONENT_APPID``,
``WECHAT_COMPONENT_SECRET``, ``WECHAT_COMPONENT_TOKEN`` and ``WECHAT_COMPONENT_AES_KEY`` are all set;
otherwise providers connect their account by pasting appid + secret (the fallback). Base URLs point
the real clients (wechatpy) at another server — the loopback fake in tests and benchmarks.

Secrets stored in the database (account secrets, refresh tokens) are encrypted with Fernet keyed
from ``FIELD_ENCRYPTION_KEY`` (a Fernet key; several, comma-separated, to rotate: the first
encrypts) or, when unset, a key derived from ``SECRET_KEY``.
"""

from __future__ import annotations

from saas_platform.settings.env import env_bool, env_int, env_list, env_optional, env_str
from saas_platform.settings.sms import TENCENT_SMS_TEMPLATES

FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEY", [])

WECHAT_COMPONENT_APPID = env_optional("WECHAT_COMPONENT_APPID") or ""
WECHAT_COMPONENT_SECRET = env_optional("WECHAT_COMPONENT_SECRET") or ""
WECHAT_COMPONENT_TOKEN = env_optional("WECHAT_COMPONENT_TOKEN") or ""
WECHAT_COMPONENT_AES_KEY = env_optional("WECHAT_COMPONENT_AES_KEY") or ""

WECHAT_API_BASE_URL = env_str("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/")
WECHAT_MP_BASE_URL = env_str("WECHAT_MP_BASE_URL", "https://mp.weixin.qq.com/")
WECHAT_OPEN_BASE_URL = env_str("WECHAT_OPEN_BASE_URL", "https://open.weixin.qq.com/")
WECHAT_HTTP_TIMEOUT_SECONDS = env_int("WECHAT_HTTP_TIMEOUT_SECONDS", 5)
# Public-schema records of the platform (component ticket, authorizer → provider routes), reached
# through a dotted path so the tenant app ``integrations`` never imports the public site.
WECHAT_PLATFORM_STORE = "saas_platform.wechat_platform"

# Notifications: retries with exponential backoff, then the sweeper (CELERY_BEAT_SCHEDULE).
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 30)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 3600)
NOTIFY_QUOTA_BACKOFF_SECONDS = env_int("NOTIFY_QUOTA_BACKOFF_SECONDS", 3600)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 120)
NOTIFY_SWEEP_HORIZON_HOURS = env_int("NOTIFY_SWEEP_HORIZON_HOURS", 48)
NOTIFY_EMAIL_FROM = env_optional("NOTIFY_EMAIL_FROM") or ""

# Tencent Maps route links in the engineer's dispatch notice (the key is the URI API's referer).
TENCENT_MAPS_KEY = env_optional("TENCENT_MAPS_KEY") or ""
TENCENT_MAPS_URI_BASE = env_str("TENCENT_MAPS_URI_BASE", "https://apis.map.qq.com/uri/v1/")

# Order notices by SMS (integrations.notifications.sms_templates): the approved Tencent template ids.
TENCENT_SMS_TEMPLATES.setdefault("order_notice", env_optional("TENCENT_SMS_TEMPLATE_ORDER_NOTICE") or "")
TENCENT_SMS_TEMPLATES.setdefault(
    "order_notice_en", env_optional("TENCENT_SMS_TEMPLATE_ORDER_NOTICE_EN") or ""
)
# Visitor notices (invitations, decisions, arrivals) have their own approved templates.
TENCENT_SMS_TEMPLATES.setdefault("visit_notice", env_optional("TENCENT_SMS_TEMPLATE_VISIT_NOTICE") or "")
TENCENT_SMS_TEMPLATES.setdefault(
    "visit_notice_en", env_optional("TENCENT_SMS_TEMPLATE_VISIT_NOTICE_EN") or ""
)

# E-mail notices (Django's mail backend): on when EMAIL_HOST is set or another backend is chosen.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_optional("EMAIL_HOST") or ""
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_optional("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_optional("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_optional("DEFAULT_FROM_EMAIL") or "noreply@localhost"
