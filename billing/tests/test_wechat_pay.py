"""WeChat Pay Native through wechatpayv3 against the loopback fake, and signed, encrypted notifications."""

from __future__ import annotations

import json
import time

from django.test import override_settings

from billing import services
from billing.models import AccountState, BillingAccount, OrderStatus, PaymentMethod, WebhookEvent
from billing.payments import payment_start, sync_order
from billing.pricing import add_months_to_datetime
from billing.tests.fakes import rsa_key_pair

NOTIFY = "/billing/webhooks/wechatpay/"


def _start(provider, *, kind="renewal", months=1):
    if kind == "top_up":
        order = services.order_create_top_up(provider=provider, amount_fen=50000, method="wechat_pay")
    else:
        order = services.order_create_renewal(
            provider=provider, plan_code="basic", months=months, method="wechat_pay"
        )
    started = payment_start(provider=provider, number=order.number, method="wechat_pay", actor="staff:test")
    order.refresh_from_db()
    return order, started


def _notify(client, headers, body):
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return client.post(NOTIFY, data=body, content_type="application/json", **extra)


def _account(provider):
    return BillingAccount.objects.select_related("plan").get(provider=provider)


def test_a_trial_provider_renews_by_wechat_pay(tenant_a, wechat_fake, public_client):
    order, started = _start(tenant_a, months=3)
    assert started.qr_text.startswith("weixin://wxpay/bizpayurl?pr=")
    placed = wechat_fake.transactions[order.number]
    assert placed["amount"] == {"total": 3 * 9900, "currency": "CNY"}
    assert placed["notify_url"].endswith("/billing/webhooks/wechatpay/")

    wechat_fake.pay(order.number)
    response = _notify(public_client, *wechat_fake.notification(order.number))
    assert response.status_code == 204
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.method == PaymentMethod.WECHAT_PAY
    assert order.gateway_transaction_id.startswith("4200")
    account = _account(tenant_a)
    assert account.state == AccountState.ACTIVE
    assert account.paid_until == add_months_to_datetime(account.trial_ends_at, 3)


def test_a_top_up_by_wechat_pay_lands_in_the_balance_once(tenant_a, wechat_fake, public_client):
    order, _ = _start(tenant_a, kind="top_up")
    wechat_fake.pay(order.number)
    headers, body = wechat_fake.notification(order.number, event_id="EV-1")
    assert _notify(public_client, headers, body).status_code == 204
    assert _notify(public_client, headers, body).status_code == 204  # WeChat Pay retries: same id
    assert _account(tenant_a).balance_fen == 50000
    assert WebhookEvent.objects.filter(event_id="EV-1").count() == 1
    assert services.ledger_check() == []


def test_a_notification_signed_with_another_key_gets_400_and_changes_nothing(
    tenant_a, wechat_fake, public_client
):
    order, _ = _start(tenant_a)
    wechat_fake.pay(order.number)
    forged_private, _public = rsa_key_pair()
    response = _notify(public_client, *wechat_fake.notification(order.number, private_key=forged_private))
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not WebhookEvent.objects.exists()


def test_a_notification_with_an_unknown_key_serial_or_stale_timestamp_gets_400(
    tenant_a, wechat_fake, public_client
):
    order, _ = _start(tenant_a)
    wechat_fake.pay(order.number)
    unknown = _notify(
        public_client, *wechat_fake.notification(order.number, serial="PUB_KEY_ID_SOMEONE_ELSE")
    )
    stale = _notify(public_client, *wechat_fake.notification(order.number, timestamp=int(time.time()) - 600))
    assert unknown.status_code == stale.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not any(path.startswith("/v3/certificates") for _m, path in wechat_fake.requests)


def test_a_resource_encrypted_with_another_key_gets_400(tenant_a, wechat_fake, public_client):
    order, _ = _start(tenant_a)
    found = wechat_fake.pay(order.number)
    body = json.dumps(
        {
            "id": "EV-X",
            "create_time": "2024-01-01T00:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "resource": wechat_fake.encrypt(json.dumps(found), key="0" * 32),
        }
    )
    response = _notify(public_client, wechat_fake.signed_headers(body), body.encode())
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_notification_about_an_order_we_never_made_gets_400(tenant_a, wechat_fake, public_client):
    order, _ = _start(tenant_a)
    wechat_fake.pay(order.number)
    wechat_fake.transactions["SOMEONE-ELSES"] = dict(
        wechat_fake.transactions[order.number], out_trade_no="SOMEONE-ELSES"
    )
    assert _notify(public_client, *wechat_fake.notification("SOMEONE-ELSES")).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_qr_page_poll_reads_the_payment_when_the_notification_is_missed(tenant_a, wechat_fake):
    order, _ = _start(tenant_a)
    assert sync_order(order=order).status == OrderStatus.PENDING
    wechat_fake.pay(order.number)
    assert sync_order(order=order).status == OrderStatus.PAID


def test_asking_for_the_qr_code_twice_reuses_the_code_url(tenant_a, wechat_fake):
    order, first = _start(tenant_a)
    again = payment_start(provider=tenant_a, number=order.number, method="wechat_pay", actor="x")
    assert again.qr_text == first.qr_text
    assert sum(1 for m, p in wechat_fake.requests if p == "/v3/pay/transactions/native") >= 1


def test_a_wrong_merchant_key_is_refused_by_wechat_pay_and_the_user_is_told(tenant_a, wechat_fake, settings):
    other_private, _public = rsa_key_pair()
    with override_settings(WECHATPAY_PRIVATE_KEY=other_private):
        order = services.order_create_renewal(
            provider=tenant_a, plan_code="basic", months=1, method="wechat_pay"
        )
        try:
            payment_start(provider=tenant_a, number=order.number, method="wechat_pay", actor="x")
        except services.BillingError as exc:
            assert exc.code == "gateway_unavailable"
        else:
            raise AssertionError("a refused signature must not produce a QR code")
    order.refresh_from_db()
    assert order.gateway_url == ""


def test_without_wechat_pay_keys_it_is_not_offered(settings):
    settings.WECHATPAY_MCHID = ""
    assert PaymentMethod.WECHAT_PAY not in services.available_methods("renewal")
