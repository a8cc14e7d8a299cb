"""Quotes: what a renewal or an upgrade costs, and which plans are offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    AccountState,
    BillingAccount,
    Plan,
)
from billing.pricing import (
    MAX_RENEWAL_MONTHS,
    add_months_to_datetime,
    renewal_price_fen,
    upgrade_price_fen,
)
from billing.services._common import (
    BillingError,
)

# --- Quotes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    plan: Plan
    amount_fen: int
    months: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def renewable_plans() -> list[Plan]:
    return list(Plan.objects.filter(is_public=True, is_trial=False).order_by("rank"))


def renewal_plan_choices(
    account: BillingAccount, now: datetime, plans: list[Plan] | None = None
) -> list[Plan]:
    """While a paid period runs, a renewal extends the current plan (upgrade first to change it);
    after a trial or once the paid period is over, any plan for sale may be chosen."""
    if (
        account.paid_until
        and account.paid_until > now
        and account.plan.is_public
        and not account.plan.is_trial
    ):
        return [account.plan]
    return plans if plans is not None else renewable_plans()


def quote_renewal(
    *, account: BillingAccount, plan: Plan, months: int, now: datetime, choices: list[Plan] | None = None
) -> Quote:
    """The price and period of renewing ``account`` with ``plan`` for ``months``. ``choices`` are
    the plans allowed (``renewal_plan_choices``), when the caller already has them."""
    if not 1 <= months <= MAX_RENEWAL_MONTHS:
        raise BillingError(
            _("Renew for 1 to %(max)s months.") % {"max": MAX_RENEWAL_MONTHS}, code="invalid_months"
        )
    if plan not in (choices if choices is not None else renewal_plan_choices(account, now)):
        raise BillingError(_("This plan cannot be chosen for a renewal now."), code="invalid_plan")
    starts_at = max(now, account.service_ends_at)
    return Quote(
        plan=plan,
        amount_fen=renewal_price_fen(
            monthly_fen=plan.monthly_price_fen, yearly_fen=plan.yearly_price_fen, months=months
        ),
        months=months,
        starts_at=starts_at,
        ends_at=add_months_to_datetime(starts_at, months),
    )


def upgrade_plans(account: BillingAccount, now: datetime, plans: list[Plan] | None = None) -> list[Plan]:
    if not account.paid_until or account.paid_until <= now or account.state == AccountState.SUSPENDED:
        return []
    return [p for p in (plans if plans is not None else renewable_plans()) if p.rank > account.plan.rank]


def paid_period_start(account: BillingAccount, now: datetime) -> datetime:
    """Where the paid time still ahead begins: now, or the trial's end when the provider renewed
    during its free trial (a renewal starts when the trial ends, so the days until then are free
    and are not paid time an upgrade could charge for)."""
    return max(now, account.trial_ends_at)


def quote_upgrade(
    *, account: BillingAccount, plan: Plan, now: datetime, choices: list[Plan] | None = None
) -> Quote:
    """The monthly price difference for the paid days left (``paid_period_start`` →
    ``paid_until``), prorated by ``upgrade_price_fen``; trial and grace days are never charged."""
    if plan not in (choices if choices is not None else upgrade_plans(account, now)):
        raise BillingError(
            _("Only a paid period that is still running can be upgraded, to a higher plan."),
            code="invalid_upgrade",
        )
    assert account.paid_until is not None
    paid_from = paid_period_start(account, now)
    start = timezone.localtime(paid_from).date()
    end = timezone.localtime(account.paid_until).date()
    amount = upgrade_price_fen(
        monthly_difference_fen=plan.monthly_price_fen - account.plan.monthly_price_fen, start=start, end=end
    )
    if amount <= 0:
        raise BillingError(_("Less than a day is left; renew instead."), code="nothing_to_upgrade")
    return Quote(plan=plan, amount_fen=amount, starts_at=paid_from, ends_at=account.paid_until)
