"""Stripe Checkout through the official library against the loopback fake, and signed webhooks."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model

from billing import services
from billing.models import (
    AccountState,
    BillingAccount,
    BillingOrder,
    LedgerKind,
    OrderStatus,
    PaymentMethod,
    WebhookEvent,
)
from billing.payments import payment_start, sync_order
from billing.pricing import add_months_to_datetime

WEBHOOK = "/billing/webhooks/stripe/"


def _start(provider, *, months=1, plan="basic"):
    order = services.order_create_renewal(provider=provider, plan_code=plan, months=months, method="stripe")
    started = payment_start(
        provider=provider,
        number=order.number,
        method="stripe",
        actor="staff:test",
        success_url="https://tenant-a.baoxiu.test/console/account/done",
        cancel_url="https://tenant-a.baoxiu.test/console/account/",
    )
    order.refresh_from_db()
    return order, started


def _deliver(client, fake, payload, **sign):
    return client.post(
        WEBHOOK,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=fake.sign(payload, **sign),
    )


def _account(provider):
    return BillingAccount.objects.select_related("plan").get(provider=provider)


def test_a_trial_provider_renews_by_card(tenant_a, stripe_fake, public_client):
    order, started = _start(tenant_a, months=12)
    assert started.redirect_url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    session = stripe_fake.sessions[order.gateway_session_id]
    assert session["amount_total"] == 99000
    assert session["currency"] == "cny"
    assert session["client_reference_id"] == order.number
    assert session["mode"] == "payment"

    stripe_fake.pay(order.gateway_session_id)
    response = _deliver(
        public_client, stripe_fake, stripe_fake.event("checkout.session.completed", session["id"])
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.method == PaymentMethod.STRIPE
    assert order.gateway_transaction_id.startswith("pi_")
    account = _account(tenant_a)
    assert account.state == AccountState.ACTIVE
    assert account.plan.code == "basic"
    assert account.paid_until == add_months_to_datetime(account.trial_ends_at, 12)


def test_a_duplicate_delivery_of_one_event_is_processed_once(tenant_a, stripe_fake, public_client):
    order, _ = _start(tenant_a)
    stripe_fake.pay(order.gateway_session_id)
    payload = stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    first = _deliver(public_client, stripe_fake, payload)
    paid_until = _account(tenant_a).paid_until
    second = _deliver(public_client, stripe_fake, payload)
    assert first.status_code == second.status_code == 200
    assert second.json()["outcome"] == "duplicate"
    assert _account(tenant_a).paid_until == paid_until
    assert WebhookEvent.objects.filter(order=order).count() == 1


def test_a_second_event_for_the_same_payment_changes_nothing(tenant_a, stripe_fake, public_client):
    order, _ = _start(tenant_a)
    stripe_fake.pay(order.gateway_session_id)
    _deliver(
        public_client, stripe_fake, stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    )
    paid_until = _account(tenant_a).paid_until
    again = _deliver(
        public_client,
        stripe_fake,
        stripe_fake.event("checkout.session.async_payment_succeeded", order.gateway_session_id),
    )
    assert again.json()["outcome"] == "already_paid"
    assert _account(tenant_a).paid_until == paid_until


def test_events_arriving_out_of_order_end_in_the_state_stripe_holds(tenant_a, stripe_fake, public_client):
    order, _ = _start(tenant_a)
    # An "expired" event made while the session was still open is delivered after the payment.
    stale = stripe_fake.event("checkout.session.expired", order.gateway_session_id)
    stripe_fake.pay(order.gateway_session_id)
    completed = stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    assert _deliver(public_client, stripe_fake, stale).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # the session was re-read: it is complete and paid
    assert _deliver(public_client, stripe_fake, completed).json()["outcome"] == "already_paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert _account(tenant_a).paid_until == add_months_to_datetime(_account(tenant_a).trial_ends_at, 1)


def test_an_expired_session_fails_the_order_and_a_late_payment_event_cannot_revive_it(
    tenant_a, stripe_fake, public_client
):
    order, _ = _start(tenant_a)
    early_completed = stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    stripe_fake.expire(order.gateway_session_id)
    _deliver(
        public_client, stripe_fake, stripe_fake.event("checkout.session.expired", order.gateway_session_id)
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    # A (forged-looking but signed) "completed" whose session Stripe says expired changes nothing.
    assert _deliver(public_client, stripe_fake, early_completed).json()["outcome"] == "expired"
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert _account(tenant_a).paid_until is None


def test_a_forged_signature_gets_400_and_changes_nothing(tenant_a, stripe_fake, public_client):
    order, _ = _start(tenant_a)
    stripe_fake.pay(order.gateway_session_id)
    payload = stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    forged = _deliver(public_client, stripe_fake, payload, secret="whsec_not_ours")
    missing = public_client.post(WEBHOOK, data=payload, content_type="application/json")
    tampered = public_client.post(
        WEBHOOK,
        data=payload.replace(b'"livemode": false', b'"livemode": true'),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_fake.sign(payload),
    )
    assert forged.status_code == missing.status_code == tampered.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not WebhookEvent.objects.exists()


def test_a_replayed_event_older_than_five_minutes_is_refused(tenant_a, stripe_fake, public_client):
    order, _ = _start(tenant_a)
    stripe_fake.pay(order.gateway_session_id)
    payload = stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    old = _deliver(public_client, stripe_fake, payload, timestamp=int(time.time()) - 301)
    assert old.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_signed_event_about_a_session_we_never_made_gets_400(tenant_a, stripe_fake, public_client):
    session = stripe_fake.create_session(
        {
            "mode": "payment",
            "client_reference_id": "NOT-OURS",
            "line_items": [{"quantity": "1", "price_data": {"currency": "cny", "unit_amount": "100"}}],
        }
    )
    stripe_fake.pay(session["id"])
    response = _deliver(
        public_client, stripe_fake, stripe_fake.event("checkout.session.completed", session["id"])
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_other_event_types_are_acknowledged_and_ignored(stripe_fake, public_client):
    payload = b'{"id": "evt_1", "object": "event", "type": "customer.created", "data": {"object": {}}}'
    response = _deliver(public_client, stripe_fake, payload)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


def test_a_wrong_amount_is_not_applied(tenant_a, stripe_fake, public_client):
    order, _ = _start(tenant_a)
    stripe_fake.pay(order.gateway_session_id)["amount_total"] = 1
    response = _deliver(
        public_client, stripe_fake, stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not WebhookEvent.objects.exists()


def test_a_card_payment_of_an_order_already_paid_from_balance_is_credited(
    tenant_a, stripe_fake, public_client
):
    operator = get_user_model().objects.create_user("ops-bob", password="x", is_staff=True)
    services.account_credit(provider=tenant_a, amount_fen=9900, reference="B", operator=operator, reason="t")
    order, _ = _start(tenant_a)
    payment_start(provider=tenant_a, number=order.number, method="balance", actor="staff:test")
    stripe_fake.pay(order.gateway_session_id)
    payload = stripe_fake.event("checkout.session.completed", order.gateway_session_id)
    assert _deliver(public_client, stripe_fake, payload).json()["outcome"] == "credited_duplicate"
    account = _account(tenant_a)
    assert account.balance_fen == 9900
    assert account.ledger.filter(kind=LedgerKind.TOP_UP, order=order).count() == 1
    assert services.ledger_check() == []


def test_the_return_page_reads_the_session_when_the_webhook_is_late(tenant_a, stripe_fake):
    order, _ = _start(tenant_a)
    stripe_fake.pay(order.gateway_session_id)
    assert sync_order(order=order).status == OrderStatus.PAID
    assert _account(tenant_a).state == AccountState.ACTIVE


def test_starting_twice_reuses_the_open_session(tenant_a, stripe_fake):
    order, first = _start(tenant_a)
    again = payment_start(provider=tenant_a, number=order.number, method="stripe", actor="x")
    assert again.redirect_url == first.redirect_url
    assert BillingOrder.objects.get(pk=order.pk).gateway_session_id == order.gateway_session_id


def test_without_stripe_keys_card_payment_is_not_offered(tenant_a, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert PaymentMethod.STRIPE not in services.available_methods("renewal")
    with pytest.raises(services.BillingError):
        services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="stripe")
