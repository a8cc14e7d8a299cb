"""Provider (the tenant) and its domains, plus the pool of pre-migrated spare schemas."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name

from tenants.dns_zone import host_record, zone_of
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

    # TenantMixin's field, restated only to give the operator console its label.
    schema_name = models.CharField(
        _("schema name"), max_length=63, unique=True, db_index=True, validators=[_check_schema_name]
    )
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

    # DomainMixin's fields, restated only to give the operator console their labels.
    domain = models.CharField(_("domain"), max_length=253, unique=True, db_index=True)
    tenant = models.ForeignKey(
        settings.TENANT_MODEL,
        db_index=True,
        related_name="domains",
        on_delete=models.CASCADE,
        verbose_name=_("provider"),
    )
    is_primary = models.BooleanField(_("primary"), default=True, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DomainKind.choices, default=DomainKind.SUBDOMAIN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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

    name = models.CharField(_("schema name"), max_length=63, unique=True)
    fingerprint = models.CharField(_("migration fingerprint"), max_length=32, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("spare schema")
        verbose_name_plural = _("spare schemas")

    def __str__(self) -> str:
        return self.name


class StaffDirectory(models.Model):
    """Which providers a phone number is staff of — so the public sign-in and password reset find a
    person's providers with one indexed query instead of visiting every schema.

    Kept by ``tenants.services.staff_directory_add`` (called by ``accounts.services.staff_create``
    in the same transaction). A row says "this phone was made staff there"; whether that person may
    still sign in is decided inside the provider's schema."""

    phone = models.CharField(_("phone"), max_length=20)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="staff_directory", verbose_name=_("provider")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff directory entry")
        verbose_name_plural = _("staff directory")
        constraints = [models.UniqueConstraint(fields=["phone", "provider"], name="staff_directory_unique")]
        indexes = [models.Index(fields=["phone"], name="staff_directory_phone")]

    def __str__(self) -> str:
        return f"{self.phone} → {self.provider_id}"


class DomainRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    VERIFYING = "verifying", _("Waiting for DNS")
    LIVE = "live", _("Live")


class DomainRequest(models.Model):
    """A provider asks for another hostname.

    - ``subdomain``: another ``<sub>.BASE_DOMAIN``; pending until an operator approves (it becomes
      the primary Domain; the old one keeps working) or rejects it with a reason.
    - ``custom``: the provider's own hostname; ``verifying`` until the DNS shows the CNAME to the
      provider's subdomain and the TXT record ``_baoxiu-verify.<host>`` with ``txt_token``, then
      ``live`` (a Domain row exists and TLS may be issued).
    """

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="domain_requests", verbose_name=_("provider")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DomainKind.choices)
    hostname = models.CharField(_("hostname"), max_length=253)
    status = models.CharField(_("status"), max_length=16, choices=DomainRequestStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    txt_token = models.CharField(_("TXT token"), max_length=64, blank=True)
    last_check_at = models.DateTimeField(_("last DNS check"), null=True, blank=True)
    last_check_error = models.CharField(_("last DNS check result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("domain request")
        verbose_name_plural = _("domain requests")
        ordering = ["-created_at"]
        constraints = [
            # One open request per hostname across all providers.
            models.UniqueConstraint(
                fields=["hostname"],
                condition=models.Q(status__in=["pending", "verifying"]),
                name="domain_request_open_hostname_unique",
            )
        ]

    def __str__(self) -> str:
        return self.hostname

    @property
    def txt_name(self) -> str:
        return f"_baoxiu-verify.{self.hostname}"

    @property
    def txt_value(self) -> str:
        return f"baoxiu-verify={self.txt_token}"

    @property
    def dns_zone(self) -> str:
        """The zone the provider manages at its DNS provider (``example.com``)."""
        return zone_of(self.hostname)

    @property
    def cname_host_record(self) -> str:
        """The CNAME's 主机记录 as Aliyun / DNSPod expect it (``repair``)."""
        return host_record(self.hostname, self.dns_zone)

    @property
    def txt_host_record(self) -> str:
        """The TXT record's 主机记录 (``_baoxiu-verify.repair``)."""
        return host_record(self.txt_name, self.dns_zone)
