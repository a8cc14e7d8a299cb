"""How providers reach the platform operator: shown wherever the operator has acted on a provider
(a suspended portal, a suspended billing account). ``PLATFORM_SUPPORT_PHONE`` and
``PLATFORM_SUPPORT_EMAIL``; either may be empty (an empty one is not shown)."""

from __future__ import annotations

from saas_platform.settings.env import env_str

PLATFORM_SUPPORT_PHONE = env_str("PLATFORM_SUPPORT_PHONE", "")
PLATFORM_SUPPORT_EMAIL = env_str(
    "PLATFORM_SUPPORT_EMAIL", f"support@{env_str('BASE_DOMAIN', 'localhost').lower().strip('.')}"
)
