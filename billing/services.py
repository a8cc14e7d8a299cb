"""Billing writes: accounts, the ledger, orders and their payment, operator actions, expiry jobs.

Every service is keyword-only, runs in one transaction and takes ``now`` so jobs and tests can
travel in time. What must stay true:

- Locks are always taken account first, then order (``_lock_account`` → ``_lock_order``), so two
  payments can never deadlock, and two payments from one balance are serialized on the account row:
  the second sees the first's debit and is refused if the balance no longer covers it.
- Paying an order applies its effect exactly once: the order row is locked and a paid order is
  never applied again, whatever calls it (balance, gateway webhook, return page, operator).
- Every balance change goes through ``_ledger_post``, which writes the immutable ledger entry and
  the new balance together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import forget
from billing.models import (
    GRACE_DAYS,
    TRIAL_DAYS,
    AccountState,
    AuditAction,
    AuditLog,
    BillingAccount,
    BillingOrder,
    BillingReminder,
    LedgerEntry,
    LedgerKind,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    Plan,
    ReminderKind,
)
from billing.pricing import (
    MAX_RENEWAL_MONTHS,
    add_months_to_datetime,
    format_yuan,
    renewal_price_fen,
    upgrade_price_fen,
)

logger = logging.getLogger(__name__)

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


# --- Quotes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    plan: Plan
    amount_fen: int
    months: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def renewable_plans() -> list[Plan]:
    return list(Plan.objects.filter(is_public=True, is_trial=False).order_by("rank"))


def renewal_plan_choices(
    account: BillingAccount, now: datetime, plans: list[Plan] | None = None
) -> list[Plan]:
    """While a paid period runs, a renewal extends the current plan (upgrade first to change it);
    after a trial or once the paid period is over, any plan for sale may be chosen."""
    if (
        account.paid_until
        and account.paid_until > now
        and account.plan.is_public
        and not account.plan.is_trial
    ):
        return [account.plan]
    return plans if plans is not None else renewable_plans()


def quote_renewal(
    *, account: BillingAccount, plan: Plan, months: int, now: datetime, choices: list[Plan] | None = None
) -> Quote:
    """The price and period of renewing ``account`` with ``plan`` for ``months``. ``choices`` are
    the plans allowed (``renewal_plan_choices``), when the caller already has them."""
    if not 1 <= months <= MAX_RENEWAL_MONTHS:
        raise BillingError(
            _("Renew for 1 to %(max)s months.") % {"max": MAX_RENEWAL_MONTHS}, code="invalid_months"
        )
    if plan not in (choices if choices is not None else renewal_plan_choices(account, now)):
        raise BillingError(_("This plan cannot be chosen for a renewal now."), code="invalid_plan")
    starts_at = max(now, account.service_ends_at)
    return Quote(
        plan=plan,
        amount_fen=renewal_price_fen(
            monthly_fen=plan.monthly_price_fen, yearly_fen=plan.yearly_price_fen, months=months
        ),
        months=months,
        starts_at=starts_at,
        ends_at=add_months_to_datetime(starts_at, months),
    )


def upgrade_plans(account: BillingAccount, now: datetime, plans: list[Plan] | None = None) -> list[Plan]:
    if not account.paid_until or account.paid_until <= now or account.state == AccountState.SUSPENDED:
        return []
    return [p for p in (plans if plans is not None else renewable_plans()) if p.rank > account.plan.rank]


def quote_upgrade(
    *, account: BillingAccount, plan: Plan, now: datetime, choices: list[Plan] | None = None
) -> Quote:
    if plan not in (choices if choices is not None else upgrade_plans(account, now)):
        raise BillingError(
            _("Only a paid period that is still running can be upgraded, to a higher plan."),
            code="invalid_upgrade",
        )
    assert account.paid_until is not None
    start = timezone.localtime(now).date()
    end = timezone.localtime(account.paid_until).date()
    amount = upgrade_price_fen(
        monthly_difference_fen=plan.monthly_price_fen - account.plan.monthly_price_fen, start=start, end=end
    )
    if amount <= 0:
        raise BillingError(_("Less than a day is left; renew instead."), code="nothing_to_upgrade")
    return Quote(plan=plan, amount_fen=amount, starts_at=now, ends_at=account.paid_until)


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


@transaction.atomic
def account_credit(
    *, provider: Any, amount_fen: int, reference: str, operator: Any, reason: str, now: datetime | None = None
) -> LedgerEntry:
    """Credit the balance for money received outside the gateways (e.g. a bank transfer)."""
    now = _now(now)
    _check_operator_amount(amount_fen)
    if not (reference or "").strip():
        raise BillingError(_("Enter the bank transfer's reference."), code="reference_required")
    account = _lock_account(provider)
    _audit(
        account=account,
        operator=operator,
        action=AuditAction.CREDIT,
        reason=reason,
        now=now,
        amount_fen=amount_fen,
        reference=reference,
    )
    return _ledger_post(
        account=account,
        kind=LedgerKind.OPERATOR_CREDIT,
        amount_fen=amount_fen,
        actor=f"operator:{_operator_name(operator)}",
        now=now,
        reference=reference.strip(),
        note=reason,
    )


@transaction.atomic
def account_refund(
    *, provider: Any, amount_fen: int, reference: str, operator: Any, reason: str, now: datetime | None = None
) -> LedgerEntry:
    """Pay part of the balance back to the provider (outside the gateways); never below zero."""
    now = _now(now)
    _check_operator_amount(amount_fen)
    account = _lock_account(provider)
    _audit(
        account=account,
        operator=operator,
        action=AuditAction.REFUND,
        reason=reason,
        now=now,
        amount_fen=amount_fen,
        reference=reference,
    )
    return _ledger_post(
        account=account,
        kind=LedgerKind.REFUND,
        amount_fen=-amount_fen,
        actor=f"operator:{_operator_name(operator)}",
        now=now,
        reference=(reference or "").strip(),
        note=reason,
    )


@transaction.atomic
def order_refund(*, order_id: int, operator: Any, reason: str, now: datetime | None = None) -> BillingOrder:
    """Refund a paid order to the provider's balance and take back what it bought: a renewal's
    months, an upgrade's plan; a refunded top-up leaves the balance (it must still be there)."""
    now = _now(now)
    account_id = BillingOrder.objects.filter(pk=order_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise OrderNotFound(_("No such order."), code="not_found")
    account = BillingAccount.objects.select_for_update(of=("self",)).select_related("plan").get(pk=account_id)
    order = (
        BillingOrder.objects.select_for_update(of=("self",))
        .select_related("plan", "from_plan")
        .get(pk=order_id)
    )
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
    actor = f"operator:{_operator_name(operator)}"
    if order.kind == OrderKind.TOP_UP:
        _ledger_post(
            account=account,
            kind=LedgerKind.REFUND,
            amount_fen=-order.amount_fen,
            actor=actor,
            now=now,
            order=order,
            reference=order.number,
            note=reason,
        )
    else:
        _ledger_post(
            account=account,
            kind=LedgerKind.REFUND,
            amount_fen=order.amount_fen,
            actor=actor,
            now=now,
            order=order,
            reference=order.number,
            note=reason,
        )
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
    account_id = BillingOrder.objects.filter(pk=order_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise OrderNotFound(_("No such order."), code="not_found")
    account = BillingAccount.objects.select_for_update(of=("self",)).select_related("plan").get(pk=account_id)
    order = (
        BillingOrder.objects.select_for_update(of=("self",))
        .select_related("plan", "from_plan")
        .get(pk=order_id)
    )
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
    _apply(
        account=account,
        order=order,
        method=PaymentMethod.BANK_TRANSFER,
        now=now,
        actor=f"operator:{_operator_name(operator)}",
    )
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


@transaction.atomic
def account_suspend(
    *, provider: Any, operator: Any, reason: str, now: datetime | None = None
) -> BillingAccount:
    now = _now(now)
    account = _lock_account(provider)
    _audit(account=account, operator=operator, action=AuditAction.SUSPEND, reason=reason, now=now)
    account.state = AccountState.SUSPENDED
    account.suspended_reason = reason.strip()[:200]
    account.state_changed_at = now
    _save_account(account, "state", "suspended_reason", "state_changed_at")
    return account


@transaction.atomic
def account_unsuspend(
    *, provider: Any, operator: Any, reason: str, now: datetime | None = None
) -> BillingAccount:
    now = _now(now)
    account = _lock_account(provider)
    if account.state != AccountState.SUSPENDED:
        raise BillingError(_("This account is not suspended."), code="not_suspended")
    _audit(account=account, operator=operator, action=AuditAction.UNSUSPEND, reason=reason, now=now)
    account.state = AccountState.TRIALING  # any non-suspended value; the dates decide below
    account.suspended_reason = ""
    account.state = account.state_at(now)
    account.state_changed_at = now
    _save_account(account, "state", "suspended_reason", "state_changed_at")
    return account


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
