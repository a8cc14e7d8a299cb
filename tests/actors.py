"""The two tenants and three actors every tenant-facing test uses, and signed-in clients for them.

- ``owner_a``: the admin who signed tenant A up;
- ``engineer_a``: a staff member of A without admin rights;
- ``outsider``: the admin of tenant B, who must never reach A's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import StaffMember, StaffRole
from accounts.services import staff_create
from tenants.models import Provider
from tenants.services import OwnerSpec, provider_provision

PASSWORD = "secret-123"


@dataclass
class Actors:
    tenant_a: Provider
    tenant_b: Provider
    owner_a: StaffMember
    engineer_a: StaffMember
    outsider: StaffMember


def public_host() -> str:
    return str(settings.BASE_DOMAIN)


def host_of(provider: Provider) -> str:
    return provider.domains.get(is_primary=True).domain


def _ensure(name: str, subdomain: str, phone: str) -> Provider:
    existing = Provider.objects.filter(name=name).first()
    if existing:
        return existing
    return provider_provision(name=name, subdomain=subdomain, owner=OwnerSpec(phone=phone, password=PASSWORD))


def make_actors() -> Actors:
    tenant_a = _ensure("甲维修服务中心 Tenant A", "tenant-a", "13800000001")
    tenant_b = _ensure("乙售后服务 Tenant B", "tenant-b", "13900000002")
    with schema_context(tenant_a.schema_name):
        owner_a = StaffMember.objects.get(is_owner=True)
        engineer_a = StaffMember.objects.filter(phone="+8613800000011").first() or staff_create(
            phone="13800000011", password=PASSWORD, role=StaffRole.ENGINEER, display_name="工程师小王"
        )
    with schema_context(tenant_b.schema_name):
        outsider = StaffMember.objects.get(is_owner=True)
    return Actors(tenant_a, tenant_b, owner_a, engineer_a, outsider)


def client_for(provider: Provider, staff: StaffMember | None = None, *, host: str | None = None) -> Client:
    """A client on ``host`` (default: the provider's own host), signed in as ``staff`` in the
    schema ``staff`` belongs to. Sending one tenant's session to another host is how isolation
    tests impersonate a cross-tenant attacker."""
    client = Client(HTTP_HOST=host or host_of(provider))
    if staff is not None:
        with schema_context(provider.schema_name):
            user: Any = get_user_model().objects.get(pk=staff.user_id)
            client.force_login(user)
    return client
