"""Writes of the public site: provider signup (服务商入驻) and who may sign in where."""

from __future__ import annotations

from integrations.sms.codes import code_spent_on_success
from tenants.models import Provider
from tenants.selectors import providers_for_phone
from tenants.services import OwnerSpec, provider_provision, staff_password_check


def provider_signup(*, phone: str, code: str, name: str, subdomain: str, password: str) -> Provider:
    """Verify the signup SMS code, then provision the provider with ``phone`` as its owner.

        The form has already validated every field; the code is checked last so that a typo elsewhere
        never burns it. Provisioning is all or nothing (``provider_provision``): if it fails, no
        provider, domain, schema, owner or directory entry exists afterwards. Raises ``CodeRefused`` or
        ``ProvisioningError`` (both ValidationErrors). The code is consumed only once the provider is
    committed: a signup that loses a race for the name or subdomain can retry with the same code."""
    with code_spent_on_success(phone=phone, purpose="signup", scope="public", code=code):
        return provider_provision(
            name=name, subdomain=subdomain, owner=OwnerSpec(phone=phone, password=password)
        )


def providers_signing_in(*, phone: str, password: str) -> list[Provider]:
    """The providers where ``phone`` is an active user with ``password``. Visits only the schemas
    the staff directory lists for this phone, never every tenant."""
    return [
        provider
        for provider in providers_for_phone(phone=phone)
        if staff_password_check(provider=provider, phone=phone, password=password)
    ]
