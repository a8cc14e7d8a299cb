"""Operator actions: credits, refunds, transfers, trial extensions, plan changes, suspension — each
written to the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import (
    AccountState,
    AuditAction,
    AuditLog,
    BillingAccount,
    BillingOrder,
    LedgerEntry,
    LedgerKind,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    Plan,
)
from billing.pricing import (
    add_months_to_datetime,
)
from billing.services._common import (
    MAX_OPERATOR_AMOUNT_FEN,
    BillingError,
    OrderNotFound,
    _ledger_post,
    _lock_account,
    _now,
    _save_account,
    _set_state,
)
from billing.services.orders import _apply

# --- Operator actions (each written to the audit log) ---------------------------------------------


def _operator_name(operator: Any) -> str:
    return str(getattr(operator, "get_username", lambda: str(operator))())


def _audit(
    *,
    account: BillingAccount,
    operator: Any,
    action: str,
    reason: str,
    now: datetime,
    order: BillingOrder | None = None,
    **details: Any,
) -> AuditLog:
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(_("Give a reason; it is written to the audit log."), code="reason_required")
    return AuditLog.objects.create(
        account=account,
        order=order,
        operator=operator if getattr(operator, "pk", None) else None,
        operator_name=_operator_name(operator)[:150],
        action=action,
        reason=reason[:300],
        details=details,
        created_at=now,
    )


def _check_operator_amount(amount_fen: int) -> None:
    if not 0 < amount_fen <= MAX_OPERATOR_AMOUNT_FEN:
        raise BillingError(_("Enter an amount greater than zero."), code="invalid_amount")


def _actor(operator: Any) -> str:
    return f"operator:{_operator_name(operator)}"


def _audited_balance_change(
    *,
    provider: Any,
    action: str,
    kind: str,
    amount_fen: int,
    pay_out: bool,
    reference: str,
    operator: Any,
    reason: str,
    now: datetime | None,
) -> LedgerEntry:
    """Credit ``amount_fen`` to a balance, or pay it out of it, outside the gateways, audited."""
    now = _now(now)
    _check_operator_amount(amount_fen)
    account = _lock_account(provider)
    _audit(
        account=account,
        operator=operator,
        action=action,
        reason=reason,
        now=now,
        amount_fen=amount_fen,
        reference=reference,
    )
    return _ledger_post(
        account=account,
        kind=kind,
        amount_fen=-amount_fen if pay_out else amount_fen,
        actor=_actor(operator),
        now=now,
        reference=(reference or "").strip(),
        note=reason,
    )


@transaction.atomic
def account_credit(
    *, provider: Any, amount_fen: int, reference: str, operator: Any, reason: str, now: datetime | None = None
) -> LedgerEntry:
    """Credit the balance for money received outside the gateways (e.g. a bank transfer)."""
    if not (reference or "").strip():
        raise BillingError(_("Enter the bank transfer's reference."), code="reference_required")
    return _audited_balance_change(
        provider=provider,
        action=AuditAction.CREDIT,
        kind=LedgerKind.OPERATOR_CREDIT,
        amount_fen=amount_fen,
        pay_out=False,
        reference=reference,
        operator=operator,
        reason=reason,
        now=now,
    )


@transaction.atomic
def account_refund(
    *, provider: Any, amount_fen: int, reference: str, operator: Any, reason: str, now: datetime | None = None
) -> LedgerEntry:
    """Pay part of the balance back to the provider (outside the gateways); never below zero."""
    return _audited_balance_change(
        provider=provider,
        action=AuditAction.REFUND,
        kind=LedgerKind.REFUND,
        amount_fen=amount_fen,
        pay_out=True,
        reference=reference,
        operator=operator,
        reason=reason,
        now=now,
    )


def _lock_order_by_id(order_id: int) -> tuple[BillingAccount, BillingOrder]:
    """Lock an order found by id, its account first (the services' lock order)."""
    account_id = BillingOrder.objects.filter(pk=order_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise OrderNotFound(_("No such order."), code="not_found")
    account = BillingAccount.objects.select_for_update(of=("self",)).select_related("plan").get(pk=account_id)
    order = (
        BillingOrder.objects.select_for_update(of=("self",))
        .select_related("plan", "from_plan")
        .get(pk=order_id)
    )
    return account, order


@transaction.atomic
def order_refund(*, order_id: int, operator: Any, reason: str, now: datetime | None = None) -> BillingOrder:
    """Refund a paid order and take back what it bought: a renewal's months or an upgrade's plan
    are refunded to the balance; a top-up's money is paid back out of the balance (it must still
    be there)."""
    now = _now(now)
    account, order = _lock_order_by_id(order_id)
    if order.status != OrderStatus.PAID:
        raise BillingError(_("Only a paid order can be refunded."), code="not_refundable")
    _audit(
        account=account,
        operator=operator,
        action=AuditAction.REFUND,
        reason=reason,
        now=now,
        order=order,
        amount_fen=order.amount_fen,
    )
    paid_out = order.kind == OrderKind.TOP_UP
    _ledger_post(
        account=account,
        kind=LedgerKind.REFUND,
        amount_fen=-order.amount_fen if paid_out else order.amount_fen,
        actor=_actor(operator),
        now=now,
        order=order,
        reference=order.number,
        note=reason,
    )
    if not paid_out:
        if order.kind == OrderKind.RENEWAL and order.months and account.paid_until:
            account.paid_until = add_months_to_datetime(account.paid_until, -order.months)
        elif order.kind == OrderKind.UPGRADE and order.from_plan and account.plan_id == order.plan_id:
            account.plan = order.from_plan
        _set_state(account, now)
        _save_account(account, "paid_until", "plan", "state", "state_changed_at")
    order.status = OrderStatus.REFUNDED
    order.save(update_fields=["status"])
    return order


@transaction.atomic
def order_mark_paid_by_transfer(
    *, order_id: int, reference: str, operator: Any, reason: str, now: datetime | None = None
) -> BillingOrder:
    """An operator records that a pending order was paid by bank transfer (with its reference)."""
    now = _now(now)
    if not (reference or "").strip():
        raise BillingError(_("Enter the bank transfer's reference."), code="reference_required")
    account, order = _lock_order_by_id(order_id)
    if order.status == OrderStatus.PAID:
        return order
    if order.status == OrderStatus.REFUNDED:
        raise BillingError(_("This order can no longer be paid."), code="not_payable")
    _audit(
        account=account,
        operator=operator,
        action=AuditAction.MARK_PAID,
        reason=reason,
        now=now,
        order=order,
        reference=reference,
    )
    order.payment_reference = reference.strip()[:120]
    _apply(account=account, order=order, method=PaymentMethod.BANK_TRANSFER, now=now, actor=_actor(operator))
    return order


@transaction.atomic
def account_extend_trial(
    *, provider: Any, days: int, operator: Any, reason: str, now: datetime | None = None
) -> BillingAccount:
    now = _now(now)
    if not 1 <= days <= 365:
        raise BillingError(_("Extend by 1 to 365 days."), code="invalid_days")
    account = _lock_account(provider)
    if account.paid_until is not None:
        raise BillingError(_("This account has paid already; its trial cannot be extended."), code="paid")
    before = account.trial_ends_at
    account.trial_ends_at = max(account.trial_ends_at, now) + timedelta(days=days)
    _audit(
        account=account,
        operator=operator,
        action=AuditAction.EXTEND_TRIAL,
        reason=reason,
        now=now,
        days=days,
        before=before.isoformat(),
        after=account.trial_ends_at.isoformat(),
    )
    _set_state(account, now)
    _save_account(account, "trial_ends_at", "state", "state_changed_at")
    return account


@transaction.atomic
def account_change_plan(
    *, provider: Any, plan_code: str, operator: Any, reason: str, now: datetime | None = None
) -> BillingAccount:
    now = _now(now)
    account = _lock_account(provider)
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise BillingError(_("Choose a plan."), code="invalid_plan")
    _audit(
        account=account,
        operator=operator,
        action=AuditAction.CHANGE_PLAN,
        reason=reason,
        now=now,
        before=account.plan.code,
        after=plan.code,
    )
    account.plan = plan
    _save_account(account, "plan")
    return account


def _set_suspension(
    *, provider: Any, suspend: bool, operator: Any, reason: str, now: datetime | None
) -> BillingAccount:
    """Suspend an account (with the reason the provider is shown) or lift its suspension (the
    dates then decide its state), audited."""
    now = _now(now)
    account = _lock_account(provider)
    if not suspend and account.state != AccountState.SUSPENDED:
        raise BillingError(_("This account is not suspended."), code="not_suspended")
    action = AuditAction.SUSPEND if suspend else AuditAction.UNSUSPEND
    _audit(account=account, operator=operator, action=action, reason=reason, now=now)
    account.suspended_reason = reason.strip()[:200] if suspend else ""
    account.state = AccountState.SUSPENDED if suspend else AccountState.TRIALING
    if not suspend:
        account.state = account.state_at(now)  # any non-suspended value above; the dates decide
    account.state_changed_at = now
    _save_account(account, "state", "suspended_reason", "state_changed_at")
    return account


@transaction.atomic
def account_suspend(
    *, provider: Any, operator: Any, reason: str, now: datetime | None = None
) -> BillingAccount:
    return _set_suspension(provider=provider, suspend=True, operator=operator, reason=reason, now=now)


@transaction.atomic
def account_unsuspend(
    *, provider: Any, operator: Any, reason: str, now: datetime | None = None
) -> BillingAccount:
    return _set_suspension(provider=provider, suspend=False, operator=operator, reason=reason, now=now)
