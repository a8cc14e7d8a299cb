from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "BASE_DOMAIN": settings.BASE_DOMAIN,
        "current_provider": getattr(request, "tenant", None),
    }
