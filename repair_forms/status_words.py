"""The words for an order's status: one table for every screen, message, API label and export.

Why a table of its own: the same English word served two meanings ("Suspended" is also a staff
account's or a company's state, 已停用), so the order statuses read 已停用 in some places and 已挂起
in others, and the tab said 待接单 while the badge said 待受理. Every word here carries the
``"order status"`` translation context, so no other "Suspended" can shadow it, and the GZIC
vocabulary (待接单 / 已接单 / 已挂起 / 已完成 / 已取消) is the reference.

- ``staff``: badges, filters, the dashboard, exports, staff notifications, API ``status_label``;
  also ``OrderStatus``'s labels, so ``get_status_display`` and ``choices`` say the same.
- ``customer``: the customer's timeline, badges and notifications; differs only where the customer
  is the one who acts (awaiting *your* confirmation).
- ``TAB_WORDS`` / ``TAB_STATUSES``: the customer's "my orders" tabs; a status's badge and the tab
  it sits in agree (a suspended order shows 已挂起 in the 已挂起 tab).

This module imports nothing from the models, so ``repair_forms.models`` can take its labels from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class StatusWords:
    staff: Any  # lazy, translated on use
    customer: Any


STATUS_WORDS: dict[str, StatusWords] = {
    "submitted": StatusWords(
        pgettext_lazy("order status", "Pending acceptance"),
        pgettext_lazy("order status", "Pending acceptance"),
    ),
    "accepted": StatusWords(
        pgettext_lazy("order status", "Accepted"), pgettext_lazy("order status", "Accepted")
    ),
    "dispatched": StatusWords(
        pgettext_lazy("order status", "Dispatched"), pgettext_lazy("order status", "Dispatched")
    ),
    "in_progress": StatusWords(
        pgettext_lazy("order status", "In repair"), pgettext_lazy("order status", "In repair")
    ),
    "suspended": StatusWords(
        pgettext_lazy("order status", "Suspended"), pgettext_lazy("order status", "Suspended")
    ),
    "awaiting_confirmation": StatusWords(
        pgettext_lazy("order status", "Awaiting the customer's confirmation"),
        pgettext_lazy("order status", "Awaiting your confirmation"),
    ),
    "completed": StatusWords(
        pgettext_lazy("order status", "Completed"), pgettext_lazy("order status", "Completed")
    ),
    "cancelled": StatusWords(
        pgettext_lazy("order status", "Cancelled"), pgettext_lazy("order status", "Cancelled")
    ),
}

# The customer's "my orders" tabs (GZIC) and the statuses each one holds.
TAB_STATUSES: dict[str, tuple[str, ...]] = {
    "pending": ("submitted",),
    "accepted": ("accepted", "dispatched", "in_progress", "awaiting_confirmation"),
    "suspended": ("suspended",),
    "completed": ("completed",),
    "cancelled": ("cancelled",),
}
TAB_WORDS: dict[str, Any] = {
    "pending": STATUS_WORDS["submitted"].customer,
    "accepted": STATUS_WORDS["accepted"].customer,
    "suspended": STATUS_WORDS["suspended"].customer,
    "completed": STATUS_WORDS["completed"].customer,
    "cancelled": STATUS_WORDS["cancelled"].customer,
}


def staff_word(status: str) -> str:
    """The staff word for ``status`` in the active language (an unknown value is shown as is)."""
    words = STATUS_WORDS.get(status)
    return str(words.staff) if words else status


def customer_word(status: str) -> str:
    """The customer word for ``status`` in the active language."""
    words = STATUS_WORDS.get(status)
    return str(words.customer) if words else status


def status_word(status: str, *, for_customer: bool) -> str:
    return customer_word(status) if for_customer else staff_word(status)
