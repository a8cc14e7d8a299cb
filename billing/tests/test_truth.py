"""Issue 13, billing correctness: what operators and providers are shown about money and
suspensions must be true.

- the operator dashboard counts every paid order and every credit, by payment method, with money
  counted once (a balance payment spends money already received as a credit or top-up);
- an upgrade prices only the paid days left, never the free trial's;
- a provider suspended by the operator is told why and how to reach the platform.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from billing import services
from billing.models import BillingAccount, PaymentMethod, Plan
from billing.selectors import operator_dashboard
from tenants.models import Provider, ProviderStatus
from tenants.services import provider_set_status
from tests.actors import client_for, host_of, public_host

DASHBOARD = "/operator/billing/dashboard/"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("ops-truth", password="ops-password-1")


def _pay_from_balance(provider, *, plan_code="basic", months=1):
    order = services.order_create_renewal(
        provider=provider, plan_code=plan_code, months=months, method=PaymentMethod.BALANCE
    )
    return services.order_pay_from_balance(provider=provider, number=order.number, actor="staff:test")


def _pay_by_card(provider, *, plan_code="basic", months=1):
    order = services.order_create_renewal(
        provider=provider, plan_code=plan_code, months=months, method=PaymentMethod.BALANCE
    )
    payment = services.GatewayPayment(
        order_number=order.number, amount_fen=order.amount_fen, currency="cny", transaction_id="pi_1"
    )
    paid, _outcome = services.order_confirm_gateway_payment(payment=payment, method=PaymentMethod.STRIPE)
    return paid


# --- The operator dashboard ---------------------------------------------------------------------------


def test_a_bank_credit_and_two_orders_paid_from_it_show_on_the_dashboard(actors, operator):
    """The reported case: ¥500 credited by bank transfer, two orders paid from that balance; the
    dashboard said ¥0.00 and 0 paid orders for the month."""
    services.account_credit(
        provider=actors.tenant_b, amount_fen=50000, reference="ICBC-500", operator=operator, reason="到账"
    )
    _pay_from_balance(actors.tenant_b)
    _pay_from_balance(actors.tenant_b)

    month = operator_dashboard().revenue[-1]
    assert month.orders == 2
    assert month.by_method[PaymentMethod.BALANCE] == 19800
    assert month.credits_fen == 50000
    assert month.amount_fen == 50000  # received once: the credit, not again when it was spent

    client = Client(HTTP_HOST=public_host())
    client.force_login(operator)
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "500.00" in page
    assert "198.00" in page


def test_revenue_by_method_counts_money_once_and_takes_refunds_out(actors, operator):
    services.account_credit(
        provider=actors.tenant_b, amount_fen=30000, reference="ICBC-1", operator=operator, reason="到账"
    )
    _pay_from_balance(actors.tenant_b)  # ¥99 from the credit: not new money
    card = _pay_by_card(actors.tenant_a)  # ¥99 by card: new money
    transfer = services.order_create_renewal(
        provider=actors.tenant_a, plan_code="basic", months=3, method=PaymentMethod.BALANCE
    )
    services.order_mark_paid_by_transfer(
        order_id=transfer.pk, reference="ABC-3", operator=operator, reason="arrived"
    )  # ¥297 by bank transfer
    services.account_refund(
        provider=actors.tenant_b, amount_fen=5000, reference="PAYOUT-1", operator=operator, reason="退款"
    )  # ¥50 paid back out of the balance
    services.order_refund(order_id=card.pk, operator=operator, reason="误购")  # ¥99 back to the balance

    month = operator_dashboard().revenue[-1]
    assert month.orders == 3  # every order paid this month, refunded or not
    assert month.by_method[PaymentMethod.STRIPE] == 9900
    assert month.by_method[PaymentMethod.BALANCE] == 9900
    assert month.by_method[PaymentMethod.BANK_TRANSFER] == 29700
    assert month.by_method[PaymentMethod.WECHAT_PAY] == 0
    assert month.credits_fen == 30000
    assert month.refunds_out_fen == 5000
    assert month.refunds_to_balance_fen == 9900
    # Money received: card + transfer + credit - what was paid back out.
    assert month.amount_fen == 9900 + 29700 + 30000 - 5000
    # Service sold: the renewals, whatever paid them, less the order refunded to the balance.
    assert month.sales_fen == 9900 + 9900 + 29700 - 9900


def test_top_ups_are_money_received_by_their_gateway(actors, operator, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    top_up = services.order_create_top_up(provider=actors.tenant_a, amount_fen=20000, method="stripe")
    services.order_confirm_gateway_payment(
        payment=services.GatewayPayment(top_up.number, 20000, "cny", "pi_top"), method=PaymentMethod.STRIPE
    )
    _pay_from_balance(actors.tenant_a)
    month = operator_dashboard().revenue[-1]
    assert month.orders == 2
    assert month.by_method[PaymentMethod.STRIPE] == 20000
    assert month.top_ups_fen == 20000
    assert month.amount_fen == 20000  # the top-up; its ¥99 spent from the balance is not counted again
    assert month.sales_fen == 9900


def test_the_dashboard_sits_in_the_operator_chrome(actors, operator):
    client = Client(HTTP_HOST=public_host())
    client.force_login(operator)
    page = client.get(DASHBOARD).content.decode()
    assert 'id="nav-sidebar"' in page  # the same sidebar as every operator page
    assert "/operator/logout/" in page
    assert "/operator/tenants/provider/" in page
    assert "运营后台" in page


# --- Upgrades prorate paid time only ---------------------------------------------------------------


def test_an_upgrade_after_renewing_in_the_trial_prices_only_the_paid_month(tenant_a, operator):
    """¥99 for basic during the trial, then premium: the difference is for the paid month only, so
    the provider pays ¥299 in all, as if it had bought premium directly."""
    now = timezone.now()
    account = BillingAccount.objects.get(provider=tenant_a)
    assert account.trial_ends_at - now > timedelta(days=10)
    services.account_credit(
        provider=tenant_a, amount_fen=100000, reference="R", operator=operator, reason="到账"
    )
    renewal = _pay_from_balance(tenant_a)
    account = BillingAccount.objects.select_related("plan").get(provider=tenant_a)
    premium = Plan.objects.get(code="premium")
    quote = services.quote_upgrade(account=account, plan=premium, now=now)
    assert quote.amount_fen == premium.monthly_price_fen - account.plan.monthly_price_fen == 20000
    assert quote.starts_at == account.trial_ends_at  # the paid period starts when the trial ends
    upgrade = services.order_create_upgrade(provider=tenant_a, plan_code="premium", method="balance", now=now)
    assert renewal.amount_fen + upgrade.amount_fen == 29900


def test_an_upgrade_once_the_trial_is_over_prices_the_days_left(tenant_a, operator):
    services.account_credit(
        provider=tenant_a, amount_fen=100000, reference="R", operator=operator, reason="到账"
    )
    _pay_from_balance(tenant_a)
    account = BillingAccount.objects.select_related("plan").get(provider=tenant_a)
    assert account.paid_until is not None
    halfway = account.trial_ends_at + (account.paid_until - account.trial_ends_at) / 2
    quote = services.quote_upgrade(account=account, plan=Plan.objects.get(code="premium"), now=halfway)
    assert 9000 < quote.amount_fen < 11000  # about half a month's ¥200 difference
    assert quote.starts_at == halfway


# --- A suspended provider is told why and whom to ask ----------------------------------------------


def test_a_suspended_providers_pages_give_the_reason_and_the_platform_contact(actors, settings):
    settings.PLATFORM_SUPPORT_PHONE = "400-800-1234"
    settings.PLATFORM_SUPPORT_EMAIL = "help@baoxiu.test"
    provider_set_status(
        provider=Provider.objects.get(pk=actors.tenant_a.pk),
        status=ProviderStatus.SUSPENDED,
        reason="营业执照已过期",
    )
    console = client_for(actors.tenant_a, actors.owner_a).get("/console/")
    assert console.status_code == 503
    page = console.content.decode()
    assert "营业执照已过期" in page
    assert "400-800-1234" in page
    assert "help@baoxiu.test" in page
    customer = Client(HTTP_HOST=host_of(actors.tenant_a)).get("/", HTTP_ACCEPT_LANGUAGE="en")
    text = customer.content.decode()
    assert customer.status_code == 503
    assert "营业执照已过期" in text and "400-800-1234" in text


def test_a_billing_suspension_shows_the_reason_and_contact_in_the_console(actors, operator, settings):
    settings.PLATFORM_SUPPORT_PHONE = "400-800-1234"
    settings.PLATFORM_SUPPORT_EMAIL = "help@baoxiu.test"
    services.account_suspend(provider=actors.tenant_a, operator=operator, reason="付款争议待处理")
    owner = client_for(actors.tenant_a, actors.owner_a)
    home = owner.get("/console/").content.decode()
    assert "付款争议待处理" in home
    assert "400-800-1234" in home
    refused = owner.post("/console/settings/", {})
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "付款争议待处理" in body and "help@baoxiu.test" in body
    assert BillingAccount.objects.get(provider=actors.tenant_a).state == "suspended"
