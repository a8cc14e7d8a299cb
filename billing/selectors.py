"""Billing reads for the console's 我的账户 page and the operators' dashboard.

Every console read is scoped by the provider the request is for; an order number from another
provider is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, DateTimeField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from billing.models import (
    AccountState,
    BillingAccount,
    BillingOrder,
    LedgerEntry,
    LedgerKind,
    OrderKind,
    OrderStatus,
    PaymentMethod,
)
from billing.pricing import add_months
from billing.services import (
    BillingError,
    Quote,
    account_open,
    available_methods,
    quote_renewal,
    quote_upgrade,
    renewable_plans,
    renewal_plan_choices,
    upgrade_plans,
)

ORDER_FILTERS = {"kind": OrderKind, "status": OrderStatus, "method": PaymentMethod}


def account_for(provider: Any) -> BillingAccount:
    provider_id = int(provider if isinstance(provider, int) else provider.pk)
    account = BillingAccount.objects.select_related("plan").filter(provider_id=provider_id).first()
    return account or account_open(provider=provider_id)


def order_list(*, provider: Any, filters: dict[str, str] | None = None) -> QuerySet[BillingOrder]:
    """The provider's orders, newest first, narrowed by any valid ``kind``/``status``/``method``."""
    provider_id = int(provider if isinstance(provider, int) else provider.pk)
    orders = BillingOrder.objects.filter(account__provider_id=provider_id).select_related("plan")
    for name, choices in ORDER_FILTERS.items():
        value = (filters or {}).get(name) or ""
        if value in choices.values:
            orders = orders.filter(**{name: value})
    return orders


def order_get(*, provider: Any, number: str) -> BillingOrder | None:
    return order_list(provider=provider).filter(number=number).first()


@dataclass
class AccountOverview:
    account: BillingAccount
    state: str
    renewal_options: list[dict[str, Any]] = field(default_factory=list)
    upgrade_options: list[Quote] = field(default_factory=list)
    renew_methods: list[str] = field(default_factory=list)
    top_up_methods: list[str] = field(default_factory=list)


RENEWAL_MONTHS = (1, 3, 6, 12)


def account_overview(*, provider: Any, now: datetime | None = None) -> AccountOverview:
    """What 我的账户 shows: the account, the renewal prices per plan and period, upgrade prices."""
    now = now or timezone.now()
    account = account_for(provider)
    overview = AccountOverview(account=account, state=account.state)
    if account.state == AccountState.SUSPENDED:
        return overview
    for_sale = renewable_plans()
    choices = renewal_plan_choices(account, now, for_sale)
    for plan in choices:
        quotes = [
            quote_renewal(account=account, plan=plan, months=m, now=now, choices=choices)
            for m in RENEWAL_MONTHS
        ]
        overview.renewal_options.append({"plan": plan, "quotes": quotes})
    upgrades = upgrade_plans(account, now, for_sale)
    for plan in upgrades:
        try:
            overview.upgrade_options.append(
                quote_upgrade(account=account, plan=plan, now=now, choices=upgrades)
            )
        except BillingError:
            continue  # less than a day left: renew instead
    overview.renew_methods = available_methods(OrderKind.RENEWAL)
    overview.top_up_methods = available_methods(OrderKind.TOP_UP)
    return overview


# --- Operator dashboard ----------------------------------------------------------------------------


RECEIVED_METHODS = (PaymentMethod.STRIPE, PaymentMethod.WECHAT_PAY, PaymentMethod.BANK_TRANSFER)


