"""Billing orders: create, pay (balance or gateway), fail, cancel — each applied exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    BillingAccount,
    BillingOrder,
    LedgerKind,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    Plan,
)
from billing.pricing import (
    add_months_to_datetime,
    format_yuan,
)
from billing.services._common import (
    MAX_TOP_UP_FEN,
    MIN_TOP_UP_FEN,
    BillingError,
    OrderNotFound,
    _ledger_post,
    _lock_account,
    _lock_order,
    _now,
    _save_account,
    _set_state,
)
from billing.services.quotes import quote_renewal, quote_upgrade

logger = logging.getLogger(__name__)


# --- Orders ----------------------------------------------------------------------------------------

PROVIDER_METHODS = (PaymentMethod.STRIPE, PaymentMethod.WECHAT_PAY, PaymentMethod.BALANCE)


def available_methods(kind: str) -> list[str]:
    """Payment methods a provider may choose for an order of ``kind``, given the configured gateways."""
    from billing.gateways import stripe_checkout, wechat_pay

    methods: list[str] = []
    if stripe_checkout.enabled():
        methods.append(PaymentMethod.STRIPE)
    if wechat_pay.enabled():
        methods.append(PaymentMethod.WECHAT_PAY)
    if kind != OrderKind.TOP_UP:
        methods.append(PaymentMethod.BALANCE)
    return methods


def _check_method(kind: str, method: str) -> None:
    if method not in available_methods(kind):
        raise BillingError(_("This payment method is not available."), code="invalid_method")


def _order_create(*, account: BillingAccount, now: datetime, **fields: Any) -> BillingOrder:
    order = BillingOrder.objects.create(
        account=account, number=f"tmp-{account.pk}-{now.timestamp()}", created_at=now, **fields
    )
    order.number = f"{timezone.localtime(now):%Y%m%d}{order.pk:08d}"
    order.save(update_fields=["number"])
    return order


@transaction.atomic
def order_create_renewal(
    *,
    provider: Any,
    plan_code: str,
    months: int,
    method: str,
    creator_phone: str = "",
    creator_name: str = "",
    note: str = "",
    now: datetime | None = None,
) -> BillingOrder:
    now = _now(now)
    _check_method(OrderKind.RENEWAL, method)
    account = _lock_account(provider)
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise BillingError(_("Choose a plan."), code="invalid_plan")
    quote = quote_renewal(account=account, plan=plan, months=months, now=now)
    return _order_create(
        account=account,
        now=now,
        kind=OrderKind.RENEWAL,
        method=method,
        amount_fen=quote.amount_fen,
        plan=plan,
        months=months,
        creator_phone=creator_phone,
        creator_name=creator_name,
        note=note[:200],
    )


@transaction.atomic
def order_create_upgrade(
    *,
    provider: Any,
    plan_code: str,
    method: str,
    creator_phone: str = "",
    creator_name: str = "",
    note: str = "",
    now: datetime | None = None,
) -> BillingOrder:
    now = _now(now)
    _check_method(OrderKind.UPGRADE, method)
    account = _lock_account(provider)
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise BillingError(_("Choose a plan."), code="invalid_plan")
    quote = quote_upgrade(account=account, plan=plan, now=now)
    return _order_create(
        account=account,
        now=now,
        kind=OrderKind.UPGRADE,
        method=method,
        amount_fen=quote.amount_fen,
        plan=plan,
        from_plan=account.plan,
        priced_until=account.paid_until,
        creator_phone=creator_phone,
        creator_name=creator_name,
        note=note[:200],
    )


@transaction.atomic
def order_create_top_up(
    *,
    provider: Any,
    amount_fen: int,
    method: str,
    creator_phone: str = "",
    creator_name: str = "",
    note: str = "",
    now: datetime | None = None,
) -> BillingOrder:
    now = _now(now)
    _check_method(OrderKind.TOP_UP, method)
    if not MIN_TOP_UP_FEN <= amount_fen <= MAX_TOP_UP_FEN:
        raise BillingError(
            _("Top up between ¥%(min)s and ¥%(max)s.")
            % {"min": format_yuan(MIN_TOP_UP_FEN), "max": format_yuan(MAX_TOP_UP_FEN)},
            code="invalid_amount",
        )
    account = _lock_account(provider)
    return _order_create(
        account=account,
        now=now,
        kind=OrderKind.TOP_UP,
        method=method,
        amount_fen=amount_fen,
        creator_phone=creator_phone,
        creator_name=creator_name,
        note=note[:200],
    )


def _apply(*, account: BillingAccount, order: BillingOrder, method: str, now: datetime, actor: str) -> str:
    """Mark a locked order paid and give the provider what it paid for. Returns what happened."""
    order.status = OrderStatus.PAID
    order.method = method
    order.paid_at = now
    outcome = "applied"
    if order.kind == OrderKind.RENEWAL:
        assert order.plan is not None and order.months
        starts_at = max(now, account.service_ends_at)
        account.paid_until = add_months_to_datetime(starts_at, order.months)
        account.plan = order.plan
    elif order.kind == OrderKind.UPGRADE:
        assert order.plan is not None
        if account.plan.rank < order.plan.rank:
            account.plan = order.plan
        else:
            # Paid after the plan changed another way: keep the money as balance, lose nothing.
            _ledger_post(
                account=account,
                kind=LedgerKind.TOP_UP,
                amount_fen=order.amount_fen,
                actor=actor,
                now=now,
                order=order,
                note="upgrade no longer applicable; credited to balance",
            )
            outcome = "credited"
    else:
        _ledger_post(
            account=account,
            kind=LedgerKind.TOP_UP,
            amount_fen=order.amount_fen,
            actor=actor,
            now=now,
            order=order,
            reference=order.payment_reference or order.gateway_transaction_id,
        )
    _set_state(account, now)
    _save_account(account, "paid_until", "plan", "state", "state_changed_at")
    order.save(update_fields=["status", "method", "paid_at", "payment_reference", "gateway_transaction_id"])
    logger.info("billing order %s paid by %s (%s)", order.number, method, outcome)
    return outcome


@transaction.atomic
def order_pay_from_balance(
    *, provider: Any, number: str, actor: str, now: datetime | None = None
) -> BillingOrder:
    """Pay a pending renewal or upgrade from the balance. Safe to call twice (a paid order is
    returned as is) and from two requests at once (the account row serializes them)."""
    now = _now(now)
    account = _lock_account(provider)
    order = _lock_order(account, number)
    if order.status == OrderStatus.PAID:
        return order
    if order.status != OrderStatus.PENDING:
        raise BillingError(_("This order can no longer be paid."), code="not_payable")
    if order.kind == OrderKind.TOP_UP:
        raise BillingError(_("A top-up cannot be paid from the balance."), code="invalid_method")
    if order.kind == OrderKind.UPGRADE and (
        order.from_plan_id != account.plan_id or order.priced_until != account.paid_until
    ):
        raise BillingError(
            _("The account changed since this upgrade was priced; create a new upgrade order."),
            code="stale_upgrade",
        )
    _ledger_post(
        account=account,
        kind=LedgerKind.PAYMENT,
        amount_fen=-order.amount_fen,
        actor=actor,
        now=now,
        order=order,
        reference=order.number,
    )
    _apply(account=account, order=order, method=PaymentMethod.BALANCE, now=now, actor=actor)
    return order


@dataclass(frozen=True)
class GatewayPayment:
    """What a gateway says was paid for an order (after we verified or re-read it)."""

    order_number: str
    amount_fen: int
    currency: str
    transaction_id: str


@transaction.atomic
def order_confirm_gateway_payment(
    *, payment: GatewayPayment, method: str, now: datetime | None = None
) -> tuple[BillingOrder, str]:
    """Record a payment a gateway confirmed. Idempotent: the second confirmation of one order
    changes nothing. A late payment of a cancelled or failed order is still applied (the money
    was taken); a wrong amount or currency is refused and logged, changing nothing."""
    now = _now(now)
    account_id = (
        BillingOrder.objects.filter(number=payment.order_number).values_list("account_id", flat=True).first()
    )
    if account_id is None:
        raise OrderNotFound(_("No such order."), code="not_found")
    account = BillingAccount.objects.select_for_update(of=("self",)).select_related("plan").get(pk=account_id)
    order = _lock_order(account, payment.order_number)
    if order.status in {OrderStatus.PAID, OrderStatus.REFUNDED}:
        return order, "already_paid"
    if payment.amount_fen != order.amount_fen or payment.currency.lower() != "cny":
        logger.error(
            "billing order %s: gateway reports %s %s, order is %s cny; not applied",
            order.number,
            payment.amount_fen,
            payment.currency,
            order.amount_fen,
        )
        raise BillingError(_("The paid amount does not match the order."), code="amount_mismatch")
    order.gateway_transaction_id = payment.transaction_id[:255]
    outcome = _apply(account=account, order=order, method=method, now=now, actor=f"gateway:{method}")
    return order, outcome


@transaction.atomic
def order_mark_failed(*, number: str, reason: str, now: datetime | None = None) -> BillingOrder | None:
    """A gateway says the payment attempt is over without payment (session expired, closed)."""
    account_id = BillingOrder.objects.filter(number=number).values_list("account_id", flat=True).first()
    if account_id is None:
        return None
    account = BillingAccount.objects.select_for_update(of=("self",)).get(pk=account_id)
    order = _lock_order(account, number)
    if order.status == OrderStatus.PENDING:
        order.status = OrderStatus.FAILED
        order.note = (order.note + " " + reason).strip()[:200]
        order.save(update_fields=["status", "note"])
    return order


@transaction.atomic
def order_cancel(*, provider: Any, number: str) -> BillingOrder:
    account = _lock_account(provider)
    order = _lock_order(account, number)
    if order.status not in {OrderStatus.PENDING, OrderStatus.FAILED}:
        raise BillingError(_("Only an unpaid order can be cancelled."), code="not_cancellable")
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    return order


@transaction.atomic
def order_attach_gateway(*, order_id: int, session_id: str = "", url: str = "", method: str) -> None:
    BillingOrder.objects.filter(pk=order_id, status=OrderStatus.PENDING).update(
        gateway_session_id=session_id[:255], gateway_url=url[:500], method=method
    )
