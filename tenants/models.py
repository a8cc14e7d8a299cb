"""Provider (the tenant) and its domains, plus the pool of pre-migrated spare schemas."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants.reserved import RESERVED_SUBDOMAINS

SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28}[a-z0-9])$")


def validate_subdomain(value: str) -> None:
    if not SUBDOMAIN_RE.match(value or ""):
        raise ValidationError(
            _(
                "A subdomain is 3–30 lowercase letters, digits or hyphens, and starts and ends with "
                "a letter or digit."
            ),
            code="invalid",
        )
    if value in RESERVED_SUBDOMAINS or value.startswith("xn--"):
        raise ValidationError(_("This subdomain is reserved."), code="reserved")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Provider(TenantMixin):
    """A service provider (服务商). Its ``name`` is unique and can never change after signup."""

    name = models.CharField(_("provider name"), max_length=80, unique=True)
    owner_phone = models.CharField(_("owner phone"), max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=ProviderStatus.choices, default=ProviderStatus.ACTIVE
    )
    suspended_reason = models.CharField(_("suspension reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Schemas are created by tenants.services.provider_provision (clone/rename), never by save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("name", flat=True).first()
            if stored is not None and stored != self.name:
                raise ValidationError(_("A provider's name cannot be changed after signup."))
        super().save(*args, **kwargs)

    @property
    def is_suspended(self) -> bool:
        return self.status == ProviderStatus.SUSPENDED

    @property
    def primary_host(self) -> str:
        domain = self.domains.filter(is_primary=True).first()
        return domain.domain if domain else ""


class DomainKind(models.TextChoices):
    SUBDOMAIN = "subdomain", _("Subdomain")
    CUSTOM = "custom", _("Custom domain")


class Domain(DomainMixin):
    """A live hostname that routes to a provider. Requests for new ones live elsewhere."""

    kind = models.CharField(max_length=16, choices=DomainKind.choices, default=DomainKind.SUBDOMAIN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = (self.domain or "").strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class SpareSchema(models.Model):
    """A pre-migrated, empty schema waiting to become a tenant by ``ALTER SCHEMA … RENAME``.

    ``fingerprint`` is the template's migration fingerprint when the spare was made; a spare whose
    fingerprint differs from the template's is stale and is never handed out.
    """

    name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
