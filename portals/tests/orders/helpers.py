"""Clients and small readers for the order screens' tests."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import Customer, StaffMember
from tests.actors import host_of


def signed_in(
    provider: Any, person: Customer | StaffMember | None, *, api: bool = False, **extra: Any
) -> Any:
    """A client on ``provider``'s host signed in as ``person`` (a customer or a staff member of
    that provider); anonymous when ``person`` is None. ``api``: a DRF APIClient."""
    client: Any = (APIClient if api else Client)(HTTP_HOST=host_of(provider), **extra)
    if person is not None:
        with schema_context(provider.schema_name):
            client.force_login(get_user_model().objects.get(pk=person.user_id))
    return client


def text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return re.sub(r"\s+", " ", body.decode())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def expire_billing(provider: Any) -> None:
    """Close reporting the real way: the provider's billing account has expired."""
    from billing.entitlements import forget
    from billing.models import AccountState, BillingAccount

    BillingAccount.objects.filter(provider_id=provider.pk).update(state=AccountState.EXPIRED)
    forget(provider.pk)


def set_provider(provider: Any, **values: Any) -> None:
    """Change the provider's service settings (ratings, free-form reporting, SLA and urge hours)."""
    from accounts.models import SETTINGS_CACHE, ProviderSettings
    from tenants.tenant_cache import forget

    with schema_context(provider.schema_name):
        ProviderSettings.objects.get_or_create(pk=1)
        ProviderSettings.objects.filter(pk=1).update(**values)
        forget(SETTINGS_CACHE)  # an update() bypasses the model's save, which forgets it


def report_data(cast: Any, **overrides: Any) -> dict[str, Any]:
    """The default (简单报修单) form as the portal posts it."""
    brand, category, model = cast.catalog
    data = {
        "f_machine__brand": str(brand.pk),
        "f_machine__category": str(category.pk),
        "f_machine__model": str(model.pk),
        "f_fault_description": "不能打印",
        "f_service_type": "repair",
        "action": "submit",
    }
    data.update(overrides)
    return data
