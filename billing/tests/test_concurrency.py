"""Two payments from one balance at the same moment, on real PostgreSQL with committed data.

The usual ``db`` fixture wraps a test in one rolled-back transaction, which threads cannot share, and
``transactional_db`` would flush every table afterwards — including the session's tenants A and B.
So this test uses neither: it unblocks the database, commits its own throwaway provider row (no
schema is needed for billing) and removes exactly what it made at the end. Ledger rows are immutable
by trigger, so the cleanup deletes them with ``session_replication_role = replica`` (PostgreSQL's
documented switch that skips ordinary triggers for one session).
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from billing import services
from billing.models import AuditLog, BillingAccount, BillingOrder, LedgerEntry, LedgerKind, OrderStatus
from tenants.models import Provider


def _cleanup(provider: Provider, user: Any) -> None:
    account_ids = list(BillingAccount.objects.filter(provider=provider).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            LedgerEntry.objects.filter(account_id__in=account_ids).delete()
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    AuditLog.objects.filter(account_id__in=account_ids).delete()
    BillingOrder.objects.filter(account_id__in=account_ids).delete()
    BillingAccount.objects.filter(pk__in=account_ids).delete()
    with connection.cursor() as cursor:
        # Raw, so Django's collector does not visit tenant-schema models that point at users.
        cursor.execute("DELETE FROM tenants_provider WHERE id = %s", [provider.pk])
        cursor.execute("DELETE FROM auth_user WHERE id = %s", [user.pk])


@pytest.mark.parametrize("attempts", [2, 4])
def test_concurrent_payments_from_one_balance_never_overdraw_it(django_db_setup, django_db_blocker, attempts):
    with django_db_blocker.unblock():
        suffix = secrets.token_hex(4)
        provider = Provider.objects.create(
            name=f"并发测试 {suffix}", schema_name=f"t_concurrency_{suffix}", owner_phone="+8613800009999"
        )
        operator = get_user_model().objects.create_user(f"ops-{suffix}", password="x", is_staff=True)
        try:
            services.account_open(provider=provider)
            # Enough for one renewal (¥99.00), not for two.
            services.account_credit(
                provider=provider, amount_fen=15000, reference="T-1", operator=operator, reason="test"
            )
            orders = [
                services.order_create_renewal(
                    provider=provider, plan_code="basic", months=1, method="balance"
                )
                for _ in range(attempts)
            ]
            barrier = threading.Barrier(attempts)
            outcomes: list[str] = []

            def pay(number: str) -> None:
                try:
                    barrier.wait(timeout=10)
                    services.order_pay_from_balance(provider=provider.pk, number=number, actor="thread")
                    outcomes.append("paid")
                except services.BillingError as exc:
                    outcomes.append(str(exc.code))
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=pay, args=(o.number,)) for o in orders]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)

            assert sorted(outcomes) == ["insufficient_balance"] * (attempts - 1) + ["paid"]
            account = BillingAccount.objects.get(provider=provider)
            assert account.balance_fen == 15000 - 9900
            assert LedgerEntry.objects.filter(account=account, kind=LedgerKind.PAYMENT).count() == 1
            assert BillingOrder.objects.filter(account=account, status=OrderStatus.PAID).count() == 1
            assert [m for m in services.ledger_check() if m.provider_id == provider.pk] == []
        finally:
            _cleanup(provider, operator)


def test_the_same_order_paid_from_two_requests_at_once_is_charged_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        suffix = secrets.token_hex(4)
        provider = Provider.objects.create(
            name=f"并发测试 {suffix}", schema_name=f"t_concurrency_{suffix}", owner_phone="+8613800009998"
        )
        operator = get_user_model().objects.create_user(f"ops-{suffix}", password="x", is_staff=True)
        try:
            services.account_open(provider=provider)
            services.account_credit(
                provider=provider, amount_fen=50000, reference="T-2", operator=operator, reason="test"
            )
            order = services.order_create_renewal(
                provider=provider, plan_code="basic", months=1, method="balance"
            )
            barrier = threading.Barrier(3)
            errors: list[Exception] = []

            def pay() -> None:
                try:
                    barrier.wait(timeout=10)
                    services.order_pay_from_balance(provider=provider.pk, number=order.number, actor="thread")
                except Exception as exc:  # noqa: BLE001
                    errors.append(exc)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=pay) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)

            assert errors == []
            account = BillingAccount.objects.get(provider=provider)
            assert account.balance_fen == 50000 - 9900
            assert LedgerEntry.objects.filter(account=account, kind=LedgerKind.PAYMENT).count() == 1
        finally:
            _cleanup(provider, operator)
