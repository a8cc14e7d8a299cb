"""Per-tenant seeding for accounts: the provider's first admin (the owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import ProviderProfile, ProviderSettings, StaffRole
from accounts.services import staff_create

if TYPE_CHECKING:
    from tenants.models import Provider
    from tenants.services import OwnerSpec


def create_defaults(*, provider: Provider, owner: OwnerSpec) -> None:
    """The provider's profile and service settings with their defaults."""
    ProviderProfile.objects.get_or_create(pk=1, defaults={"contact_phone": owner.phone})
    ProviderSettings.objects.get_or_create(pk=1)


def create_owner(*, provider: Provider, owner: OwnerSpec) -> None:
    staff_create(
        phone=owner.phone,
        password=owner.password,
        role=StaffRole.ADMIN,
        display_name=owner.name,
        is_owner=True,
    )
