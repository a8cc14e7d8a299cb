"""The operator side on the public host: billing admin, its audited actions, the dashboard, and the
public pricing page. Only operators get in; a provider's host has no operator routes at all."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from billing import services
from billing.models import AuditAction, AuditLog, BillingAccount, OrderStatus
from tests.actors import client_for

DASHBOARD = "/operator/billing/dashboard/"


def _operator(public_client, *, superuser=True, **kwargs):
    user = get_user_model().objects.create_user(
        "ops-dana", password="x", is_staff=True, is_superuser=superuser, **kwargs
    )
    public_client.force_login(user)
    return user


def test_the_dashboard_needs_an_operator(public_client, actors):
    assert public_client.get(DASHBOARD).status_code == 302
    get_user_model().objects.create_user("someone", password="x")
    public_client.login(username="someone", password="x")
    assert public_client.get(DASHBOARD).status_code == 302  # not staff: back to the operator login
    _operator(public_client, superuser=False)
    assert public_client.get(DASHBOARD).status_code == 403  # staff without billing rights


def test_a_provider_admin_cannot_reach_the_operator_side(actors):
    owner = client_for(actors.tenant_a, actors.owner_a)
    assert owner.get("/operator/").status_code == 404
    assert owner.get(DASHBOARD).status_code == 404


def test_the_dashboard_shows_trials_revenue_chart_and_accounts_ending_soon(public_client, actors):
    operator = _operator(public_client)
    services.account_credit(
        provider=actors.tenant_b, amount_fen=9900, reference="R", operator=operator, reason="t"
    )
    order = services.order_create_renewal(
        provider=actors.tenant_b, plan_code="basic", months=1, method="balance"
    )
    services.order_mark_paid_by_transfer(
        order_id=order.pk, reference="ICBC-1", operator=operator, reason="arrived"
    )
    response = public_client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<rect" in body
    assert "99.00" in body  # the bank transfer is this month's money received
    staff_view = Permission.objects.get(codename="view_billingaccount")
    assert staff_view  # the permission the dashboard asks for exists


def test_an_operator_credits_a_bank_transfer_from_the_account_page(public_client, actors):
    _operator(public_client)
    account = BillingAccount.objects.get(provider=actors.tenant_a)
    listing = public_client.get("/operator/billing/billingaccount/", {"q": "Tenant A"})
    assert actors.tenant_a.name in listing.content.decode()
    page = public_client.get(f"/operator/billing/billingaccount/{account.pk}/change/")
    assert f"/operator/billing/billingaccount/{account.pk}/do/credit/" in page.content.decode()
    url = f"/operator/billing/billingaccount/{account.pk}/do/credit/"
    refused = public_client.post(url, {"amount": "500", "reference": "ICBC-9", "reason": ""})
    assert refused.status_code == 200
    assert BillingAccount.objects.get(pk=account.pk).balance_fen == 0
    done = public_client.post(url, {"amount": "500.50", "reference": "ICBC-9", "reason": "对公转账到账"})
    assert done.status_code == 302
    assert BillingAccount.objects.get(pk=account.pk).balance_fen == 50050
    entry = AuditLog.objects.get(account=account)
    assert entry.action == AuditAction.CREDIT
    assert entry.operator_name == "ops-dana"
    assert entry.reason == "对公转账到账"


def test_an_operator_extends_a_trial_and_changes_a_plan_with_reasons(public_client, actors):
    _operator(public_client)
    account = BillingAccount.objects.get(provider=actors.tenant_a)
    before = account.trial_ends_at
    base = f"/operator/billing/billingaccount/{account.pk}/do/"
    assert public_client.post(base + "extend-trial/", {"days": "7", "reason": "展会客户"}).status_code == 302
    assert public_client.post(base + "change-plan/", {"plan": "premium", "reason": "试点"}).status_code == 302
    account.refresh_from_db()
    assert (account.trial_ends_at - before).days == 7
    assert account.plan.code == "premium"
    assert AuditLog.objects.filter(account=account).count() == 2


def test_an_operator_marks_a_pending_order_paid_by_bank_transfer(public_client, actors):
    _operator(public_client)
    order = services.order_create_renewal(
        provider=actors.tenant_a, plan_code="basic", months=12, method="balance"
    )
    response = public_client.post(
        f"/operator/billing/billingorder/{order.pk}/do/mark-paid/", {"reference": "CMB-77", "reason": "到账"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.payment_reference == "CMB-77"


def test_the_pricing_page_lists_the_plans_for_sale(public_client, db):
    response = public_client.get("/pricing/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "基础版" in body and "高级版" in body
    assert "99.00" in body and "299.00" in body
    assert "试用版" not in body
    assert "/pricing/" in public_client.get("/").content.decode()
