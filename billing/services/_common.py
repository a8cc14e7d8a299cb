"""Shared pieces of the billing services: errors, locks (account first, then order), the ledger writer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import forget
from billing.models import (
    BillingAccount,
    BillingOrder,
    LedgerEntry,
)
from billing.pricing import (
    format_yuan,
)

TRIAL_PLAN_CODE = "trial"
MIN_TOP_UP_FEN = 100
MAX_TOP_UP_FEN = 10_000_000  # ¥100,000
MAX_OPERATOR_AMOUNT_FEN = 100_000_000


class BillingError(ValidationError):
    """A refusal the user can act on; the message is translated."""


class OrderNotFound(BillingError):
    pass


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _provider_id(provider: Any) -> int:
    return int(provider if isinstance(provider, int) else provider.pk)


def _lock_account(provider: Any) -> BillingAccount:
    account = (
        BillingAccount.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(provider_id=_provider_id(provider))
        .first()
    )
    if account is None:
        from billing.services.accounts import account_open  # accounts builds on these locks

        account_open(provider=provider)
        account = (
            BillingAccount.objects.select_for_update(of=("self",))
            .select_related("plan")
            .get(provider_id=_provider_id(provider))
        )
    return account


def _lock_order(account: BillingAccount, number: str) -> BillingOrder:
    order = (
        BillingOrder.objects.select_for_update(of=("self",))
        .select_related("plan", "from_plan")
        .filter(account=account, number=number)
        .first()
    )
    if order is None:
        raise OrderNotFound(_("No such order."), code="not_found")
    return order


def _save_account(account: BillingAccount, *fields: str) -> None:
    account.save(update_fields=[*fields, "updated_at"])
    forget(account.provider_id)


def _set_state(account: BillingAccount, now: datetime) -> bool:
    """Move the account to the state its dates say; True when it changed (caller saves)."""
    new_state = account.state_at(now)
    if new_state == account.state:
        return False
    account.state = new_state
    account.state_changed_at = now
    return True


# --- Ledger ----------------------------------------------------------------------------------------


def _ledger_post(
    *,
    account: BillingAccount,
    kind: str,
    amount_fen: int,
    actor: str,
    now: datetime,
    reference: str = "",
    note: str = "",
    order: BillingOrder | None = None,
) -> LedgerEntry:
    """Change a locked account's balance by ``amount_fen`` and record it. Refuses to go below zero."""
    new_balance = account.balance_fen + amount_fen
    if new_balance < 0:
        raise BillingError(
            _("The balance (¥%(balance)s) does not cover ¥%(amount)s.")
            % {"balance": format_yuan(account.balance_fen), "amount": format_yuan(-amount_fen)},
            code="insufficient_balance",
        )
    account.balance_fen = new_balance
    _save_account(account, "balance_fen")
    return LedgerEntry.objects.create(
        account=account,
        kind=kind,
        amount_fen=amount_fen,
        balance_after_fen=new_balance,
        order=order,
        reference=reference[:120],
        actor=actor[:120],
        note=note[:200],
        created_at=now,
    )
