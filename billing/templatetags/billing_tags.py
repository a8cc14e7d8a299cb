"""``{% load billing_tags %}``: money formatting, the console's billing banner and the reusable
upgrade prompt for features a plan does not include."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django import template

from billing.entitlements import provider_may, snapshot
from billing.models import AccountState, Feature, Plan
from billing.pricing import format_yuan
from tenants.support import platform_contact

register = template.Library()

REMIND_BEFORE = timedelta(days=3)


@register.filter
def yuan(fen: Any) -> str:
    """1234 → "12.34"."""
    try:
        return format_yuan(int(fen))
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("billing/includes/banner.html", takes_context=True)
def billing_banner(context: template.Context) -> dict[str, Any]:
    """A banner on every console page while the account is in grace, expired or suspended, or its
    trial / paid period ends within 3 days. Shown to signed-in staff only."""
    request = context.get("request")
    provider = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if provider is None or user is None or not user.is_authenticated:
        return {"show": False}
    data = snapshot(provider)
    state = data["state"]
    ends_at = datetime.fromtimestamp(data["ends_at"], tz=UTC)
    grace_ends_at = datetime.fromtimestamp(data["grace_ends_at"], tz=UTC)
    ending_soon = (
        state in {AccountState.TRIALING, AccountState.ACTIVE}
        and ends_at - datetime.now(tz=UTC) <= REMIND_BEFORE
    )
    return {
        "show": ending_soon or state in {AccountState.GRACE, AccountState.EXPIRED, AccountState.SUSPENDED},
        "state": state,
        "states": AccountState,
        "ends_at": ends_at,
        "grace_ends_at": grace_ends_at,
        "suspended_reason": data.get("suspended_reason", ""),
        "contact": platform_contact(),
        "request": request,
    }


@register.inclusion_tag("billing/includes/upgrade_prompt.html", takes_context=True)
def upgrade_prompt(context: template.Context, feature: str) -> dict[str, Any]:
    """Explains that the current plan lacks ``feature`` and links to 我的账户 (renders nothing
    when the provider may use it)."""
    request = context.get("request")
    provider = getattr(request, "tenant", None)
    if provider is None or provider_may(provider, feature):
        return {"show": False}
    plans = [
        p for p in Plan.objects.filter(is_public=True, is_trial=False) if getattr(p, str(feature), False)
    ]
    return {
        "show": True,
        "feature_label": Feature(feature).label,
        "plans": plans,
        "state": snapshot(provider)["state"],
        "states": AccountState,
        "request": request,
    }
