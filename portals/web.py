"""Small helpers shared by the portal and console views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from integrations.sms.codes import CodeRefused, code_send, code_verify
from tenants.client_ip import client_ip as platform_client_ip
from tenants.domains import portal_url


def current_schema() -> str:
    """The active tenant schema: the scope of SMS codes and one-time tickets."""
    return str(getattr(connection, "schema_name", "public"))


def client_ip(request: HttpRequest) -> str | None:
    """The address that SMS daily limits count against: the platform's one trusted-proxy-aware
    resolver (``TRUSTED_PROXIES``), never a header a client could forge."""
    address = platform_client_ip(request)
    return None if address == "unknown" else address


def add_service_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field,
    at the top otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def safe_next(request: HttpRequest, default: str) -> str:
    """``next`` from the query or form when it points at this host, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` on the provider's primary host (the link people keep, e.g. in a text or a QR)."""
    tenant: Any = getattr(request, "tenant", None)
    host = (tenant.primary_host if tenant is not None else "") or request.get_host().split(":")[0]
    return portal_url(host, path)


def send_code_for_form(request: HttpRequest, form: forms.Form, *, purpose: str) -> bool:
    """The "send me a code" button of a phone + code form. Only the phone matters for this step,
    so the form's other errors are not shown yet. The code is bound to this provider's schema."""
    form.errors.clear()
    try:
        code_send(
            phone=request.POST.get("phone", ""),
            purpose=purpose,
            scope=current_schema(),
            ip=client_ip(request),
        )
    except CodeRefused as exc:
        form.add_error("phone" if exc.reason == "invalid_phone" else None, exc.messages)
        return False
    return True


def verify_code_for_form(form: forms.Form, *, purpose: str) -> bool:
    """Checks (and uses up) the code typed into a valid phone + code form; False with the reason
    on the code field otherwise."""
    try:
        code_verify(
            phone=form.cleaned_data["phone"],
            purpose=purpose,
            scope=current_schema(),
            code=form.cleaned_data.get("code") or "",
        )
    except CodeRefused as exc:
        form.add_error("code", exc.messages)
        return False
    return True
