"""The provider's people. A staff member is a Django user (username = E.164 phone) plus a role; an
end customer is a separate Django user (username ``customer:<phone>``) so that an SMS-code sign-in
on the portal can never open the console of a staff member who has the same phone number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    SUPERVISOR = "supervisor", _("Supervisor")
    ENGINEER = "engineer", _("Engineer")
    GUARD = "guard", _("Gate guard")  # visitors: checks passes at the gate, sees who is on site


class StaffStatus(models.TextChoices):
    """Where a staff member stands. Only ``active`` members may sign in (``is_active`` mirrors it)."""

    INVITED = "invited", _("Invited")  # an admin invited them; they have not set a password yet
    PENDING = "pending", _("Awaiting approval")  # a self-registered engineer
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Active")
    DEACTIVATED = "deactivated", _("Deactivated")


class StaffMember(models.Model):
    """Invariant (a database constraint): ``is_active`` is true exactly when ``status`` is active,
    and the Django user's ``is_active`` follows it (accounts.services keep both in step)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    is_owner = models.BooleanField(_("owner"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StaffStatus.choices, default=StaffStatus.ACTIVE
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    region = models.CharField(_("service region"), max_length=100, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(is_active=True, status="active")
                    | (models.Q(is_active=False) & ~models.Q(status="active"))
                ),
                name="staff_active_iff_status_active",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.phone


def _default_star_descriptions() -> dict[str, str]:
    return {"1": "很差", "2": "较差", "3": "一般", "4": "满意", "5": "非常满意"}


def _default_rating_tags() -> list[str]:
    return ["很不错", "技术好", "态度很好", "响应快", "望改进"]


class ProviderProfile(models.Model):
    """我的信息: what the customer portal shows about the provider. One row per schema.
    The provider's name lives on ``tenants.Provider`` and is read-only after signup."""

    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    about = models.TextField(_("about"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("provider profile")

    def __str__(self) -> str:
        return self.contact_person or "profile"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        key = profile_cache_key()
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))


# The per-tenant cache entry (``tenants.tenant_cache``) of ``selectors.provider_settings``.
SETTINGS_CACHE = "provider-settings"


def profile_cache_key() -> str:
    """The portal home shows the profile on every visit, so it is cached per tenant schema."""
    return f"accounts:provider-profile:v1:{getattr(connection, 'schema_name', '')}"


class ProviderSettings(models.Model):
    """设置: how this provider's service behaves. One row per schema (``selectors.provider_settings``)."""

    ratings_enabled = models.BooleanField(_("customers may rate completed orders"), default=True)
    free_form_reporting_enabled = models.BooleanField(
        _("customers may report without a serial number"), default=True
    )
    star_descriptions = models.JSONField(
        _("description of each star level"), default=_default_star_descriptions
    )
    rating_tags = models.JSONField(_("rating tags"), default=_default_rating_tags)
    waiting_sla_hours = models.PositiveIntegerField(
        _("hours to accept an order before it is overdue"), default=2
    )
    repair_sla_hours = models.PositiveIntegerField(_("hours to complete an accepted order"), default=48)
    urge_after_hours = models.PositiveIntegerField(_("hours after which a customer may urge"), default=2)
    auto_confirm_days = models.PositiveIntegerField(
        _("days after which completion confirms itself"), default=7
    )
    embed_allowed_origins = models.JSONField(_("sites allowed to embed the login window"), default=list)
    # Engineer self-registration link (MangoIT): empty = switched off; regenerating kills old QR codes.
    engineer_join_token = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service settings")

    def __str__(self) -> str:
        return "settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from tenants.tenant_cache import forget

        super().save(*args, **kwargs)
        forget(SETTINGS_CACHE)  # ``selectors.provider_settings``


class CustomerCompany(models.Model):
    """客户公司: a customer organisation with managers and an exclusive registration QR code."""

    name = models.CharField(_("company name"), max_length=120, unique=True)
    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    registration_token = models.CharField(max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer company")
        verbose_name_plural = _("customer companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """An end customer who reports faults. Signs in with phone + SMS code (username
    ``customer:<phone>``, never the staff login of the same phone)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer")
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60, blank=True)
    company = models.ForeignKey(
        CustomerCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    is_company_manager = models.BooleanField(_("company manager"), default=False)
    wechat_openid = models.CharField(max_length=64, null=True, blank=True, unique=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or self.phone
