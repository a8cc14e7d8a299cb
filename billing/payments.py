"""Paying orders through the gateways: starting a payment, re-reading its state, and processing
the gateways' notifications.

Gateway calls are network calls, so they live here and not in ``services`` (whose functions are
pure database transactions). What must stay true:

- a notification is processed once per gateway event id (``WebhookEvent``, unique), recorded in
  the same transaction as its effect, so a crash in between lets the gateway's retry redo both;
- Stripe notifications are treated as hints: the Checkout Session is re-read from Stripe and the
  order's fate follows the session's current state, so duplicates and out-of-order deliveries
  converge on the same result;
- a payment is never lost: a second payment of an already-paid order (two sessions paid, say)
  is credited to the balance, once per gateway transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.gateways import stripe_checkout, wechat_pay
from billing.gateways.stripe_checkout import GatewayError
from billing.models import (
    BillingAccount,
    BillingOrder,
    LedgerEntry,
    LedgerKind,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    WebhookEvent,
    WebhookSource,
)
from billing.services import (
    BillingError,
    GatewayPayment,
    OrderNotFound,
    _ledger_post,
    order_attach_gateway,
    order_confirm_gateway_payment,
    order_mark_failed,
    order_pay_from_balance,
)

logger = logging.getLogger(__name__)

STRIPE_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)


class UnknownNotification(Exception):
    """A correctly signed notification about nothing we know (answered with 400)."""


def order_description(order: BillingOrder) -> str:
    plan = order.plan.display_name if order.plan else ""
    if order.kind == OrderKind.RENEWAL:
        return _("Baoxiu %(plan)s, %(months)s months (order %(number)s)") % {
            "plan": plan,
            "months": order.months,
            "number": order.number,
        }
    if order.kind == OrderKind.UPGRADE:
        return _("Baoxiu upgrade to %(plan)s (order %(number)s)") % {"plan": plan, "number": order.number}
    return _("Baoxiu balance top-up (order %(number)s)") % {"number": order.number}


@dataclass(frozen=True)
class PaymentStart:
    order: BillingOrder
    redirect_url: str = ""  # Stripe Checkout
    qr_text: str = ""  # WeChat Pay code_url
    done: bool = False  # paid at once (balance)


def _order_of(provider: Any, number: str) -> BillingOrder:
    provider_id = int(provider if isinstance(provider, int) else provider.pk)
    order = (
        BillingOrder.objects.select_related("plan", "account")
        .filter(account__provider_id=provider_id, number=number)
        .first()
    )
    if order is None:
        raise OrderNotFound(_("No such order."), code="not_found")
    return order


def payment_start(
    *, provider: Any, number: str, method: str, actor: str, success_url: str = "", cancel_url: str = ""
) -> PaymentStart:
    """Start paying one of the provider's orders with ``method``."""
    from billing.services import available_methods

    order = _order_of(provider, number)
    if order.status == OrderStatus.PAID:
        return PaymentStart(order=order, done=True)
    if order.status != OrderStatus.PENDING:
        raise BillingError(_("This order can no longer be paid."), code="not_payable")
    if method not in available_methods(order.kind):
        raise BillingError(_("This payment method is not available."), code="invalid_method")
    if method == PaymentMethod.BALANCE:
        return PaymentStart(
            order=order_pay_from_balance(provider=provider, number=number, actor=actor), done=True
        )
    try:
        if method == PaymentMethod.STRIPE:
            return _stripe_start(order, success_url=success_url, cancel_url=cancel_url)
        return _wechat_start(order)
    except GatewayError as exc:
        logger.warning("billing order %s: %s could not start: %s", order.number, method, exc)
        raise BillingError(
            _("The payment service is not answering; try again in a minute or choose another method."),
            code="gateway_unavailable",
        ) from exc


