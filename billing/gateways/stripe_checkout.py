"""Our thin layer over the official ``stripe`` library: Checkout Sessions in payment mode, and
webhook signature checks. No dj-stripe; nothing of Stripe's is mirrored in our database except the
session id on the order.

The client's API base comes from ``settings.STRIPE_API_BASE`` (tests point it at a loopback fake
that answers with Stripe's documented Checkout Session objects). Off unless both the secret key and
the webhook signing secret are configured.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

from billing.models import BillingOrder


class GatewayError(Exception):
    """The gateway could not be reached or refused the request; nothing was changed on our side."""


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


@functools.lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(api_key, base_addresses={"api": api_base}, max_network_retries=1)


def _client() -> stripe.StripeClient:
    if not enabled():
        raise GatewayError("Stripe is not configured.")
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    amount_total: int
    currency: str
    order_number: str
    payment_intent: str

    @property
    def is_paid(self) -> bool:
        return self.status == "complete" and self.payment_status in {"paid", "no_payment_required"}

    @property
    def is_expired(self) -> bool:
        return self.status == "expired"


def _session(obj: Any) -> CheckoutSession:
    metadata = obj.get("metadata") or {}
    intent = obj.get("payment_intent") or ""
    if not isinstance(intent, str):
        intent = intent.get("id", "")
    return CheckoutSession(
        id=str(obj["id"]),
        url=str(obj.get("url") or ""),
        status=str(obj.get("status") or ""),
        payment_status=str(obj.get("payment_status") or ""),
        amount_total=int(obj.get("amount_total") or 0),
        currency=str(obj.get("currency") or ""),
        order_number=str(obj.get("client_reference_id") or metadata.get("order_number") or ""),
        payment_intent=intent,
    )


def checkout_create(
    *, order: BillingOrder, description: str, success_url: str, cancel_url: str
) -> CheckoutSession:
    """A Checkout Session that charges exactly the order's amount, once (idempotency key per order)."""
    params: dict[str, Any] = {
        "mode": "payment",
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number, "provider_id": str(order.account.provider_id)},
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": settings.STRIPE_CURRENCY,
                    "unit_amount": order.amount_fen,
                    "product_data": {"name": description[:200]},
                },
            }
        ],
        "payment_intent_data": {"metadata": {"order_number": order.number}},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    try:
        session = _client().checkout.sessions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": f"baoxiu-order-{order.number}"},
        )
    except stripe.StripeError as exc:
        raise GatewayError(str(exc)) from exc
    return _session(session)


def session_retrieve(session_id: str) -> CheckoutSession:
    """Re-read a session from Stripe: its current state, whatever order events arrived in."""
    try:
        return _session(_client().checkout.sessions.retrieve(session_id))
    except stripe.StripeError as exc:
        raise GatewayError(str(exc)) from exc


def event_construct(payload: bytes, signature_header: str) -> stripe.Event:
    """Verify the ``Stripe-Signature`` header (HMAC-SHA256, 300 s tolerance) and parse the event.
    Raises ``ValueError`` (bad JSON) or ``stripe.SignatureVerificationError``."""
    return stripe.Webhook.construct_event(
        payload,
        signature_header,
        settings.STRIPE_WEBHOOK_SECRET,
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    )


def session_from_event(event: stripe.Event) -> CheckoutSession:
    return _session(event["data"]["object"])
