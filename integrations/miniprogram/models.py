"""The provider's WeChat mini-program: its binding, the people who signed in with it, their
per-device API sessions, the 葵花码 (mini-program codes) we generated and the one-time subscribe
message grants.

What must stay true:
- ``MiniProgramAccount`` is one row per schema; the app secret is stored only sealed
  (``integrations.crypto``);
- an ``ApiSession`` stores only SHA-256 digests of its access and refresh tokens, never the tokens;
  a session is usable while ``revoked_at`` is null and its access token has not expired;
- a ``MiniProgramCode`` scene is unique per schema and at most 32 characters (WeChat's limit for
  ``getUnlimited``), so a scene always maps back to one target.

These models are imported by ``integrations.models`` (the app's model registry).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, StaffMember
from integrations import crypto


class MiniProgramConnection(models.TextChoices):
    NONE = "none", _("Not connected")
    MANUAL = "manual", _("AppID and secret entered by hand")


class MiniProgramAccount(models.Model):
    """小程序: how we reach the provider's mini-program. One row per schema
    (``integrations.miniprogram.accounts.miniprogram_account_get``)."""

    connection = models.CharField(
        _("connection"),
        max_length=12,
        choices=MiniProgramConnection.choices,
        default=MiniProgramConnection.NONE,
    )
    appid = models.CharField(_("AppID"), max_length=32, blank=True)
    nickname = models.CharField(_("mini-program name"), max_length=100, blank=True)
    secret_sealed = models.TextField(blank=True)
    # Our notification slot → the mini-program's subscribe message template id.
    subscribe_template_ids = models.JSONField(default=dict, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat mini-program")

    def __str__(self) -> str:
        return self.nickname or self.appid or "mini-program"

    @property
    def is_connected(self) -> bool:
        return self.connection != MiniProgramConnection.NONE and bool(self.appid)

    @property
    def secret(self) -> str:
        return crypto.reveal(self.secret_sealed)

    def set_secret(self, value: str) -> None:
        self.secret_sealed = crypto.seal(value)


class MiniProgramUser(models.Model):
    """A WeChat user of the provider's mini-program (openid), and who they are here: a customer
    once their phone is bound, a staff member once they scanned the console's binding code."""

    openid = models.CharField(max_length=64, unique=True)
    unionid = models.CharField(max_length=64, blank=True, db_index=True)
    nickname = models.CharField(_("WeChat nickname"), max_length=60, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=500, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="miniprogram_users"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="miniprogram_users"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mini-program user")

    def __str__(self) -> str:
        return self.nickname or self.openid


class ApiSession(models.Model):
    """One signed-in device: a short-lived access token and a refresh token, both kept as digests.
    ``previous_refresh_digest`` remembers the refresh token just rotated away, so presenting it
    again (a stolen copy) ends the session."""

    user = models.ForeignKey(MiniProgramUser, on_delete=models.CASCADE, related_name="sessions")
    device = models.CharField(_("device"), max_length=120, blank=True)
    access_digest = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_digest = models.CharField(max_length=64, unique=True)
    refresh_expires_at = models.DateTimeField()
    previous_refresh_digest = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("API session")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user"], condition=Q(revoked_at__isnull=True), name="apisession_live_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.device}"


class MiniProgramCodeKind(models.TextChoices):
    PORTAL = "portal", _("Portal")
    COMPANY = "company", _("Company registration")
    ASSET = "asset", _("Machine")
    ENGINEER = "engineer", _("Engineer registration")
    STAFF_BIND = "staff_bind", _("Staff binding")


class MiniProgramCode(models.Model):
    """A 葵花码 we asked WeChat for (``wxa/getwxacodeunlimit``): its scene, what the scene opens,
    and the image in default storage (generated once, regenerated on request)."""

    kind = models.CharField(max_length=12, choices=MiniProgramCodeKind.choices)
    target = models.CharField(max_length=64, blank=True)  # company registration token, asset token …
    scene = models.CharField(max_length=32, unique=True)
    image = models.FileField(upload_to="miniprogram/codes/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mini-program code")
        constraints = [
            models.UniqueConstraint(fields=["kind", "target"], name="one_miniprogram_code_per_target")
        ]

    def __str__(self) -> str:
        return self.scene


class SubscribeGrant(models.Model):
    """One-time subscribe message grants (``wx.requestSubscribeMessage`` → "accept"): each grant lets
    us send one message of that template to that user; ``remaining`` counts what is left."""

    user = models.ForeignKey(MiniProgramUser, on_delete=models.CASCADE, related_name="subscribe_grants")
    template_id = models.CharField(max_length=64)
    remaining = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscribe message grant")
        constraints = [
            models.UniqueConstraint(fields=["user", "template_id"], name="one_subscribe_grant_per_template")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.template_id} ×{self.remaining}"
