"""Routes every request to the public site or to one provider's schema, by host.

Public hosts (``BASE_DOMAIN``, ``www.BASE_DOMAIN``) get the public urlconf with the public schema
active. Any other host must be a live Domain; unknown hosts get a 404 page, suspended providers a
notice page. The schema is reset to public before each request, so nothing carries over between
requests served by one thread.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils import translation

from tenants.domains import is_public_host, normalize_host, tenant_for_host
from tenants.support import platform_contact


class TenantRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        try:
            hostname = normalize_host(request.get_host())
        except DisallowedHost:
            return HttpResponseBadRequest("Bad Host header")

        if is_public_host(hostname):
            return self._public(request)

        provider = tenant_for_host(hostname)
        if provider is None and request.path.startswith("/internal/"):
            # Machine endpoints (the reverse proxy's TLS "ask") are called by internal hostnames.
            return self._public(request)
        if provider is None:
            return self._page(request, "tenants/unknown_host.html", {"hostname": hostname}, 404)
        if provider.is_suspended and not request.path.startswith("/internal/"):
            return self._page(
                request, "tenants/suspended.html", {"provider": provider, "contact": platform_contact()}, 503
            )

        request.tenant = provider  # type: ignore[attr-defined]
        connection.set_tenant(provider)  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]

    def _public(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _page(request: HttpRequest, template: str, context: dict[str, object], status: int) -> HttpResponse:
        # LocaleMiddleware has not run yet for these early answers; override (not activate) so the
        # language does not stay active on this thread after the response.
        with translation.override(translation.get_language_from_request(request)):
            response = render(request, template, context, status=status)
        response["Cache-Control"] = "no-store"
        return response
