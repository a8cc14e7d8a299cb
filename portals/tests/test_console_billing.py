"""我的账户 in the console: what an admin sees and can do, who cannot, and the expiry rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django_tenants.utils import schema_context

from billing import services
from billing.models import AccountState, BillingAccount, BillingOrder, OrderStatus
from billing.tests.fixtures import _stripe_server, _wechat_server, stripe_fake, wechat_fake, wechat_keys
from portals.console.billing_views import feature_required
from tests.actors import client_for

__all__ = ["_stripe_server", "_wechat_server", "stripe_fake", "wechat_fake", "wechat_keys"]

ACCOUNT = "/console/account/"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_user("ops-carol", password="x", is_staff=True)


@pytest.fixture
def owner_client(actors):
    return client_for(actors.tenant_a, actors.owner_a)


def _credit(provider, operator, fen):
    services.account_credit(
        provider=provider, amount_fen=fen, reference="T", operator=operator, reason="test"
    )


def _account(provider):
    return BillingAccount.objects.select_related("plan").get(provider=provider)


def test_an_admin_sees_the_trial_end_balance_and_an_empty_order_list(owner_client, tenant_a):
    response = owner_client.get(ACCOUNT)
    assert response.status_code == 200
    body = response.content.decode()
    account = _account(tenant_a)
    assert "试用版" in body
    assert "0.00" in body
    for column in ("订单编号", "类型", "支付方式", "状态", "订单金额", "订单创建人", "订单备注"):
        assert column in body
    assert "暂无数据" in body
    assert f"{account.trial_ends_at:%Y}" in body


def test_an_engineer_cannot_open_my_account(actors):
    response = client_for(actors.tenant_a, actors.engineer_a).get(ACCOUNT)
    assert response.status_code == 403


def test_renewing_from_the_balance_through_the_console(owner_client, tenant_a, operator, actors):
    _credit(tenant_a, operator, 20000)
    response = owner_client.post(
        reverse("console:account-renew"),
        {"plan": "basic", "months": "1", "method": "balance", "note": "续一个月"},
    )
    order = BillingOrder.objects.get(account__provider=tenant_a)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/console/account/orders/{order.number}/")
    assert order.status == OrderStatus.PAID
    assert order.creator_phone == actors.owner_a.phone
    assert order.note == "续一个月"
    account = _account(tenant_a)
    assert account.state == AccountState.ACTIVE
    assert account.balance_fen == 20000 - 9900
    page = owner_client.get(ACCOUNT).content.decode()
    assert order.number in page
    assert "续一个月" in page
    assert "101.00" in page


def test_a_refused_payment_keeps_the_order_and_says_why(owner_client, tenant_a):
    response = owner_client.post(
        reverse("console:account-renew"), {"plan": "basic", "months": "1", "method": "balance"}, follow=True
    )
    order = BillingOrder.objects.get(account__provider=tenant_a)
    assert order.status == OrderStatus.PENDING
    assert "99.00" in response.content.decode()
    assert response.status_code == 200


def test_bad_input_is_shown_on_the_page_and_creates_nothing(owner_client, tenant_a):
    response = owner_client.post(
        reverse("console:account-renew"), {"plan": "basic", "months": "99", "method": "x"}
    )
    assert response.status_code == 200
    assert not BillingOrder.objects.filter(account__provider=tenant_a).exists()
    bad_amount = owner_client.post(reverse("console:account-top-up"), {"amount": "abc", "method": "balance"})
    assert bad_amount.status_code == 200
    assert not BillingOrder.objects.filter(account__provider=tenant_a).exists()


def test_without_gateway_keys_only_the_balance_is_offered(owner_client):
    body = owner_client.get(ACCOUNT).content.decode()
    assert 'name="method" value="balance"' in body
    assert 'name="method" value="stripe"' not in body
    assert 'name="method" value="wechat_pay"' not in body


def test_paying_by_card_redirects_to_stripe_checkout(owner_client, tenant_a, stripe_fake):
    response = owner_client.post(
        reverse("console:account-renew"), {"plan": "premium", "months": "12", "method": "stripe"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    order = BillingOrder.objects.get(account__provider=tenant_a)
    session = stripe_fake.sessions[order.gateway_session_id]
    assert session["amount_total"] == 299000
    assert session["success_url"].endswith(f"/console/account/orders/{order.number}/return/")
    stripe_fake.pay(order.gateway_session_id)
    back = owner_client.get(session["success_url"].split("baoxiu.test", 1)[1])
    assert back.status_code == 200
    assert _account(tenant_a).plan.code == "premium"


def test_paying_by_wechat_shows_a_qr_code_that_turns_paid(owner_client, tenant_a, wechat_fake):
    response = owner_client.post(reverse("console:account-top-up"), {"amount": "200", "method": "wechat_pay"})
    order = BillingOrder.objects.get(account__provider=tenant_a)
    assert response["Location"].endswith(f"/console/account/orders/{order.number}/")
    page = owner_client.get(response["Location"]).content.decode()
    assert reverse("console:account-order-qr", kwargs={"number": order.number}) in page
    qr = owner_client.get(reverse("console:account-order-qr", kwargs={"number": order.number}))
    assert qr["Content-Type"] == "image/svg+xml"
    status_url = reverse("console:account-order-status", kwargs={"number": order.number})
    assert owner_client.get(status_url).json()["status"] == OrderStatus.PENDING
    wechat_fake.pay(order.number)
    from django.core.cache import cache

    cache.clear()  # the poll re-reads WeChat Pay at most every few seconds per order
    assert owner_client.get(status_url).json()["status"] == OrderStatus.PAID
    assert _account(tenant_a).balance_fen == 20000


def test_another_provider_can_never_see_or_pay_an_order(actors, operator):
    order = services.order_create_renewal(
        provider=actors.tenant_a, plan_code="basic", months=1, method="balance"
    )
    _credit(actors.tenant_b, operator, 50000)
    outsider = client_for(actors.tenant_b, actors.outsider)
    for name in ("console:account-order", "console:account-order-status", "console:account-order-return"):
        assert outsider.get(reverse(name, kwargs={"number": order.number})).status_code == 404
    paid = outsider.post(
        reverse("console:account-order-pay", kwargs={"number": order.number}), {"method": "balance"}
    )
    cancelled = outsider.post(reverse("console:account-order-cancel", kwargs={"number": order.number}))
    assert paid.status_code == cancelled.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert _account(actors.tenant_b).balance_fen == 50000
    assert order.number not in outsider.get(ACCOUNT).content.decode()


def test_the_order_list_filters_and_stays_within_a_fixed_number_of_queries(
    owner_client, tenant_a, django_assert_max_num_queries
):
    for months in (1, 2, 3):
        services.order_create_renewal(provider=tenant_a, plan_code="basic", months=months, method="balance")
    cancelled = services.order_create_renewal(
        provider=tenant_a, plan_code="premium", months=1, method="balance"
    )
    services.order_cancel(provider=tenant_a, number=cancelled.number)
    with django_assert_max_num_queries(25):
        page = owner_client.get(ACCOUNT, {"status": "cancelled"}).content.decode()
    assert cancelled.number in page
    assert page.count("/console/account/orders/") == 1
    for _ in range(20):
        services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    with django_assert_max_num_queries(25):
        owner_client.get(ACCOUNT)


def test_cancelling_an_unpaid_order(owner_client, tenant_a):
    order = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    owner_client.post(reverse("console:account-order-cancel", kwargs={"number": order.number}))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_an_expired_console_is_read_only_except_billing(owner_client, tenant_a, operator):
    account = _account(tenant_a)
    services.accounts_advance(now=account.trial_ends_at + timedelta(days=8))
    assert owner_client.get("/console/").status_code == 200
    blocked = owner_client.post("/console/settings/", {})
    assert blocked.status_code == 403
    assert "只读" in blocked.content.decode() or "Read-only" in blocked.content.decode()
    _credit(tenant_a, operator, 9900)
    renewed = owner_client.post(
        reverse("console:account-renew"), {"plan": "basic", "months": "1", "method": "balance"}
    )
    assert renewed.status_code == 302
    assert _account(tenant_a).state == AccountState.ACTIVE
    assert owner_client.post("/console/settings/", {}).status_code != 403


def test_grace_shows_a_banner_on_every_console_page(owner_client, tenant_a):
    services.accounts_advance(now=_account(tenant_a).trial_ends_at + timedelta(hours=1))
    body = owner_client.get("/console/").content.decode()
    assert "billing-banner" in body
    assert reverse("console:account") in body


def test_a_basic_plan_provider_is_refused_a_premium_feature_with_an_upgrade_prompt(
    tenant_a, actors, operator
):
    services.account_change_plan(provider=tenant_a, plan_code="basic", operator=operator, reason="test")

    @feature_required("asset_sync")
    def asset_binding(request):
        raise AssertionError("the gate must stop a basic-plan provider")

    with schema_context(tenant_a.schema_name):
        request = RequestFactory().get("/console/assets/", HTTP_HOST="tenant-a.baoxiu.test")
        request.tenant = tenant_a  # type: ignore[attr-defined]
        request.user = get_user_model().objects.get(pk=actors.owner_a.user_id)
        request.staff = actors.owner_a  # type: ignore[attr-defined]
        response = asset_binding(request)
    assert response.status_code == 403
    body = response.content.decode()
    assert "高级版" in body
    assert reverse("console:account") in body