def _stripe_start(order: BillingOrder, *, success_url: str, cancel_url: str) -> PaymentStart:
    # The order row is locked while the session is made, so a double click makes one session.
    with transaction.atomic():
        locked = BillingOrder.objects.select_for_update().get(pk=order.pk)
        if locked.method == PaymentMethod.STRIPE and locked.gateway_session_id:
            existing = stripe_checkout.session_retrieve(locked.gateway_session_id)
            if existing.status == "open" and existing.url:
                return PaymentStart(order=locked, redirect_url=existing.url)
            if existing.is_paid:
                sync_order(order=locked)
                return PaymentStart(order=locked, done=True)
        session = stripe_checkout.checkout_create(
            order=order, description=order_description(order), success_url=success_url, cancel_url=cancel_url
        )
        order_attach_gateway(
            order_id=order.pk, session_id=session.id, url=session.url, method=PaymentMethod.STRIPE
        )
    return PaymentStart(order=order, redirect_url=session.url)


def _wechat_start(order: BillingOrder) -> PaymentStart:
    with transaction.atomic():
        locked = BillingOrder.objects.select_for_update().get(pk=order.pk)
        if locked.method == PaymentMethod.WECHAT_PAY and locked.gateway_url:
            return PaymentStart(order=locked, qr_text=locked.gateway_url)
        code_url = wechat_pay.native_create(
            order_number=order.number, amount_fen=order.amount_fen, description=order_description(order)
        )
        order_attach_gateway(order_id=order.pk, url=code_url, method=PaymentMethod.WECHAT_PAY)
    return PaymentStart(order=order, qr_text=code_url)


def _confirm(payment: GatewayPayment, method: str, now: datetime | None = None) -> str:
    """Apply a confirmed payment; a second, different transaction for a paid order is credited."""
    order, outcome = order_confirm_gateway_payment(payment=payment, method=method, now=now)
    if (
        outcome == "already_paid"
        and payment.transaction_id
        and payment.transaction_id != order.gateway_transaction_id
    ):
        return _credit_duplicate(order, payment, method, now or timezone.now())
    return outcome


@transaction.atomic
def _credit_duplicate(order: BillingOrder, payment: GatewayPayment, method: str, now: datetime) -> str:
    account = BillingAccount.objects.select_for_update(of=("self",)).get(pk=order.account_id)
    if LedgerEntry.objects.filter(account=account, reference=payment.transaction_id[:120]).exists():
        return "already_paid"
    _ledger_post(
        account=account,
        kind=LedgerKind.TOP_UP,
        amount_fen=payment.amount_fen,
        actor=f"gateway:{method}",
        now=now,
        order=order,
        reference=payment.transaction_id,
        note="second payment of an order already paid; credited to balance",
    )
    logger.warning(
        "billing order %s paid twice (%s); credited to balance", order.number, payment.transaction_id
    )
    return "credited_duplicate"


def sync_order(*, order: BillingOrder, now: datetime | None = None) -> BillingOrder:
    """Re-read a pending order's payment at its gateway and record the outcome. Used by the Stripe
    return page and the WeChat Pay QR page's polling, so a missed notification never leaves a paid
    order pending. Gateway trouble leaves the order as it is."""
    if order.status != OrderStatus.PENDING:
        return order
    try:
        if order.method == PaymentMethod.STRIPE and order.gateway_session_id and stripe_checkout.enabled():
            session = stripe_checkout.session_retrieve(order.gateway_session_id)
            if session.order_number == order.number:
                _apply_stripe_session(session, now=now)
        elif order.method == PaymentMethod.WECHAT_PAY and order.gateway_url and wechat_pay.enabled():
            found = wechat_pay.transaction_query(order.number)
            if found is not None:
                _apply_wechat_transaction(found, now=now)
    except GatewayError as exc:
        logger.warning("billing order %s: could not re-read the gateway: %s", order.number, exc)
    except BillingError as exc:
        logger.error("billing order %s: %s", order.number, exc)
    order.refresh_from_db()
    return order


