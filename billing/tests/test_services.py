from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from billing import services
from billing.entitlements import account_state, provider_may, reporting_open
from billing.models import (
    AccountState,
    AuditAction,
    AuditLog,
    BillingAccount,
    BillingReminder,
    LedgerEntry,
    LedgerKind,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    Plan,
    ReminderKind,
)
from billing.pricing import add_months_to_datetime


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_user("ops-alice", password="x", is_staff=True)


def _account(provider) -> BillingAccount:
    return BillingAccount.objects.select_related("plan").get(provider=provider)


def _credit(provider, operator, fen, **kwargs):
    return services.account_credit(
        provider=provider,
        amount_fen=fen,
        reference="BANK-1",
        operator=operator,
        reason="bank transfer",
        **kwargs,
    )


def test_renewing_during_the_trial_starts_after_the_trial_ends(tenant_a, operator):
    account = _account(tenant_a)
    _credit(tenant_a, operator, 50000)
    order = services.order_create_renewal(
        provider=tenant_a, plan_code="basic", months=1, method=PaymentMethod.BALANCE, creator_name="王经理"
    )
    assert order.amount_fen == 9900
    assert order.status == OrderStatus.PENDING
    services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test")
    account = _account(tenant_a)
    assert account.plan.code == "basic"
    assert account.state == AccountState.ACTIVE
    assert account.paid_until == add_months_to_datetime(account.trial_ends_at, 1)
    assert account.balance_fen == 50000 - 9900
    assert account_state(tenant_a) == AccountState.ACTIVE


def test_paying_an_order_twice_applies_it_once(tenant_a, operator):
    _credit(tenant_a, operator, 50000)
    order = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=3, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test")
    paid_until = _account(tenant_a).paid_until
    services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test")
    account = _account(tenant_a)
    assert account.paid_until == paid_until
    assert account.balance_fen == 50000 - 3 * 9900
    assert LedgerEntry.objects.filter(account=account, kind=LedgerKind.PAYMENT).count() == 1


def test_a_balance_too_low_is_refused_and_changes_nothing(tenant_a, operator):
    _credit(tenant_a, operator, 5000)
    order = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    with pytest.raises(services.BillingError) as refused:
        services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test")
    assert refused.value.code == "insufficient_balance"
    account = _account(tenant_a)
    assert account.balance_fen == 5000
    assert account.paid_until is None
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_the_balance_always_equals_the_ledger(tenant_a, tenant_b, operator):
    _credit(tenant_a, operator, 30000)
    _credit(tenant_b, operator, 12345)
    order = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test")
    services.account_refund(
        provider=tenant_b, amount_fen=345, reference="PAYOUT-1", operator=operator, reason="asked"
    )
    assert services.ledger_check() == []
    # Tamper with a balance behind the ledger's back: the check names the account.
    BillingAccount.objects.filter(provider=tenant_b).update(balance_fen=1)
    assert [m.provider_id for m in services.ledger_check()] == [tenant_b.pk]


def test_ledger_entries_cannot_be_changed_or_deleted(tenant_a, operator):
    entry = _credit(tenant_a, operator, 1000)
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_ledgerentry SET amount_fen = 1 WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_ledgerentry WHERE id = %s", [entry.pk])


def test_renewal_while_a_paid_period_runs_keeps_the_plan(tenant_a, operator):
    _credit(tenant_a, operator, 200000)
    first = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=first.number, actor="staff:test")
    with pytest.raises(services.BillingError):
        services.order_create_renewal(provider=tenant_a, plan_code="premium", months=1, method="balance")
    second = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=12, method="balance")
    assert second.amount_fen == 99000
    before = _account(tenant_a).paid_until
    assert before is not None
    services.order_pay_from_balance(provider=tenant_a, number=second.number, actor="staff:test")
    assert _account(tenant_a).paid_until == add_months_to_datetime(before, 12)


