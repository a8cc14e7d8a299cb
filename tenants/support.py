"""How a provider reaches the platform operator (``PLATFORM_SUPPORT_PHONE`` / ``_EMAIL``), for the
pages that tell a provider the operator has acted on it: the suspended portal here, a suspended
billing account in ``billing``."""

from __future__ import annotations

from django.conf import settings


def platform_contact() -> dict[str, str]:
    return {
        "phone": str(getattr(settings, "PLATFORM_SUPPORT_PHONE", "") or ""),
        "email": str(getattr(settings, "PLATFORM_SUPPORT_EMAIL", "") or ""),
    }
