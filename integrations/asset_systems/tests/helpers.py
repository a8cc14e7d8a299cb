"""Test helpers: plans, bindings to the fakes, signed webhook deliveries."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.db import connection

from accounts.models import StaffMember
from billing.entitlements import forget
from billing.models import BillingAccount, Plan
from integrations.asset_systems import services
from integrations.asset_systems.models import AdapterKind, AssetSystemBinding, AuthMode
from integrations.asset_systems.services import BindingInput, binding_defaults, webhook_signature
from integrations.asset_systems.tests.fakes import GenericFake, SnipeItFake


def current_schema() -> str:
    """The active schema (test client requests switch it; tests re-enter it afterwards)."""
    return str(getattr(connection, "schema_name", ""))


def set_plan(provider: Any, code: str) -> None:
    account = BillingAccount.objects.get(provider=provider)
    account.plan = Plan.objects.get(code=code)
    account.save()
    forget(provider.pk)


def bind_snipeit(
    admin: StaffMember,
    fake: SnipeItFake,
    *,
    enabled: bool = True,
    engineer: StaffMember | None = None,
    token: str | None = None,
    options: dict[str, Any] | None = None,
) -> AssetSystemBinding:
    defaults = binding_defaults(AdapterKind.SNIPEIT)
    binding = services.binding_save(
        actor=admin,
        data=BindingInput(
            name="Snipe-IT",
            kind=AdapterKind.SNIPEIT,
            base_url=fake.url,
            auth_mode=AuthMode.BEARER,
            secret=token if token is not None else fake.token,
            options=options if options is not None else defaults["options"],
            field_mapping=defaults["field_mapping"],
            status_mapping=defaults["status_mapping"],
            engineer=engineer,
        ),
    )
    if enabled:
        binding = services.binding_set_enabled(actor=admin, binding=binding, enabled=True)
    return binding


def bind_generic(
    admin: StaffMember,
    fake: GenericFake,
    *,
    enabled: bool = True,
    engineer: StaffMember | None = None,
    password: str | None = None,
    status_mapping: dict[str, str] | None = None,
) -> AssetSystemBinding:
    defaults = binding_defaults(AdapterKind.GENERIC)
    binding = services.binding_save(
        actor=admin,
        data=BindingInput(
            name="一葫芦",
            kind=AdapterKind.GENERIC,
            base_url=fake.url,
            auth_mode=AuthMode.PASSWORD,
            username=fake.account,
            secret=password if password is not None else fake.password,
            options=defaults["options"],
            field_mapping=defaults["field_mapping"],
            status_mapping=status_mapping if status_mapping is not None else defaults["status_mapping"],
            engineer=engineer,
        ),
    )
    if enabled:
        binding = services.binding_set_enabled(actor=admin, binding=binding, enabled=True)
    return binding


def signed_headers(
    binding: AssetSystemBinding, body: bytes, *, timestamp: int | None = None, delivery: str | None = None
) -> dict[str, Any]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return {
        "HTTP_X_BAOXIU_TIMESTAMP": stamp,
        "HTTP_X_BAOXIU_DELIVERY": delivery or secrets.token_hex(8),
        "HTTP_X_BAOXIU_SIGNATURE": webhook_signature(binding.webhook_secret, stamp, body),
    }


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
