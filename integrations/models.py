"""The provider's WeChat official account and the notification outbox.

What must stay true:
- ``WeChatAccount`` is one row per schema; its secrets (app secret, callback token, EncodingAESKey,
  authorizer refresh token) are stored only sealed by ``integrations.crypto``;
- a ``Notification`` exists at most once per (order event, recipient, channel) — database
  constraints, so fanning an event out twice never duplicates a message;
- a notification is sent by whoever moved it from ``pending`` to ``sending`` (a row-level claim),
  so two workers (a retry and the sweeper) never both deliver it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, StaffMember
from integrations import crypto
from repair_forms.models import OrderEvent
from visitors.models import VisitEvent

LANGUAGE_CHOICES = [("zh-hans", "简体中文"), ("en", "English")]


# --- WeChat official account --------------------------------------------------------------------


class WeChatConnection(models.TextChoices):
    NONE = "none", _("Not connected")
    COMPONENT = "component", _("Authorized through the WeChat Open Platform")
    MANUAL = "manual", _("AppID and secret entered by hand")


class WeChatMessageStyle(models.TextChoices):
    TEMPLATE = "template", _("Template messages (模板消息)")
    SUBSCRIBE = "subscribe", _("Subscription messages (订阅通知)")


class WeChatAccount(models.Model):
    """公众号: how we reach the provider's official account. One row per schema
    (``integrations.wechat.accounts.account_get``)."""

    connection = models.CharField(
        _("connection"), max_length=12, choices=WeChatConnection.choices, default=WeChatConnection.NONE
    )
    appid = models.CharField(_("AppID"), max_length=32, blank=True)
    original_id = models.CharField(_("original ID"), max_length=40, blank=True)  # gh_…, the ToUserName
    nickname = models.CharField(_("account name"), max_length=100, blank=True)
    secret_sealed = models.TextField(blank=True)
    token_sealed = models.TextField(blank=True)
    aes_key_sealed = models.TextField(blank=True)
    refresh_token_sealed = models.TextField(blank=True)
    message_style = models.CharField(
        _("notification style"),
        max_length=10,
        choices=WeChatMessageStyle.choices,
        default=WeChatMessageStyle.TEMPLATE,
    )
    # Our template slot (integrations.notifications.content.SLOTS) → the account's template id.
    template_ids = models.JSONField(default=dict, blank=True)
    welcome_text = models.TextField(_("welcome message"), max_length=600, blank=True)
    default_reply = models.TextField(_("reply to other messages"), max_length=600, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat official account")

    def __str__(self) -> str:
        return self.nickname or self.appid or "wechat"

    @property
    def is_connected(self) -> bool:
        return self.connection != WeChatConnection.NONE and bool(self.appid)

    # Secrets: write through ``set_*``, read through the properties; the columns hold ciphertext.
    @property
    def secret(self) -> str:
        return crypto.reveal(self.secret_sealed)

    def set_secret(self, value: str) -> None:
        self.secret_sealed = crypto.seal(value)

    @property
    def token(self) -> str:
        return crypto.reveal(self.token_sealed)

    def set_token(self, value: str) -> None:
        self.token_sealed = crypto.seal(value)

    @property
    def aes_key(self) -> str:
        return crypto.reveal(self.aes_key_sealed)

    def set_aes_key(self, value: str) -> None:
        self.aes_key_sealed = crypto.seal(value)

    @property
    def refresh_token(self) -> str:
        return crypto.reveal(self.refresh_token_sealed)

    def set_refresh_token(self, value: str) -> None:
        self.refresh_token_sealed = crypto.seal(value)


class MenuButtonKind(models.TextChoices):
    PARENT = "parent", _("Sub-menu")
    SCAN = "scan", _("Scan to report")
    VIEW = "view", _("Open a web page")
    PAGE = "page", _("Built-in page")
    REPLY = "reply", _("Auto-reply text")


class WeChatMenu(models.Model):
    """公众号菜单: the draft the console edits and what was last published. ``draft`` is a list of
    buttons ``{"name", "kind", "url", "page", "reply", "sub": [...]}`` (``integrations.wechat.menu``)."""

    draft = models.JSONField(default=list, blank=True)
    published = models.JSONField(default=list, blank=True)  # the WeChat JSON last sent
    replies = models.JSONField(default=dict, blank=True)  # published click key → auto-reply text
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat menu")

    def __str__(self) -> str:
        return "menu"


class WeChatInboundMessage(models.Model):
    """Every message or event the callback accepted. ``dedupe_key`` (MsgId, or sender + time +
    event for events) is unique: WeChat retries a slow answer up to three times."""

    dedupe_key = models.CharField(max_length=120, unique=True)
    from_user = models.CharField(max_length=64, blank=True)
    msg_type = models.CharField(max_length=20)
    event = models.CharField(max_length=40, blank=True)
    event_key = models.CharField(max_length=300, blank=True)
    content = models.TextField(blank=True)
    reply = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat message received")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.dedupe_key


class StaffWeChatBinding(models.Model):
    """A staff member's openid on the provider's account, so his notices can go to WeChat."""

    staff = models.OneToOneField(StaffMember, on_delete=models.CASCADE, related_name="wechat_binding")
    openid = models.CharField(max_length=64, unique=True)
    bound_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("staff WeChat binding")

    def __str__(self) -> str:
        return f"{self.staff_id} {self.openid}"


class NotificationPreference(models.Model):
    """The language a person's notices are written in (zh-hans unless they chose English)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="notification_preference"
    )
    staff = models.OneToOneField(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="notification_preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES, default="zh-hans")

    class Meta:
        verbose_name = _("notification preference")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, staff__isnull=True)
                | Q(customer__isnull=True, staff__isnull=False),
                name="notification_preference_one_person",
            )
        ]

    def __str__(self) -> str:
        return self.language


