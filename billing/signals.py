"""Drop cached entitlements whenever an account or a plan changes (admin edits included)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from billing.entitlements import forget
from billing.models import BillingAccount, Plan


@receiver(post_save, sender=BillingAccount)
def account_changed(sender: type[BillingAccount], instance: BillingAccount, **kwargs: Any) -> None:
    forget(instance.provider_id)


@receiver(post_save, sender=Plan)
def plan_changed(sender: type[Plan], instance: Plan, **kwargs: Any) -> None:
    forget(list(BillingAccount.objects.filter(plan=instance).values_list("provider_id", flat=True)))
