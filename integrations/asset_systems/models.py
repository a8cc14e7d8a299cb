"""The binding to an external asset system, the order ↔ work-order links and the sync log.

What must stay true:
- at most one binding is enabled per provider (a database constraint): lookups, pushes and pulls
  all go to that one system;
- secrets (password / API token / header value, the exchanged session token, the webhook secret)
  are stored only sealed by ``integrations.crypto``; the screens show ``secret_hint`` only;
- an order has at most one link, and an external id belongs to at most one order per binding;
- a webhook delivery id is accepted once per binding (``WebhookDelivery``), so a replay is refused.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffMember
from integrations import crypto
from repair_forms.models import RepairOrder


class AdapterKind(models.TextChoices):
    SNIPEIT = "snipeit", "Snipe-IT"
    GENERIC = "generic", _("Other system (generic REST, field mapping)")


class AuthMode(models.TextChoices):
    PASSWORD = "password", _("Admin account and password (exchanged for a token)")
    BEARER = "bearer", _("API token (Bearer)")
    HEADER = "header", _("API key in a custom header")


class AssetSystemBinding(models.Model):
    """绑定一葫芦系统: how we reach the provider's asset system and how its data maps to ours."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("system"), max_length=12, choices=AdapterKind.choices)
    base_url = models.URLField(_("base URL"), max_length=300)
    auth_mode = models.CharField(
        _("sign-in"), max_length=10, choices=AuthMode.choices, default=AuthMode.BEARER
    )
    username = models.CharField(_("account"), max_length=120, blank=True)
    header_name = models.CharField(_("header name"), max_length=60, blank=True)
    secret_sealed = models.TextField(blank=True)  # password, API token or header value
    secret_hint = models.CharField(max_length=16, blank=True)  # what the screen may show of it
    secret_set_at = models.DateTimeField(null=True, blank=True)
    session_token_sealed = models.TextField(blank=True)  # from the account+password exchange
    session_token_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    # Adapter options (generic: URL templates per operation and the push body; Snipe-IT: supplier
    # and maintenance type). Validated by the adapter (``adapters.base.AssetAdapter.check_options``).
    options = models.JSONField(_("options"), default=dict, blank=True)
    field_mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    status_mapping = models.JSONField(_("status mapping"), default=dict, blank=True)
    # The engineer external work orders are dispatched to when the lifecycle needs one.
    engineer = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("engineer"),
    )
    webhook_secret_sealed = models.TextField(blank=True)
    pull_cursor = models.CharField(max_length=100, blank=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True)
    last_test_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("asset system binding")
        ordering = ["-enabled", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enabled"], condition=Q(enabled=True), name="one_enabled_asset_binding"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()

    # Secrets: written through ``set_*``, read through the properties; the columns hold ciphertext.
    @property
    def secret(self) -> str:
        return crypto.reveal(self.secret_sealed)

    def set_secret(self, value: str) -> None:
        self.secret_sealed = crypto.seal(value)
        self.secret_hint = (
            crypto.masked(value) if self.auth_mode != AuthMode.PASSWORD else ("••••••" if value else "")
        )
        self.secret_set_at = timezone.now() if value else None
        self.session_token_sealed = ""
        self.session_token_expires_at = None

    @property
    def session_token(self) -> str:
        return crypto.reveal(self.session_token_sealed)

    @property
    def webhook_secret(self) -> str:
        return crypto.reveal(self.webhook_secret_sealed)

    def set_webhook_secret(self, value: str) -> None:
        self.webhook_secret_sealed = crypto.seal(value)

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_sealed)


class PushStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    PUSHED = "pushed", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (not applicable)")


class ExternalOrderLink(models.Model):
    """One order's work order in the external system: the push state and, once pushed, its id."""

    binding = models.ForeignKey(AssetSystemBinding, on_delete=models.PROTECT, related_name="links")
    order = models.OneToOneField(RepairOrder, on_delete=models.CASCADE, related_name="external_link")
    external_id = models.CharField(max_length=80, blank=True)
    external_asset_id = models.CharField(max_length=80, blank=True)
    external_status = models.CharField(max_length=80, blank=True)
    push_status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("external work order")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["binding", "external_id"],
                condition=~Q(external_id=""),
                name="unique_external_order_id",
            ),
        ]
        indexes = [
            models.Index(fields=["push_status", "next_retry_at"], name="external_link_retry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.external_id or self.push_status}"


class SyncOperation(models.TextChoices):
    TEST = "test", _("Connection test")
    LOGIN = "login", _("Sign-in")
    LOOKUP = "lookup", _("Machine lookup")
    PUSH = "push", _("Send order")
    PULL = "pull", _("Fetch status changes")
    WEBHOOK = "webhook", _("Status change received")
    APPLY = "apply", _("Status applied")


class SyncResult(models.TextChoices):
    OK = "ok", _("OK")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class SyncLogEntry(models.Model):
    """One call to (or from) the external system. ``request_summary`` names the operation and path,
    never a credential or a body."""

    binding = models.ForeignKey(
        AssetSystemBinding, on_delete=models.CASCADE, null=True, blank=True, related_name="log_entries"
    )
    created_at = models.DateTimeField(default=timezone.now)
    operation = models.CharField(max_length=10, choices=SyncOperation.choices)
    result = models.CharField(max_length=10, choices=SyncResult.choices)
    latency_ms = models.PositiveIntegerField(default=0)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    request_summary = models.CharField(max_length=300, blank=True)
    order = models.ForeignKey(RepairOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("sync log entry")
        verbose_name_plural = _("sync log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="sync_log_list_idx"),
            models.Index(fields=["result", "-created_at"], name="sync_log_result_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.operation} {self.result}"


class WebhookDelivery(models.Model):
    """A delivery id seen on the webhook, kept past the timestamp window so replays are refused."""

    binding = models.ForeignKey(AssetSystemBinding, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["binding", "delivery_id"], name="unique_webhook_delivery"),
        ]

    def __str__(self) -> str:
        return self.delivery_id
