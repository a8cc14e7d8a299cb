"""Billing data: plans, one account per provider, its immutable ledger, orders, processed webhook
events, sent reminders and the operators' audit log.

Money is always an integer number of fen (分, 1/100 CNY) in fields named ``*_fen``; nothing here
stores floats or yuan. What must stay true:

- ``BillingAccount.balance_fen`` equals the sum of its ``LedgerEntry.amount_fen`` (``ledger_check``);
- a ledger entry is never updated or deleted (``save``/``delete`` refuse; a database trigger, see
  migration 0002, refuses too);
- the balance never goes below zero (check constraint) — payments lock the account row first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from billing.pricing import format_yuan

GRACE_DAYS = 7
TRIAL_DAYS = 15


class Feature(models.TextChoices):
    """What a plan may include. Boolean features are on/off; limit features carry a number
    (``None`` on the plan means unlimited)."""

    ASSET_SYNC = "asset_sync", _("External asset-system sync")
    CUSTOM_DOMAIN = "custom_domain", _("Custom domain")
    WECHAT = "wechat", _("WeChat official account")
    STAFF_SEATS = "staff_seats", _("Staff seats")
    CUSTOM_FORM_TEMPLATES = "custom_form_templates", _("Custom repair-form templates")
    VISITORS = "visitors", _("Visitor appointments")


BOOLEAN_FEATURES = (Feature.ASSET_SYNC, Feature.CUSTOM_DOMAIN, Feature.WECHAT, Feature.VISITORS)
LIMIT_FEATURES = (Feature.STAFF_SEATS, Feature.CUSTOM_FORM_TEMPLATES)


class Plan(models.Model):
    """A price list entry with its entitlements. Operators edit plans in the operator console; the
    three codes ``trial``, ``basic`` and ``premium`` are seeded by a data migration."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=40)
    description = models.CharField(_("description (Chinese)"), max_length=200, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("Higher ranks are upgrades of lower ones.")
    )
    is_trial = models.BooleanField(_("trial plan"), default=False)
    is_public = models.BooleanField(
        _("for sale"), default=True, help_text=_("Shown on the pricing page and offered for renewal.")
    )
    monthly_price_fen = models.PositiveIntegerField(_("monthly price (fen)"), default=0)
    yearly_price_fen = models.PositiveIntegerField(_("yearly price (fen)"), default=0)
    asset_sync = models.BooleanField(_("external asset-system sync"), default=False)
    custom_domain = models.BooleanField(_("custom domain"), default=False)
    wechat = models.BooleanField(_("WeChat official account"), default=True)
    visitors = models.BooleanField(_("visitor appointments"), default=False)
    staff_seats = models.PositiveIntegerField(
        _("staff seats"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    custom_form_templates = models.PositiveIntegerField(
        _("custom repair-form templates"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name if (get_language() or "zh-hans").startswith("zh") else self.name_en

    @property
    def display_description(self) -> str:
        return self.description if (get_language() or "zh-hans").startswith("zh") else self.description_en

    def entitlements(self) -> dict[str, Any]:
        return {
            "features": {str(f): bool(getattr(self, str(f))) for f in BOOLEAN_FEATURES},
            "limits": {str(f): getattr(self, str(f)) for f in LIMIT_FEATURES},
        }


class AccountState(models.TextChoices):
    TRIALING = "trialing", pgettext_lazy("billing", "Trial")
    ACTIVE = "active", pgettext_lazy("billing", "Active")
    GRACE = "grace", pgettext_lazy("billing", "Grace period")
    EXPIRED = "expired", pgettext_lazy("billing", "Expired")
    SUSPENDED = "suspended", pgettext_lazy("billing", "Suspended")


class BillingAccount(models.Model):
    """The provider's subscription and prepaid balance. One per provider, opened at signup."""

    provider = models.OneToOneField(
        "tenants.Provider",
        on_delete=models.PROTECT,
        related_name="billing_account",
        verbose_name=_("provider"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("plan"))
    state = models.CharField(
        _("state"), max_length=16, choices=AccountState.choices, default=AccountState.TRIALING
    )
    trial_ends_at = models.DateTimeField(_("trial ends"))
    paid_until = models.DateTimeField(_("paid until"), null=True, blank=True)
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    suspended_reason = models.CharField(_("suspension reason"), max_length=200, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_fen__gte=0), name="billing_balance_not_negative"
            )
        ]

    def __str__(self) -> str:
        return str(self.provider)

    @property
    def service_ends_at(self) -> datetime:
        """When the trial or the paid period ends (before grace)."""
        return self.paid_until or self.trial_ends_at

    @property
    def grace_ends_at(self) -> datetime:
        return self.service_ends_at + timedelta(days=GRACE_DAYS)

    def state_at(self, now: datetime) -> str:
        """The state the dates say this account is in at ``now`` (an operator's suspension wins)."""
        if self.state == AccountState.SUSPENDED:
            return AccountState.SUSPENDED
        if now < self.service_ends_at:
            return AccountState.ACTIVE if self.paid_until else AccountState.TRIALING
        if now < self.grace_ends_at:
            return AccountState.GRACE
        return AccountState.EXPIRED


class LedgerKind(models.TextChoices):
    TOP_UP = "top_up", pgettext_lazy("billing", "Top-up")
    PAYMENT = "payment", pgettext_lazy("billing", "Payment")
    REFUND = "refund", pgettext_lazy("billing", "Refund")
    OPERATOR_CREDIT = "operator_credit", pgettext_lazy("billing", "Operator credit")


class LedgerEntry(models.Model):
    """One change of a balance, never edited. ``amount_fen`` is signed (payments are negative)."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("billing account")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    balance_after_fen = models.BigIntegerField(_("balance after (fen)"))
    order = models.ForeignKey(
        "BillingOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("billing order"),
    )
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    actor = models.CharField(_("by"), max_length=120)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="billing_ledger_nonzero")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{format_yuan(self.amount_fen)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Ledger entries are immutable; record a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger entries are immutable; record a new entry instead.")


class OrderKind(models.TextChoices):
    RENEWAL = "renewal", pgettext_lazy("billing", "Renewal")
    UPGRADE = "upgrade", pgettext_lazy("billing", "Upgrade")
    TOP_UP = "top_up", pgettext_lazy("billing", "Top-up")


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", pgettext_lazy("billing", "Card (Stripe)")
    WECHAT_PAY = "wechat_pay", pgettext_lazy("billing", "WeChat Pay")
    BALANCE = "balance", pgettext_lazy("billing", "Account balance")
    BANK_TRANSFER = "bank_transfer", pgettext_lazy("billing", "Bank transfer")


class OrderStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("billing", "Pending payment")
    PAID = "paid", pgettext_lazy("billing", "Paid")
    FAILED = "failed", pgettext_lazy("billing", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("billing", "Cancelled")
    REFUNDED = "refunded", pgettext_lazy("billing", "Refunded")


class BillingOrder(models.Model):
    """An order on the 我的账户 page: a renewal, an upgrade or a balance top-up.

    Staff live in the tenant schema, so the creator is a snapshot of their phone and name."""

    number = models.CharField(_("order number"), max_length=32, unique=True)
    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="orders", verbose_name=_("billing account")
    )
    kind = models.CharField(_("type"), max_length=16, choices=OrderKind.choices)
    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("plan")
    )
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    from_plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from plan")
    )
    priced_until = models.DateTimeField(
        _("priced until"), null=True, blank=True, help_text=_("For upgrades: the paid-until date priced.")
    )
    creator_phone = models.CharField(_("created by (phone)"), max_length=32, blank=True)
    creator_name = models.CharField(_("created by"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    gateway_session_id = models.CharField(_("gateway session"), max_length=255, blank=True, db_index=True)
    gateway_url = models.CharField(_("gateway payment page"), max_length=500, blank=True)
    gateway_transaction_id = models.CharField(_("gateway transaction"), max_length=255, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing order")
        verbose_name_plural = _("billing orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="billing_order_account_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def creator_display(self) -> str:
        if self.creator_name and self.creator_phone:
            return f"{self.creator_name} ({self.creator_phone})"
        return self.creator_name or self.creator_phone


class WebhookSource(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")


class WebhookEvent(models.Model):
    """A gateway notification already processed, by the gateway's own event id."""

    source = models.CharField(_("source"), max_length=16, choices=WebhookSource.choices)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("event type"), max_length=100, blank=True)
    order = models.ForeignKey(
        BillingOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("billing order"),
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("processed webhook event")
        verbose_name_plural = _("processed webhook events")
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="billing_webhook_once")]

    def __str__(self) -> str:
        return f"{self.source}:{self.event_id}"


class ReminderKind(models.TextChoices):
    THREE_DAYS = "3d", _("3 days before the end")
    ONE_DAY = "1d", _("1 day before the end")
    ENDED = "ended", _("At the end (grace period starts)")
    EXPIRED = "expired", _("At expiry (read-only)")


class BillingReminder(models.Model):
    """A reminder sent for one period end; the unique constraint makes each one go out once."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("billing account")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    period_ends_at = models.DateTimeField(_("period ends"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("billing reminder")
        verbose_name_plural = _("billing reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "period_ends_at"], name="billing_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.kind}"


class AuditAction(models.TextChoices):
    CREDIT = "credit", _("Credit balance")
    REFUND = "refund", _("Refund")
    EXTEND_TRIAL = "extend_trial", _("Extend trial")
    CHANGE_PLAN = "change_plan", _("Change plan")
    MARK_PAID = "mark_paid", _("Mark order paid by bank transfer")
    SUSPEND = "suspend", _("Suspend")
    UNSUSPEND = "unsuspend", _("Lift suspension")


class AuditLog(models.Model):
    """What an operator did to an account, and why. Never edited."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="audit_log", verbose_name=_("billing account")
    )
    order = models.ForeignKey(
        BillingOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("billing order"),
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator account"),
    )
    operator_name = models.CharField(_("operator"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    reason = models.CharField(_("reason"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.operator_name} · {self.get_action_display()}"