# --- Notifications ------------------------------------------------------------------------------


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    LOGGED = "logged", _("Kept in the in-app log (channel not set up)")


class Audience(models.TextChoices):
    """Why the person hears about the event (``repair_forms.lifecycle.NotifyRole``)."""

    REPORTER = "reporter", _("Reporter")
    COMPANY_MANAGER = "company_manager", _("Company manager")
    BACK_OFFICE = "back_office", _("Back office")
    SUPERVISOR = "supervisor", _("Supervisor")
    ENGINEER = "engineer", _("Engineer")
    APPROVER = "approver", _("Approver")  # visitors: the next step's approvers
    VISITOR = "visitor", _("Visitor")  # visitors: the applicant or invitee
    HOST = "host", _("Contact person")  # visitors: told when the visitor arrives


class VisitEventDispatch(models.Model):
    """Marks a visitor event (``visitors.VisitEvent``) as fanned out, like ``EventDispatch``."""

    visit_event = models.OneToOneField(
        VisitEvent, on_delete=models.CASCADE, related_name="notification_dispatch"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.visit_event_id)


class EventDispatch(models.Model):
    """Marks an order event as fanned out into notifications (the sweeper looks for events
    without one)."""

    event = models.OneToOneField(OrderEvent, on_delete=models.CASCADE, related_name="notification_dispatch")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.event_id)


class Notification(models.Model):
    """One message to one person through one channel about one order event (``event``) or one
    visitor event (``visit_event``)."""

    event = models.ForeignKey(
        OrderEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    visit_event = models.ForeignKey(
        VisitEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    audience = models.CharField(_("as"), max_length=20, choices=Audience.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=48)  # "<transition>:<audience>" (content key)
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES, default="zh-hans")
    address = models.CharField(_("address"), max_length=254, blank=True)  # openid / phone / e-mail
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"))
    link = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)  # channel data (template fields, SMS params)
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    vendor_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, staff__isnull=True)
                | Q(customer__isnull=True, staff__isnull=False),
                name="notification_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False, visit_event__isnull=True)
                | Q(event__isnull=True, visit_event__isnull=False),
                name="notification_one_source",
            ),
            models.UniqueConstraint(
                fields=["event", "customer", "channel"],
                condition=Q(customer__isnull=False),
                name="one_notification_per_event_customer_channel",
            ),
            models.UniqueConstraint(
                fields=["event", "staff", "channel"],
                condition=Q(staff__isnull=False),
                name="one_notification_per_event_staff_channel",
            ),
            models.UniqueConstraint(
                fields=["visit_event", "customer", "channel"],
                condition=Q(customer__isnull=False, visit_event__isnull=False),
                name="one_notification_per_visit_event_customer_channel",
            ),
            models.UniqueConstraint(
                fields=["visit_event", "staff", "channel"],
                condition=Q(staff__isnull=False, visit_event__isnull=False),
                name="one_notification_per_visit_event_staff_channel",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="notification_due_idx"
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="sending"), name="notification_stuck_idx"
            ),
            models.Index(fields=["customer", "channel", "-created_at"], name="notification_customer_idx"),
            models.Index(fields=["staff", "channel", "-created_at"], name="notification_staff_idx"),
            models.Index(fields=["-created_at", "-id"], name="notification_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_display} ({self.channel})"

    @property
    def recipient_display(self) -> str:
        person = self.customer or self.staff
        if person is None:
            return ""
        name = getattr(person, "name", "") or getattr(person, "display_name", "")
        return name or person.phone


def default_from_email() -> str:
    return str(getattr(settings, "NOTIFY_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL)


# The mini-program's models live in their own module; importing them registers them with this app.
from integrations.miniprogram.models import (  # noqa: E402,F401
    ApiSession,
    MiniProgramAccount,
    MiniProgramCode,
    MiniProgramUser,
    SubscribeGrant,
)