def test_an_upgrade_is_prorated_and_switches_the_plan_once(tenant_a, operator):
    _credit(tenant_a, operator, 200000)
    renewal = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=renewal.number, actor="staff:test")
    account = _account(tenant_a)
    assert not provider_may(tenant_a, "asset_sync")
    now = timezone.now()
    quote = services.quote_upgrade(account=account, plan=Plan.objects.get(code="premium"), now=now)
    upgrade = services.order_create_upgrade(provider=tenant_a, plan_code="premium", method="balance", now=now)
    assert upgrade.kind == OrderKind.UPGRADE
    assert upgrade.amount_fen == quote.amount_fen
    # The trial's days left are free: only the paid month is priced, one month's difference.
    assert upgrade.amount_fen == 20000
    services.order_pay_from_balance(provider=tenant_a, number=upgrade.number, actor="staff:test")
    account = _account(tenant_a)
    assert account.plan.code == "premium"
    assert account.paid_until == renewal_paid_until(account)
    assert provider_may(tenant_a, "asset_sync")
    with pytest.raises(services.BillingError):
        services.order_create_upgrade(provider=tenant_a, plan_code="premium", method="balance")


def renewal_paid_until(account):
    return add_months_to_datetime(account.trial_ends_at, 1)


def test_an_upgrade_priced_before_the_account_changed_cannot_be_paid_from_balance(tenant_a, operator):
    _credit(tenant_a, operator, 300000)
    renewal = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=renewal.number, actor="staff:test")
    upgrade = services.order_create_upgrade(provider=tenant_a, plan_code="premium", method="balance")
    more = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=more.number, actor="staff:test")
    with pytest.raises(services.BillingError) as refused:
        services.order_pay_from_balance(provider=tenant_a, number=upgrade.number, actor="staff:test")
    assert refused.value.code == "stale_upgrade"
    assert _account(tenant_a).plan.code == "basic"


def test_top_ups_need_an_online_gateway_and_a_sane_amount(tenant_a):
    with pytest.raises(services.BillingError) as refused:
        services.order_create_top_up(provider=tenant_a, amount_fen=10000, method="balance")
    assert refused.value.code == "invalid_method"


def test_trial_then_grace_then_expired_then_renewed_with_time_travel(tenant_a, operator):
    account = _account(tenant_a)
    end = account.trial_ends_at
    assert services.accounts_advance(now=end - timedelta(minutes=1)) == {}
    assert account_state(tenant_a) == AccountState.TRIALING

    services.accounts_advance(now=end + timedelta(hours=1))
    assert account_state(tenant_a) == AccountState.GRACE
    assert provider_may(tenant_a, "wechat")  # grace: everything still works
    assert reporting_open(tenant_a)

    services.accounts_advance(now=end + timedelta(days=7, minutes=1))
    assert account_state(tenant_a) == AccountState.EXPIRED
    assert not provider_may(tenant_a, "wechat")
    assert not reporting_open(tenant_a)

    renew_at = end + timedelta(days=30)
    _credit(tenant_a, operator, 10000, now=renew_at)
    order = services.order_create_renewal(
        provider=tenant_a, plan_code="basic", months=1, method="balance", now=renew_at
    )
    services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test", now=renew_at)
    account = _account(tenant_a)
    assert account.state == AccountState.ACTIVE
    # An expired account pays from the day it renews, not for the days it was expired.
    assert account.paid_until == add_months_to_datetime(renew_at, 1)
    assert reporting_open(tenant_a)

    services.accounts_advance(now=account.paid_until + timedelta(seconds=1))
    assert account_state(tenant_a) == AccountState.GRACE


def test_reminders_go_out_three_days_and_one_day_before_and_at_the_end_each_once(tenant_a):
    end = _account(tenant_a).trial_ends_at
    assert services.reminders_claim(now=end - timedelta(days=4)) == []
    kinds = []
    for moment in (
        end - timedelta(days=3) + timedelta(hours=1),
        end - timedelta(days=2),  # still the 3-day window: nothing new
        end - timedelta(hours=20),
        end + timedelta(minutes=5),
        end + timedelta(days=7, minutes=5),
        end + timedelta(days=8),
    ):
        kinds += [
            r.kind for r in services.reminders_claim(now=moment) if r.account.provider_id == tenant_a.pk
        ]
    assert kinds == [ReminderKind.THREE_DAYS, ReminderKind.ONE_DAY, ReminderKind.ENDED, ReminderKind.EXPIRED]
    assert BillingReminder.objects.filter(account__provider=tenant_a).count() == 4


