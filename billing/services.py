"""Billing writes. Every service is keyword-only, runs in one transaction, and takes ``now`` so
jobs and tests can travel in time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from billing.models import TRIAL_DAYS, AccountState, BillingAccount, Plan

TRIAL_PLAN_CODE = "trial"


def _provider_id(provider: Any) -> int:
    return int(provider if isinstance(provider, int) else provider.pk)


@transaction.atomic
def account_open(*, provider: Any, now: datetime | None = None) -> BillingAccount:
    """Open the provider's billing account with a 15-day trial (idempotent). Named in
    ``settings.PROVIDER_PROVISIONED_HOOKS`` so signup opens it in the provisioning transaction."""
    now = now or timezone.now()
    provider_id = _provider_id(provider)
    existing = BillingAccount.objects.select_related("plan").filter(provider_id=provider_id).first()
    if existing is not None:
        return existing
    account, _created = BillingAccount.objects.select_related("plan").get_or_create(
        provider_id=provider_id,
        defaults={
            "plan": Plan.objects.get(code=TRIAL_PLAN_CODE),
            "state": AccountState.TRIALING,
            "trial_ends_at": now + timedelta(days=TRIAL_DAYS),
            "state_changed_at": now,
        },
    )
    return account
