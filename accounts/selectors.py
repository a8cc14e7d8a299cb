"""Reads for people and the provider's own configuration."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from accounts.models import (
    SETTINGS_CACHE,
    Customer,
    CustomerCompany,
    ProviderProfile,
    ProviderSettings,
    StaffMember,
    StaffStatus,
    profile_cache_key,
)
from accounts.signed_in import CUSTOMER_ATTR, UNKNOWN
from tenants.tenant_cache import cached_for_tenant


def staff_for_user(*, user: Any) -> StaffMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return StaffMember.objects.filter(user_id=user.pk, is_active=True).first()


def customer_for_user(*, user: Any) -> Customer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    known = getattr(user, CUSTOMER_ATTR, UNKNOWN)  # loaded with the request's user (signed_in)
    if known is not UNKNOWN:
        return known
    return Customer.objects.select_related("company").filter(user_id=user.pk).first()


def provider_settings() -> ProviderSettings:
    """The active tenant's settings (the seeder creates the row; created here if ever missing).
    Read on most pages and every submit's answer, so through the per-tenant cache; saving the row
    (``ProviderSettings.save``) forgets it. Writers lock the row themselves, never this copy."""
    return cached_for_tenant(SETTINGS_CACHE, _provider_settings_row)


def _provider_settings_row() -> ProviderSettings:
    return ProviderSettings.objects.get_or_create(pk=1)[0]


def provider_profile() -> ProviderProfile:
    return ProviderProfile.objects.get_or_create(pk=1)[0]


def provider_profile_cached() -> ProviderProfile:
    """``provider_profile()`` for read-only pages, through the cache (dropped on every save)."""
    key = profile_cache_key()
    profile = cache.get(key)
    if not isinstance(profile, ProviderProfile):
        profile = provider_profile()
        cache.set(key, profile, 3600)
    return profile


# --- Console lists. The schema already scopes everything to one provider; the actor's role is
# checked by the view (portals.access) and the services. --------------------------------------


def staff_list(*, actor: StaffMember) -> QuerySet[StaffMember]:
    """Everyone, those needing attention first: awaiting approval, invited, active, then the rest."""
    order = Case(
        When(status=StaffStatus.PENDING, then=Value(0)),
        When(status=StaffStatus.INVITED, then=Value(1)),
        When(status=StaffStatus.ACTIVE, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return StaffMember.objects.annotate(attention=order).order_by("attention", "-is_owner", "created_at")


def staff_get(*, actor: StaffMember, pk: int) -> StaffMember | None:
    return StaffMember.objects.select_related("user").filter(pk=pk).first()


def staff_pending_count(*, actor: StaffMember) -> int:
    return StaffMember.objects.filter(status=StaffStatus.PENDING).count()


def engineer_join_token_valid(*, token: str) -> bool:
    return bool(token) and ProviderSettings.objects.filter(pk=1, engineer_join_token=token).exists()


def company_list(*, actor: StaffMember, search: str = "") -> QuerySet[CustomerCompany]:
    companies = CustomerCompany.objects.annotate(
        member_count=Count("members", distinct=True),
        manager_count=Count("members", filter=Q(members__is_company_manager=True), distinct=True),
    )
    search = (search or "").strip()
    if search:
        companies = companies.filter(
            Q(name__icontains=search)
            | Q(contact_person__icontains=search)
            | Q(contact_phone__icontains=search)
        )
    return companies.order_by("-is_active", "name")


def company_get(*, actor: StaffMember, pk: int) -> CustomerCompany | None:
    return CustomerCompany.objects.filter(pk=pk).first()


def company_members(*, actor: StaffMember, company: CustomerCompany) -> QuerySet[Customer]:
    return Customer.objects.filter(company=company).order_by("-is_company_manager", "name", "phone")


def company_for_registration(*, token: str) -> CustomerCompany | None:
    """The active company whose exclusive QR code carries ``token`` (None once regenerated)."""
    if not token:
        return None
    return CustomerCompany.objects.filter(registration_token=token, is_active=True).first()