@dataclass
class MonthRevenue:
    """One month of money, in fen. Orders count once, in the month they were paid (a later refund
    is recorded in its own month); ledger credits and refunds in the month they were written.

    - ``by_method``: orders paid, per payment method (top-ups included);
    - ``credits_fen``: operator credits (bank transfers credited to a balance);
    - ``refunds_out_fen``: money paid back out of a balance (operator refunds, refunded top-ups);
    - ``refunds_to_balance_fen``: paid renewals/upgrades refunded to the balance (no money left);
    - ``sales_fen``: renewals and upgrades sold, whatever paid them, less refunds to the balance.
    """

    month: date
    orders: int = 0
    by_method: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PaymentMethod.values, 0))
    top_ups_fen: int = 0
    credits_fen: int = 0
    refunds_out_fen: int = 0
    refunds_to_balance_fen: int = 0
    sales_fen: int = 0

    @property
    def amount_fen(self) -> int:
        """Money received, counted once: card, WeChat Pay and bank-transfer payments plus operator
        credits, less refunds paid out. A balance payment spends money counted when it came in."""
        received = sum(self.by_method[method] for method in RECEIVED_METHODS)
        return received + self.credits_fen - self.refunds_out_fen

    @property
    def methods(self) -> list[tuple[str, int]]:
        return [(str(label), self.by_method[value]) for value, label in PaymentMethod.choices]


@dataclass
class Dashboard:
    counts_by_state: dict[str, int]
    trials_started_30d: int
    converted_total: int
    accounts_total: int
    revenue: list[MonthRevenue]
    expiring_soon: list[BillingAccount]

    @property
    def conversion_percent(self) -> int:
        return round(100 * self.converted_total / self.accounts_total) if self.accounts_total else 0


def _month_of(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def revenue_by_month(*, now: datetime, months: int = 12) -> list[MonthRevenue]:
    """The last ``months`` months, oldest first, every month present: two grouped queries (paid
    orders by month, method and kind; ledger credits and refunds by month, kind and sign)."""
    this_month = timezone.localtime(now).date().replace(day=1)
    first_month = add_months(this_month, -(months - 1))
    revenue = {add_months(first_month, i): MonthRevenue(add_months(first_month, i)) for i in range(months)}
    orders = (
        BillingOrder.objects.filter(
            status__in=(OrderStatus.PAID, OrderStatus.REFUNDED), paid_at__date__gte=first_month
        )
        .annotate(month=TruncMonth("paid_at"))
        .values("month", "method", "kind")
        .annotate(total=Sum("amount_fen"), n=Count("id"))
    )
    for row in orders:
        month = revenue.get(_month_of(row["month"]))
        if month is None:
            continue
        total = int(row["total"])
        month.orders += int(row["n"])
        month.by_method[row["method"]] = month.by_method.get(row["method"], 0) + total
        if row["kind"] == OrderKind.TOP_UP:
            month.top_ups_fen += total
        else:
            month.sales_fen += total
    entries = (
        LedgerEntry.objects.filter(
            kind__in=(LedgerKind.OPERATOR_CREDIT, LedgerKind.REFUND), created_at__date__gte=first_month
        )
        .annotate(month=TruncMonth("created_at"), incoming=Q(amount_fen__gt=0))
        .values("month", "kind", "incoming")
        .annotate(total=Sum("amount_fen"))
    )
    for row in entries:
        month = revenue.get(_month_of(row["month"]))
        if month is None:
            continue
        total = int(row["total"])
        if row["kind"] == LedgerKind.OPERATOR_CREDIT:
            month.credits_fen += total
        elif row["incoming"]:
            month.refunds_to_balance_fen += total
            month.sales_fen -= total
        else:
            month.refunds_out_fen -= total
    return list(revenue.values())


def operator_dashboard(*, now: datetime | None = None, months: int = 12) -> Dashboard:
    """Trials, conversions (accounts that ever paid), money per month by payment method
    (``revenue_by_month``) and accounts whose trial or paid period ends within 7 days."""
    now = now or timezone.now()
    counts = dict(
        BillingAccount.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    expiring = (
        BillingAccount.objects.select_related("plan", "provider")
        .exclude(state=AccountState.SUSPENDED)
        .annotate(ends=Coalesce("paid_until", "trial_ends_at", output_field=DateTimeField()))
        .filter(ends__gte=now, ends__lte=now + timedelta(days=7))
        .order_by("ends")[:50]
    )
    return Dashboard(
        counts_by_state=counts,
        trials_started_30d=BillingAccount.objects.filter(created_at__gte=now - timedelta(days=30)).count(),
        converted_total=BillingAccount.objects.filter(Q(paid_until__isnull=False)).count(),
        accounts_total=BillingAccount.objects.count(),
        revenue=revenue_by_month(now=now, months=months),
        expiring_soon=list(expiring),
    )
