"""Login throttling for every password form, built on django-axes.

Where attempts live: axes is a shared app, so its tables (``axes_accessattempt``, the audit logs
``axes_accesslog`` and ``axes_accessfailurelog``) exist once, in the public schema. A tenant's
connection searches ``<tenant>, public``, so the console login (tenant host), the operator login
(``/operator/``, public host) and the public ``/login/`` all count into the same tables.

How attempts are keyed: phone numbers are unique per provider, not across providers, so the
account key is ``<schema>:<username>`` (``acme:13800138000``, ``public:admin``). Failing at one
provider never locks the same phone out of another provider's console. The client address comes
from ``tenants.client_ip`` (trusted proxies only) and is counted across every tenant, so one
address spraying many providers is stopped too (``AXES_LOCKOUT_PARAMETERS``: username *or* address).

Forms that go through ``django.contrib.auth.authenticate`` (console, operator) are covered by
``AxesStandaloneBackend``; the public ``/login/`` checks passwords per provider schema without
``authenticate``, so it calls :func:`login_allowed` / :func:`login_failed` here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.client_ip import client_ip


class ThrottledBackend(AxesStandaloneBackend):
    """Refuses locked-out accounts and addresses on every ``authenticate(request, …)``. A call
    without a request (a management command, Django's test ``Client.login``) has no client to
    count and no form to guess through, so it passes to the next backend unchanged."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the platform's trusted-proxy-aware address
    (``tenants.client_ip``); None instead of its "unknown", which is no IP address for the
    audit tables."""
    address = client_ip(request)
    return None if address == "unknown" else address


def account_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the attempted account, qualified by the schema it belongs to."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    if not username:
        return None
    tenant = getattr(request, "tenant", None)
    schema = getattr(tenant, "schema_name", None) or getattr(
        connection, "schema_name", settings.PUBLIC_SCHEMA_NAME
    )
    return f"{schema}:{str(username).strip()[:200]}"


def cool_off_minutes() -> int:
    cool_off = get_cool_off() or timedelta(minutes=15)
    return max(1, int(cool_off.total_seconds() // 60))


def lockout_message() -> str:
    """The words a locked-out person reads (zh and en via our own catalog)."""
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed sign-ins for this account or from your network. "
        "Wait %(minutes)d minute and try again, or reset your password.",
        "Too many failed sign-ins for this account or from your network. "
        "Wait %(minutes)d minutes and try again, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 page that says what happened and when to try again."""
    body = render_to_string(
        "public/locked_out.html", {"message": lockout_message(), "title": _("Sign-in paused")}, request
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(cool_off_minutes() * 60)
    return response


def login_allowed(request: HttpRequest, *, username: str) -> bool:
    """For password checks outside ``authenticate``: may this account/address try now?"""
    return bool(AxesProxyHandler.is_allowed(request, {"username": username}))


def login_failed(request: HttpRequest, *, username: str) -> None:
    """Record a wrong password (an ``AccessAttempt`` and an ``AccessFailureLog`` audit row)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
