from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.entitlements import (
    Feature,
    account_state,
    feature_limit,
    provider_may,
    reporting_open,
    within_limit,
)
from billing.models import AccountState, BillingAccount, Plan


def test_signup_opens_a_fifteen_day_trial(tenant_a):
    account = BillingAccount.objects.get(provider=tenant_a)
    assert account.plan.code == "trial"
    assert account_state(tenant_a) == AccountState.TRIALING
    assert timedelta(days=14) < account.trial_ends_at - timezone.now() <= timedelta(days=15)


def test_trial_has_no_asset_sync_or_custom_domain_but_has_wechat(tenant_a):
    assert not provider_may(tenant_a, Feature.ASSET_SYNC)
    assert not provider_may(tenant_a, "custom_domain")
    assert provider_may(tenant_a, "wechat")
    assert feature_limit(tenant_a, "staff_seats") == 10
    assert within_limit(tenant_a, "custom_form_templates", current=4)
    assert not within_limit(tenant_a, "custom_form_templates", current=5)


def test_premium_plan_unlocks_asset_sync_and_unlimited_seats(tenant_a):
    account = BillingAccount.objects.get(provider=tenant_a)
    account.plan = Plan.objects.get(code="premium")
    account.save()
    assert provider_may(tenant_a, "asset_sync")
    assert feature_limit(tenant_a, "staff_seats") is None


def test_an_expired_account_may_use_nothing_and_closes_reporting(tenant_a):
    account = BillingAccount.objects.get(provider=tenant_a)
    account.plan = Plan.objects.get(code="premium")
    account.state = AccountState.EXPIRED
    account.save()
    assert not provider_may(tenant_a, "asset_sync")
    assert not reporting_open(tenant_a)
    assert feature_limit(tenant_a, "custom_domain") == 0


def test_a_warm_read_makes_no_query(tenant_a):
    provider_may(tenant_a, "wechat")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            provider_may(tenant_a, "asset_sync")
            account_state(tenant_a)
    assert len(queries) == 0


def test_editing_a_plan_changes_the_answer_at_once(tenant_a):
    assert not provider_may(tenant_a, "asset_sync")
    trial = Plan.objects.get(code="trial")
    trial.asset_sync = True
    trial.save()
    assert provider_may(tenant_a, "asset_sync")


def test_unknown_features_are_a_programming_error(tenant_a):
    with pytest.raises(ValueError):
        provider_may(tenant_a, "teleport")
