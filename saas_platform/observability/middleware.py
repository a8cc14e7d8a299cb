"""Per-request observability: the request id, the request metrics, and the fields django-structlog's
``request_started`` / ``request_finished`` lines carry.

``RequestIdMiddleware`` (before django-structlog's ``RequestMiddleware`` and before tenant routing):

* request id: ``X-Request-ID`` when the peer is a trusted proxy (``TRUSTED_PROXIES``) and the value
  looks like an id, else a new UUID; written back into the request for django-structlog (which binds
  it to every log line and to the tasks this request enqueues) and returned as ``X-Request-ID``;
* ``baoxiu_http_requests_total{route,method,status}`` and
  ``baoxiu_http_request_duration_seconds{route}``: route is the URL pattern's name.

The receivers below add ``tenant`` (schema), ``host``, ``ip``, ``route``, ``user_kind`` and
``duration_ms`` to django-structlog's lines.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_structlog import signals as structlog_signals

from saas_platform.observability.metrics import REQUEST_SECONDS, REQUESTS
from tenants.client_ip import client_ip, is_trusted_proxy

REQUEST_ID_META = "HTTP_X_REQUEST_ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


def request_id_for(request: HttpRequest) -> str:
    upstream = str(request.META.get(REQUEST_ID_META) or "")
    if upstream and _REQUEST_ID.match(upstream) and is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return upstream
    return uuid.uuid4().hex


def route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return str(match.view_name or match.route or UNMATCHED)


def user_kind(request: HttpRequest) -> str:
    """anonymous / operator / staff / customer / user — from what the request already loaded
    (never an extra query just to log)."""
    user: Any = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    if getattr(connection, "schema_name", "public") == "public" and getattr(user, "is_superuser", False):
        return "operator"
    cached = getattr(getattr(user, "_state", None), "fields_cache", {})
    for kind in ("staff", "customer"):
        # The portals' access decorators set request.staff / request.customer.
        if getattr(request, kind, None) is not None or cached.get(kind) is not None:
            return kind
    return "user"


def tenant_of(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return str(getattr(tenant, "schema_name", "") or getattr(connection, "schema_name", "public"))


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        structlog.contextvars.clear_contextvars()  # nothing of the thread's previous request leaks in
        request_id = request_id_for(request)
        request.META[REQUEST_ID_META] = request_id
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        request._observability_started = started  # type: ignore[attr-defined]
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_name(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(route).observe(elapsed)
        response["X-Request-ID"] = request_id
        return response


@receiver(structlog_signals.bind_extra_request_metadata)
def _bind_request_start(request: HttpRequest, logger: Any, log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    structlog.contextvars.bind_contextvars(
        host=str(request.META.get("HTTP_HOST", "")).split(":")[0][:253], ip=client_ip(request)
    )


@receiver(structlog_signals.bind_extra_request_finished_metadata)
def _bind_request_finish(
    request: HttpRequest, logger: Any, response: HttpResponse, log_kwargs: dict[str, Any], **kwargs: Any
) -> None:
    started = getattr(request, "_observability_started", None)
    structlog.contextvars.bind_contextvars(tenant=tenant_of(request), user_kind=user_kind(request))
    log_kwargs["route"] = route_name(request)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)


@receiver(structlog_signals.bind_extra_request_failed_metadata)
def _bind_request_failure(
    request: HttpRequest, logger: Any, log_kwargs: dict[str, Any], **kwargs: Any
) -> None:
    structlog.contextvars.bind_contextvars(tenant=tenant_of(request), user_kind=user_kind(request))
    log_kwargs["route"] = route_name(request)


class TenantLogContextMiddleware:
    """Right after tenant routing: every later log line of the request, and every task it enqueues,
    carries the tenant's schema."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        structlog.contextvars.bind_contextvars(tenant=tenant_of(request))
        return self.get_response(request)
