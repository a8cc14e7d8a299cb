"""Renewal reminders: claimed once per kind and account, marked when delivered."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField
from django.db.models.functions import Coalesce

from billing.models import (
    GRACE_DAYS,
    AccountState,
    BillingAccount,
    BillingReminder,
    ReminderKind,
)
from billing.services._common import (
    _now,
)

# --- Reminders -------------------------------------------------------------------------------------


def _reminder_kind(ends_at: datetime, now: datetime) -> str | None:
    if now >= ends_at + timedelta(days=GRACE_DAYS):
        return ReminderKind.EXPIRED
    if now >= ends_at:
        return ReminderKind.ENDED
    if now >= ends_at - timedelta(days=1):
        return ReminderKind.ONE_DAY
    if now >= ends_at - timedelta(days=3):
        return ReminderKind.THREE_DAYS
    return None


def reminders_claim(*, now: datetime | None = None) -> list[BillingReminder]:
    """Record the reminders due now — at most one per account, the one for the window it is in
    (3 days before the end, 1 day before, at the end, at expiry) — each only once per period end.
    Returns the newly recorded ones; delivery is ``integrations.billing_reminders``'s job."""
    now = _now(now)
    window_start = now - timedelta(days=GRACE_DAYS + 2)
    candidates = (
        BillingAccount.objects.exclude(state=AccountState.SUSPENDED)
        .annotate(ends=Coalesce("paid_until", "trial_ends_at", output_field=DateTimeField()))
        .filter(ends__gte=window_start, ends__lte=now + timedelta(days=3))
    )
    created: list[BillingReminder] = []
    for account in candidates:
        kind = _reminder_kind(account.service_ends_at, now)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                reminder, was_created = BillingReminder.objects.get_or_create(
                    account=account,
                    kind=kind,
                    period_ends_at=account.service_ends_at,
                    defaults={"created_at": now},
                )
        except IntegrityError:
            continue
        if was_created:
            created.append(reminder)
    return created


def reminder_mark_delivered(*, reminder_id: int, delivery: str, now: datetime | None = None) -> None:
    BillingReminder.objects.filter(pk=reminder_id, delivered_at__isnull=True).update(
        delivered_at=_now(now), delivery=delivery[:200]
    )
