"""Billing across apps: a provider in trial pays by card, by WeChat Pay and from its balance,
upgrades to premium and may then use asset sync; a basic-plan provider is refused with an upgrade
prompt; reminders reach the provider's admins by SMS, once."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.entitlements import provider_may
from billing.models import AccountState, BillingAccount, BillingOrder, BillingReminder, OrderStatus
from billing.tasks import send_reminders
from billing.tests.fixtures import _stripe_server, _wechat_server, stripe_fake, wechat_fake, wechat_keys
from integrations.billing_reminders import deliver
from integrations.sms.gateway import DevBackend
from tests.actors import client_for

__all__ = ["_stripe_server", "_wechat_server", "stripe_fake", "wechat_fake", "wechat_keys"]


def _account(provider):
    return BillingAccount.objects.select_related("plan").get(provider=provider)


def _latest(provider):
    return BillingOrder.objects.filter(account__provider=provider).order_by("-id").first()


def test_a_trial_provider_pays_every_way_then_upgrades_and_may_sync_assets(
    actors, stripe_fake, wechat_fake, public_client
):
    tenant = actors.tenant_a
    owner = client_for(tenant, actors.owner_a)
    assert not provider_may(tenant, "asset_sync")

    # 1. Card: Stripe Checkout, confirmed by a signed webhook.
    owner.post(reverse("console:account-renew"), {"plan": "basic", "months": "1", "method": "stripe"})
    card = _latest(tenant)
    stripe_fake.pay(card.gateway_session_id)
    payload = stripe_fake.event("checkout.session.completed", card.gateway_session_id)
    public_client.post(
        "/billing/webhooks/stripe/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_fake.sign(payload),
    )
    account = _account(tenant)
    assert account.state == AccountState.ACTIVE
    after_card = account.paid_until
    assert after_card is not None

    # 2. WeChat Pay: QR code, confirmed by a signed, encrypted notification.
    owner.post(reverse("console:account-renew"), {"plan": "basic", "months": "1", "method": "wechat_pay"})
    wechat = _latest(tenant)
    wechat_fake.pay(wechat.number)
    headers, body = wechat_fake.notification(wechat.number)
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    assert (
        public_client.post(
            "/billing/webhooks/wechatpay/", body, content_type="application/json", **extra
        ).status_code
        == 204
    )
    after_wechat = _account(tenant).paid_until
    assert after_wechat is not None and after_wechat > after_card

    # 3. Balance: top up by WeChat Pay, then renew from the balance.
    owner.post(reverse("console:account-top-up"), {"amount": "1000", "method": "wechat_pay"})
    top_up = _latest(tenant)
    wechat_fake.pay(top_up.number)
    cache.clear()
    owner.get(reverse("console:account-order-status", kwargs={"number": top_up.number}))  # the QR page's poll
    assert _account(tenant).balance_fen == 100000
    owner.post(reverse("console:account-renew"), {"plan": "basic", "months": "1", "method": "balance"})
    assert _latest(tenant).status == OrderStatus.PAID
    assert _account(tenant).paid_until > after_wechat

    # 4. Upgrade to premium from the balance: asset sync is now allowed.
    page = owner.get(reverse("console:account")).content.decode()
    assert "升级到高级版" in page
    owner.post(reverse("console:account-upgrade"), {"plan": "premium", "method": "balance"})
    upgrade = _latest(tenant)
    assert upgrade.status == OrderStatus.PAID
    assert _account(tenant).plan.code == "premium"
    assert provider_may(tenant, "asset_sync")
    assert provider_may(tenant, "custom_domain")
    assert services.ledger_check() == []


def test_a_basic_plan_provider_may_not_sync_assets(actors):
    operator_name = type("Operator", (), {"get_username": lambda self: "ops-erin", "pk": None})()
    services.account_change_plan(
        provider=actors.tenant_b, plan_code="basic", operator=operator_name, reason="test"
    )
    assert not provider_may(actors.tenant_b, "asset_sync")
    assert provider_may(actors.tenant_b, "wechat")


def test_reminders_reach_the_admins_by_sms_once(actors):
    tenant = actors.tenant_a
    BillingAccount.objects.filter(provider=tenant).update(trial_ends_at=timezone.now() + timedelta(days=2))
    DevBackend.outbox.clear()
    assert send_reminders() >= 1
    texts = [m.text() for m in DevBackend.outbox if m.phone == actors.owner_a.phone]
    assert len(texts) == 1
    assert tenant.name in texts[0] and "续费" in texts[0]
    reminder = BillingReminder.objects.get(account__provider=tenant)
    assert reminder.delivered_at is not None
    send_reminders()
    deliver(reminder_id=reminder.pk)
    assert len([m for m in DevBackend.outbox if m.phone == actors.owner_a.phone]) == 1
