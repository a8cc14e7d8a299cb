"""Machine endpoints under ``/internal/`` (both urlconfs; any Host, see tenants.middleware)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tenants.domains import hostname_is_live


@never_cache
@require_GET
def tls_ask(request: HttpRequest) -> HttpResponse:
    """Caddy's on-demand TLS "ask": 200 only for a live domain, 404 otherwise."""
    if hostname_is_live(request.GET.get("domain", "")):
        return HttpResponse("ok\n", content_type="text/plain")
    return HttpResponse("unknown domain\n", status=404, content_type="text/plain")
