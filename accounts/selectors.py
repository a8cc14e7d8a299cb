"""Reads for people and the provider's own configuration."""

from __future__ import annotations

from typing import Any

from accounts.models import Customer, ProviderProfile, ProviderSettings, StaffMember


def staff_for_user(*, user: Any) -> StaffMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return StaffMember.objects.filter(user_id=user.pk, is_active=True).first()


def customer_for_user(*, user: Any) -> Customer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Customer.objects.select_related("company").filter(user_id=user.pk).first()


def provider_settings() -> ProviderSettings:
    """The active tenant's settings (the seeder creates the row; created here if ever missing)."""
    return ProviderSettings.objects.get_or_create(pk=1)[0]


def provider_profile() -> ProviderProfile:
    return ProviderProfile.objects.get_or_create(pk=1)[0]