def test_a_late_job_sends_only_the_reminder_for_now(tenant_a):
    end = _account(tenant_a).trial_ends_at
    claimed = [
        r
        for r in services.reminders_claim(now=end + timedelta(hours=2))
        if r.account.provider_id == tenant_a.pk
    ]
    assert [r.kind for r in claimed] == [ReminderKind.ENDED]


def test_operator_actions_are_audited_with_who_and_why(tenant_a, operator):
    _credit(tenant_a, operator, 10000)
    services.account_extend_trial(provider=tenant_a, days=10, operator=operator, reason="sales promise")
    services.account_change_plan(provider=tenant_a, plan_code="premium", operator=operator, reason="pilot")
    assert provider_may(tenant_a, "asset_sync")
    services.account_suspend(provider=tenant_a, operator=operator, reason="fraud check")
    assert not provider_may(tenant_a, "asset_sync")
    assert account_state(tenant_a) == AccountState.SUSPENDED
    services.account_unsuspend(provider=tenant_a, operator=operator, reason="cleared")
    assert account_state(tenant_a) == AccountState.TRIALING
    log = list(AuditLog.objects.filter(account__provider=tenant_a).order_by("created_at", "id"))
    assert [e.action for e in log] == [
        AuditAction.CREDIT,
        AuditAction.EXTEND_TRIAL,
        AuditAction.CHANGE_PLAN,
        AuditAction.SUSPEND,
        AuditAction.UNSUSPEND,
    ]
    assert {e.operator_name for e in log} == {"ops-alice"}
    assert log[2].details == {"before": "trial", "after": "premium"}


def test_operator_actions_need_a_reason_and_credits_need_a_reference(tenant_a, operator):
    with pytest.raises(services.BillingError):
        services.account_credit(
            provider=tenant_a, amount_fen=100, reference="R", operator=operator, reason=" "
        )
    with pytest.raises(services.BillingError):
        services.account_credit(
            provider=tenant_a, amount_fen=100, reference="", operator=operator, reason="x"
        )
    with pytest.raises(services.BillingError):
        services.account_refund(
            provider=tenant_a, amount_fen=100, reference="", operator=operator, reason="x"
        )
    assert _account(tenant_a).balance_fen == 0
    assert not AuditLog.objects.filter(account__provider=tenant_a).exists()


def test_refunding_a_renewal_returns_the_money_to_the_balance_and_takes_the_months_back(tenant_a, operator):
    _credit(tenant_a, operator, 9900)
    order = services.order_create_renewal(provider=tenant_a, plan_code="basic", months=1, method="balance")
    services.order_pay_from_balance(provider=tenant_a, number=order.number, actor="staff:test")
    services.order_refund(order_id=order.pk, operator=operator, reason="customer changed mind")
    account = _account(tenant_a)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert account.balance_fen == 9900
    assert account.paid_until == account.trial_ends_at
    assert services.ledger_check() == []


def test_an_operator_marks_a_pending_order_paid_by_bank_transfer(tenant_a, operator):
    order = services.order_create_renewal(provider=tenant_a, plan_code="premium", months=12, method="balance")
    services.order_mark_paid_by_transfer(
        order_id=order.pk, reference="ICBC-20240101-77", operator=operator, reason="transfer arrived"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.method == PaymentMethod.BANK_TRANSFER
    assert order.payment_reference == "ICBC-20240101-77"
    assert _account(tenant_a).plan.code == "premium"
    assert AuditLog.objects.filter(order=order, action=AuditAction.MARK_PAID).count() == 1
