"""May this provider use feature X now? The one answer every gated screen, API and job asks.

Read on the request path, so it is cheap: a warm call is one cache read (Redis in production, so
every process shares it) and no database query. The cached snapshot of an account (state, plan,
entitlements) is dropped whenever the account or its plan changes (``billing.signals``, and the
services call ``forget`` themselves after bulk updates), at once and again after commit.

Rules:
- an account that is trialing, active or in grace gets its plan's entitlements;
- expired or suspended: every feature is off (``provider_may`` is False) and reporting is closed;
  nothing is deleted, and limits are still reported so screens can show what was allowed.

Tenant apps import from here only (import-linter allows tenant apps → billing).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction

from billing.models import BOOLEAN_FEATURES, LIMIT_FEATURES, AccountState, BillingAccount, Feature

__all__ = [
    "Feature",
    "account_state",
    "feature_limit",
    "forget",
    "plan_code",
    "provider_may",
    "reporting_open",
    "snapshot",
    "within_limit",
]

CACHE_SECONDS = 600
_USABLE = frozenset({AccountState.TRIALING, AccountState.ACTIVE, AccountState.GRACE})
_KNOWN = frozenset(str(f) for f in Feature)


def _key(provider_id: int) -> str:
    return f"billing:entitlements:v2:{provider_id}"


def _provider_id(provider: Any) -> int:
    return int(provider if isinstance(provider, int) else provider.pk)


def snapshot_of(account: BillingAccount) -> dict[str, Any]:
    return {
        "state": str(account.state),
        "plan": account.plan.code,
        "plan_rank": account.plan.rank,
        "ends_at": account.service_ends_at.timestamp(),
        "grace_ends_at": account.grace_ends_at.timestamp(),
        "suspended_reason": account.suspended_reason if account.state == AccountState.SUSPENDED else "",
        **account.plan.entitlements(),
    }


def snapshot(provider: Any) -> dict[str, Any]:
    """The cached entitlements of ``provider`` (a Provider or its id). Opens the account on first
    use if signup did not (providers made before billing existed)."""
    provider_id = _provider_id(provider)
    key = _key(provider_id)
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    account = BillingAccount.objects.select_related("plan").filter(provider_id=provider_id).first()
    if account is None:
        from billing.services import account_open

        account = account_open(provider=provider_id)
    data = snapshot_of(account)
    cache.set(key, data, CACHE_SECONDS)
    return data


def forget(provider_ids: list[int] | int) -> None:
    """Drop cached snapshots now and again after the surrounding transaction commits."""
    ids = [provider_ids] if isinstance(provider_ids, int) else list(provider_ids)
    keys = [_key(i) for i in ids]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _check(feature: str) -> str:
    feature = str(feature)
    if feature not in _KNOWN:
        raise ValueError(f"Unknown billing feature {feature!r}; see billing.models.Feature.")
    return feature


def account_state(provider: Any) -> str:
    """One of ``AccountState``: trialing, active, grace, expired, suspended."""
    return str(snapshot(provider)["state"])


def plan_code(provider: Any) -> str:
    return str(snapshot(provider)["plan"])


def provider_may(provider: Any, feature: str) -> bool:
    """True when the provider's account is usable and its plan includes ``feature`` (for limit
    features: allows more than zero)."""
    feature = _check(feature)
    data = snapshot(provider)
    if data["state"] not in _USABLE:
        return False
    if feature in data["features"]:
        return bool(data["features"][feature])
    limit = data["limits"].get(feature)
    return limit is None or limit > 0


def feature_limit(provider: Any, feature: str) -> int | None:
    """The plan's limit for a limit feature (None = unlimited). For an on/off feature: None when
    allowed, 0 when not."""
    feature = _check(feature)
    data = snapshot(provider)
    if feature in data["limits"]:
        limit = data["limits"][feature]
        return None if limit is None else int(limit)
    return None if provider_may(provider, feature) else 0


def within_limit(provider: Any, feature: str, *, current: int) -> bool:
    """May the provider add one more (staff member, form template) when it already has
    ``current``? False on an expired or suspended account."""
    if not provider_may(provider, feature):
        return False
    limit = feature_limit(provider, feature)
    return limit is None or current < limit


def reporting_open(provider: Any) -> bool:
    """May the provider's customers file new reports? False once expired or suspended; existing
    orders stay visible either way."""
    return snapshot(provider)["state"] in _USABLE


assert {str(f) for f in BOOLEAN_FEATURES} | {str(f) for f in LIMIT_FEATURES} == _KNOWN
