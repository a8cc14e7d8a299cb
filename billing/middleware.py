"""Read-only console once the account has expired (or is suspended).

Unsafe requests (POST, PUT, PATCH, DELETE) to the console on a provider's host are refused with a
page that says why and links to 我的账户 — except the billing pages themselves, sign-in and sign-out,
so a provider can always pay its way back. Reading keeps working and nothing is deleted. The
customer portal and the API are not blocked here: customers keep following, confirming and rating
their existing orders, and new reports ask ``billing.entitlements.reporting_open`` (the portal then
shows the provider's phone instead of the report form).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from billing.entitlements import reporting_open, snapshot
from tenants.support import platform_contact

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
GUARDED_NAMESPACES = frozenset({"console"})
# console routes that stay writable: billing, and getting in and out.
ALWAYS_ALLOWED = frozenset({"console:login", "console:logout", "console:handoff"})
ALLOWED_PREFIX = "console:account"


class ExpiredReadOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        provider = getattr(request, "tenant", None)
        if provider is None or request.method in SAFE_METHODS:
            return None
        match = request.resolver_match
        if match is None or not set(match.namespaces) & GUARDED_NAMESPACES:
            return None
        if match.view_name in ALWAYS_ALLOWED or match.view_name.startswith(ALLOWED_PREFIX):
            return None
        if reporting_open(provider):
            return None
        data = snapshot(provider)
        return TemplateResponse(
            request,
            "billing/read_only.html",
            {
                "state": data["state"],
                "provider": provider,
                "suspended_reason": data.get("suspended_reason", ""),
                "contact": platform_contact(),
            },
            status=403,
        )
