"""Billing writes: accounts, the ledger, orders and their payment, operator actions, expiry jobs.

Modules: ``accounts`` (open, advance states, ledger check), ``quotes``, ``orders`` (create and pay),
``operator`` (audited operator actions), ``reminders``; ``_common`` holds the errors, locks and the
ledger writer. Import from this package: ``from billing.services import order_pay_from_balance``.

Every service is keyword-only, runs in one transaction and takes ``now`` so jobs and tests can
travel in time. What must stay true:

- Locks are always taken account first, then order (``_lock_account`` → ``_lock_order``), so two
  payments can never deadlock, and two payments from one balance are serialized on the account row:
  the second sees the first's debit and is refused if the balance no longer covers it.
- Paying an order applies its effect exactly once: the order row is locked and a paid order is
  never applied again, whatever calls it (balance, gateway webhook, return page, operator).
- Every balance change goes through ``_ledger_post``, which writes the immutable ledger entry and
  the new balance together.
"""

from __future__ import annotations

from billing.services._common import (
    MAX_OPERATOR_AMOUNT_FEN,
    MAX_TOP_UP_FEN,
    MIN_TOP_UP_FEN,
    TRIAL_PLAN_CODE,
    BillingError,
    OrderNotFound,
    _ledger_post,
)
from billing.services.accounts import (
    LedgerMismatch,
    account_open,
    accounts_advance,
    ledger_check,
)
from billing.services.operator import (
    account_change_plan,
    account_credit,
    account_extend_trial,
    account_refund,
    account_suspend,
    account_unsuspend,
    order_mark_paid_by_transfer,
    order_refund,
)
from billing.services.orders import (
    PROVIDER_METHODS,
    GatewayPayment,
    available_methods,
    order_attach_gateway,
    order_cancel,
    order_confirm_gateway_payment,
    order_create_renewal,
    order_create_top_up,
    order_create_upgrade,
    order_mark_failed,
    order_pay_from_balance,
)
from billing.services.quotes import (
    Quote,
    quote_renewal,
    quote_upgrade,
    renewable_plans,
    renewal_plan_choices,
    upgrade_plans,
)
from billing.services.reminders import (
    reminder_mark_delivered,
    reminders_claim,
)

__all__ = [
    "BillingError",
    "GatewayPayment",
    "LedgerMismatch",
    "MAX_OPERATOR_AMOUNT_FEN",
    "MAX_TOP_UP_FEN",
    "MIN_TOP_UP_FEN",
    "OrderNotFound",
    "PROVIDER_METHODS",
    "Quote",
    "TRIAL_PLAN_CODE",
    "_ledger_post",
    "account_change_plan",
    "account_credit",
    "account_extend_trial",
    "account_open",
    "account_refund",
    "account_suspend",
    "account_unsuspend",
    "accounts_advance",
    "available_methods",
    "ledger_check",
    "order_attach_gateway",
    "order_cancel",
    "order_confirm_gateway_payment",
    "order_create_renewal",
    "order_create_top_up",
    "order_create_upgrade",
    "order_mark_failed",
    "order_mark_paid_by_transfer",
    "order_pay_from_balance",
    "order_refund",
    "quote_renewal",
    "quote_upgrade",
    "reminder_mark_delivered",
    "reminders_claim",
    "renewable_plans",
    "renewal_plan_choices",
    "upgrade_plans",
]
