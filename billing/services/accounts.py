"""Billing accounts: opening one with its trial, the state machine jobs, and the ledger check."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from billing.models import (
    TRIAL_DAYS,
    AccountState,
    BillingAccount,
    Plan,
)
from billing.services._common import (
    TRIAL_PLAN_CODE,
    _lock_account,
    _now,
    _provider_id,
    _save_account,
    _set_state,
)

logger = logging.getLogger(__name__)


# --- Accounts --------------------------------------------------------------------------------------


@transaction.atomic
def account_open(*, provider: Any, now: datetime | None = None) -> BillingAccount:
    """Open the provider's billing account with a 15-day trial (idempotent). Named in
    ``settings.PROVIDER_PROVISIONED_HOOKS`` so signup opens it in the provisioning transaction."""
    now = _now(now)
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


def accounts_advance(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: move every account whose dates have passed to its new state (trialing or
    active → grace → expired). Each account in its own short transaction. Returns counts by state."""
    now = _now(now)
    due = BillingAccount.objects.filter(
        Q(state=AccountState.TRIALING, trial_ends_at__lte=now)
        | Q(state=AccountState.ACTIVE, paid_until__lte=now)
        | Q(state=AccountState.GRACE)
    ).values_list("provider_id", flat=True)
    moved: dict[str, int] = {}
    for provider_id in list(due):
        with transaction.atomic():
            account = _lock_account(provider_id)
            if _set_state(account, now):
                _save_account(account, "state", "state_changed_at")
                moved[account.state] = moved.get(account.state, 0) + 1
                logger.info("billing account of provider %s is now %s", provider_id, account.state)
    return moved


@dataclass(frozen=True)
class LedgerMismatch:
    provider_id: int
    balance_fen: int
    ledger_sum_fen: int


def ledger_check() -> list[LedgerMismatch]:
    """Accounts whose balance differs from the sum of their ledger (should always be empty)."""
    rows = (
        BillingAccount.objects.annotate(ledger_sum=Coalesce(Sum("ledger__amount_fen"), 0))
        .exclude(balance_fen=F("ledger_sum"))
        .values_list("provider_id", "balance_fen", "ledger_sum")
    )
    mismatches = [LedgerMismatch(p, b, s) for p, b, s in rows]
    for m in mismatches:
        logger.error("billing ledger mismatch for provider %s: balance %s, ledger %s", *vars(m).values())
    return mismatches
