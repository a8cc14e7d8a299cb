"""SMS: backend, verification-code limits, Tencent Cloud SMS credentials.

``SMS_BACKEND``: ``dev`` (default: records every message in the SMS log and prints it to the
console) or ``tencent``. With ``tencent``, ``TENCENT_SMS_SECRET_ID``, ``TENCENT_SMS_SECRET_KEY``,
``TENCENT_SMS_SDK_APP_ID``, ``TENCENT_SMS_SIGN_NAME`` and ``TENCENT_SMS_TEMPLATE_VERIFY_CODE`` are
required (secrets from the environment or ``*_FILE`` only); ``TENCENT_SMS_REGION`` and
``TENCENT_SMS_ENDPOINT`` have defaults.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from saas_platform.settings.env import env_int, env_optional, env_str

SMS_BACKEND = env_str("SMS_BACKEND", "dev")
if SMS_BACKEND not in {"dev", "tencent"} and "." not in SMS_BACKEND:
    raise ImproperlyConfigured(f"SMS_BACKEND must be 'dev' or 'tencent', got {SMS_BACKEND!r}.")
# Every message (any backend) is recorded through this hook in the public-schema SMS log.
SMS_LOG_SINK = "saas_platform.sms_log.record"

SMS_CODE_TTL_SECONDS = env_int("SMS_CODE_TTL_SECONDS", 300)
SMS_CODE_RESEND_SECONDS = env_int("SMS_CODE_RESEND_SECONDS", 60)
SMS_CODE_MAX_ATTEMPTS = env_int("SMS_CODE_MAX_ATTEMPTS", 5)
SMS_DAILY_LIMIT_PER_PHONE = env_int("SMS_DAILY_LIMIT_PER_PHONE", 10)
SMS_DAILY_LIMIT_PER_IP = env_int("SMS_DAILY_LIMIT_PER_IP", 30)
# Across every provider and the public site (a stranger on one portal cannot lock a phone out elsewhere).
SMS_DAILY_LIMIT_PER_PHONE_PLATFORM = env_int("SMS_DAILY_LIMIT_PER_PHONE_PLATFORM", 40)
SMS_DAILY_LIMIT_PER_SCOPE = env_int("SMS_DAILY_LIMIT_PER_SCOPE", 2000)  # per provider (or public) a day
# From this share of the tightest daily cap on, the public site asks for a proof of work first.
SMS_CHALLENGE_FROM = env_int("SMS_CHALLENGE_FROM_PERCENT", 50) / 100
SMS_CHALLENGE_BITS = env_int("SMS_CHALLENGE_BITS", 16)

TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_SECRET_ID = env_optional("TENCENT_SMS_SECRET_ID") or ""
TENCENT_SMS_SECRET_KEY = env_optional("TENCENT_SMS_SECRET_KEY") or ""
TENCENT_SMS_SDK_APP_ID = env_optional("TENCENT_SMS_SDK_APP_ID") or ""
TENCENT_SMS_SIGN_NAME = env_optional("TENCENT_SMS_SIGN_NAME") or ""
TENCENT_SMS_TIMEOUT_SECONDS = env_int("TENCENT_SMS_TIMEOUT_SECONDS", 10)
# Our template name → the id of the template approved in the Tencent console.
TENCENT_SMS_TEMPLATES = {
    "verify_code": env_optional("TENCENT_SMS_TEMPLATE_VERIFY_CODE") or "",
    # Console staff notices; unset → that notice fails to send and the console says so.
    "staff_invite": env_optional("TENCENT_SMS_TEMPLATE_STAFF_INVITE") or "",
    "engineer_approved": env_optional("TENCENT_SMS_TEMPLATE_ENGINEER_APPROVED") or "",
    "engineer_rejected": env_optional("TENCENT_SMS_TEMPLATE_ENGINEER_REJECTED") or "",
    # Billing reminders; unset → the SMS fails and the reminder goes by email only.
    "billing_ending": env_optional("TENCENT_SMS_TEMPLATE_BILLING_ENDING") or "",
    "billing_ended": env_optional("TENCENT_SMS_TEMPLATE_BILLING_ENDED") or "",
    "billing_expired": env_optional("TENCENT_SMS_TEMPLATE_BILLING_EXPIRED") or "",
}

if SMS_BACKEND == "tencent":
    for _name, _value in {
        "TENCENT_SMS_SECRET_ID": TENCENT_SMS_SECRET_ID,
        "TENCENT_SMS_SECRET_KEY": TENCENT_SMS_SECRET_KEY,
        "TENCENT_SMS_SDK_APP_ID": TENCENT_SMS_SDK_APP_ID,
        "TENCENT_SMS_SIGN_NAME": TENCENT_SMS_SIGN_NAME,
        "TENCENT_SMS_TEMPLATE_VERIFY_CODE": TENCENT_SMS_TEMPLATES["verify_code"],
    }.items():
        if not _value:
            raise ImproperlyConfigured(f"SMS_BACKEND=tencent needs the {_name} environment variable.")