def _apply_stripe_session(session: stripe_checkout.CheckoutSession, now: datetime | None = None) -> str:
    if session.is_paid:
        payment = GatewayPayment(
            order_number=session.order_number,
            amount_fen=session.amount_total,
            currency=session.currency,
            transaction_id=session.payment_intent or session.id,
        )
        return _confirm(payment, PaymentMethod.STRIPE, now)
    if session.is_expired:
        order_mark_failed(number=session.order_number, reason=_("Card payment session expired."), now=now)
        return "expired"
    return "open"


def _apply_wechat_transaction(found: wechat_pay.Transaction, now: datetime | None = None) -> str:
    if found.is_paid:
        payment = GatewayPayment(
            order_number=found.out_trade_no,
            amount_fen=found.amount_fen,
            currency=found.currency,
            transaction_id=found.transaction_id,
        )
        return _confirm(payment, PaymentMethod.WECHAT_PAY, now)
    if found.trade_state in {"CLOSED", "REVOKED", "PAYERROR"}:
        order_mark_failed(number=found.out_trade_no, reason=_("WeChat Pay order closed."), now=now)
        return "closed"
    return found.trade_state.lower() or "pending"


def _record_event(source: str, event_id: str, event_type: str, order: BillingOrder) -> bool:
    """Record an event id inside the caller's transaction; False when it was processed already."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(source=source, event_id=event_id, event_type=event_type, order=order)
    except IntegrityError:
        return False
    return True


def stripe_webhook_process(*, payload: bytes, signature: str, now: datetime | None = None) -> str:
    """Verify and process one Stripe notification. Raises ``ValueError`` /
    ``stripe.SignatureVerificationError`` (forged), ``UnknownNotification`` (not ours),
    ``GatewayError`` (Stripe unreachable: answer 5xx so Stripe retries)."""
    event = stripe_checkout.event_construct(payload, signature)
    event_id, event_type = str(event["id"]), str(event["type"])
    if event_type not in STRIPE_EVENTS:
        return "ignored"
    if WebhookEvent.objects.filter(source=WebhookSource.STRIPE, event_id=event_id).exists():
        return "duplicate"
    hinted = stripe_checkout.session_from_event(event)
    order = BillingOrder.objects.filter(number=hinted.order_number).first() if hinted.order_number else None
    if order is None:
        order = BillingOrder.objects.filter(gateway_session_id=hinted.id).first()
    if order is None:
        raise UnknownNotification(f"no order for Checkout Session {hinted.id}")
    session = stripe_checkout.session_retrieve(hinted.id)
    if session.order_number != order.number:
        raise UnknownNotification(f"session {session.id} is not order {order.number}'s")
    with transaction.atomic():
        if not _record_event(WebhookSource.STRIPE, event_id, event_type, order):
            return "duplicate"
        outcome = _apply_stripe_session(session, now=now)
        WebhookEvent.objects.filter(source=WebhookSource.STRIPE, event_id=event_id).update(outcome=outcome)
    return outcome


def wechat_notification_process(*, headers: dict[str, str], body: bytes, now: datetime | None = None) -> str:
    """Verify, decrypt and process one WeChat Pay notification. Raises
    ``wechat_pay.ForgedNotification`` or ``UnknownNotification``."""
    note = wechat_pay.notification_parse(headers, body)
    order = BillingOrder.objects.filter(number=note.transaction.out_trade_no).first()
    if order is None:
        raise UnknownNotification(f"no order {note.transaction.out_trade_no}")
    with transaction.atomic():
        if not _record_event(WebhookSource.WECHAT_PAY, note.id, note.event_type, order):
            return "duplicate"
        outcome = _apply_wechat_transaction(note.transaction, now=now)
        WebhookEvent.objects.filter(source=WebhookSource.WECHAT_PAY, event_id=note.id).update(outcome=outcome)
    return outcome


__all__ = [
    "GatewayError",
    "PaymentStart",
    "UnknownNotification",
    "payment_start",
    "stripe_webhook_process",
    "sync_order",
    "wechat_notification_process",
]
