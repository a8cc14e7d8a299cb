"""SLA clocks (seed 001: 等待接单时长, 已维修时长; 超 and 催 tags).

- waiting duration: submit → accept (or → now while pending, → cancel if cancelled unaccepted);
- repair duration: accept → complete (or → now while open, → cancel), minus suspended time
  (``suspended_seconds`` accumulated on resume plus the running suspension, if any);
- overdue: waiting beyond the provider's ``waiting_sla_hours`` while pending, or repair beyond
  ``repair_sla_hours`` while accepted, dispatched or in repair. Awaiting confirmation does not count
  as late work: the engineer has delivered and the customer's confirmation is pending.
Pure functions of the order's columns; ``jobs.flag_overdue_orders`` applies the same rule in SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone
from django.utils.timesince import TIME_STRINGS
from django.utils.translation import gettext

from repair_forms.models import OrderStatus, RepairOrder

S = OrderStatus
REPAIR_CLOCK_STATUSES = frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS})


class SlaSettings(Protocol):
    waiting_sla_hours: int
    repair_sla_hours: int


def waiting_duration(order: RepairOrder, now: datetime | None = None) -> timedelta:
    now = now or timezone.now()
    end = order.accepted_at or order.cancelled_at or now
    return max(end - order.submitted_at, timedelta(0))


def suspended_duration(order: RepairOrder, now: datetime | None = None) -> timedelta:
    now = now or timezone.now()
    running = (
        (now - order.suspended_since)
        if order.status == S.SUSPENDED and order.suspended_since
        else timedelta(0)
    )
    return timedelta(seconds=order.suspended_seconds) + max(running, timedelta(0))


def repair_duration(order: RepairOrder, now: datetime | None = None) -> timedelta | None:
    """None before acceptance."""
    if order.accepted_at is None:
        return None
    now = now or timezone.now()
    end = order.completed_at or order.cancelled_at or now
    return max(end - order.accepted_at - suspended_duration(order, end), timedelta(0))


def overdue_clock(order: RepairOrder, settings: SlaSettings, now: datetime | None = None) -> str | None:
    """``"waiting"`` or ``"repair"`` if that clock has run out now, else None."""
    if order.status == S.SUBMITTED and waiting_duration(order, now) > timedelta(
        hours=settings.waiting_sla_hours
    ):
        return "waiting"
    if order.status in REPAIR_CLOCK_STATUSES:
        repair = repair_duration(order, now)
        if repair is not None and repair > timedelta(hours=settings.repair_sla_hours):
            return "repair"
    return None


def format_duration(value: timedelta | None) -> str:
    """ "2 days, 3 hours, 5 minutes" / "2 天，3 小时，5 分钟": days, hours and minutes in the active
    language, with the unit words Django's ``timesince`` uses (and translates)."""
    if value is None:
        return ""
    minutes = int(value.total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(TIME_STRINGS["day"] % {"num": days})
    if hours:
        parts.append(TIME_STRINGS["hour"] % {"num": hours})
    if minutes or not parts:
        parts.append(TIME_STRINGS["minute"] % {"num": minutes})
    return gettext(", ").join(parts)
