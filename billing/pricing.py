"""Calendar arithmetic and prices, in integer fen. Pure functions: no database, no clock.

Renewals add calendar months in the provider's local time (Asia/Shanghai): a period that starts on
Jan 31 ends on Feb 28 (Feb 29 in a leap year), then Mar 31 — each step counts from the original day,
so months never drift shorter.

An upgrade costs the monthly price difference for the paid time left, prorated to the day: every
whole calendar month left costs one monthly difference, and the days of the last partial month cost
their share of *that* month's length (28, 29, 30 or 31 days). Amounts round half up to the fen.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

MONTHS_IN_YEAR = 12
MAX_RENEWAL_MONTHS = 36


def add_months(day: date, months: int, *, anchor_day: int | None = None) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day. ``anchor_day`` is the
    day of month the series started on (so Feb 28 → Mar 31 when the series started on the 31st)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    wanted = anchor_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def add_months_to_datetime(moment: datetime, months: int) -> datetime:
    """Add calendar months to an aware datetime, keeping the local wall-clock time."""
    local = timezone.localtime(moment)
    new_day = add_months(local.date(), months)
    return local.replace(year=new_day.year, month=new_day.month, day=new_day.day)


def round_fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def renewal_price_fen(*, monthly_fen: int, yearly_fen: int, months: int) -> int:
    """Whole years at the yearly price, the remaining months at the monthly price."""
    if months < 1:
        raise ValueError("A renewal is at least one month.")
    years, rest = divmod(months, MONTHS_IN_YEAR)
    return years * yearly_fen + rest * monthly_fen


def prorated_months(start: date, end: date) -> tuple[int, int, int]:
    """Split ``start``→``end`` into (whole calendar months, leftover days, length in days of the
    month the leftover days fall in)."""
    if end <= start:
        return 0, 0, 0
    whole = 0
    while add_months(start, whole + 1, anchor_day=start.day) <= end:
        whole += 1
    month_start = add_months(start, whole, anchor_day=start.day)
    month_end = add_months(start, whole + 1, anchor_day=start.day)
    return whole, (end - month_start).days, (month_end - month_start).days


def upgrade_price_fen(*, monthly_difference_fen: int, start: date, end: date) -> int:
    """The price of moving the paid period ``start``→``end`` to a plan that costs
    ``monthly_difference_fen`` more per month."""
    if monthly_difference_fen <= 0:
        return 0
    whole, days, month_length = prorated_months(start, end)
    partial = Decimal(monthly_difference_fen) * days / month_length if month_length else Decimal(0)
    return whole * monthly_difference_fen + round_fen(partial)


def format_yuan(fen: int) -> str:
    """1234 → "12.34" (sign kept)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """ "12.3" → 1230 fen. Raises ValueError for anything that is not a positive amount with at
    most two decimals."""
    cleaned = (text or "").strip().replace(",", "").replace("¥", "").replace("元", "")
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError(cleaned) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(cleaned)
    return int(value * 100)
