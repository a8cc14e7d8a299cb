"""Periodic jobs of the order domain, for the active tenant's schema. Plain functions: the Celery
wrappers (``integrations.tasks_orders``) loop over tenants with ``tenants.services.for_each_tenant``.
Both are safe to run twice and concurrently: each order is handled in its own transaction under a
row lock, and the services refuse what is no longer due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.utils import timezone

from accounts.selectors import provider_settings
from repair_forms import services
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.sla import REPAIR_CLOCK_STATUSES

logger = logging.getLogger(__name__)
S = OrderStatus


def overdue_candidates(*, now: datetime) -> list[tuple[int, str]]:
    """(order id, clock) for every order whose SLA clock ran out and that is not flagged yet —
    the rule of ``sla.overdue_clock`` in SQL."""
    settings = provider_settings()
    waiting_cutoff = now - timedelta(hours=settings.waiting_sla_hours)
    waiting = RepairOrder.objects.filter(
        status=S.SUBMITTED, is_overdue=False, submitted_at__lt=waiting_cutoff
    ).values_list("pk", flat=True)
    # Repair deadline = accepted_at + suspended time + SLA; the running suspension is excluded by
    # the status filter (a suspended order's clock is paused).
    suspended = ExpressionWrapper(
        F("suspended_seconds") * Value(timedelta(seconds=1)), output_field=DurationField()
    )
    repair = (
        RepairOrder.objects.filter(
            status__in=REPAIR_CLOCK_STATUSES, is_overdue=False, accepted_at__isnull=False
        )
        .alias(clock_start=ExpressionWrapper(F("accepted_at") + suspended, output_field=DateTimeField()))
        .filter(clock_start__lt=now - timedelta(hours=settings.repair_sla_hours))
        .values_list("pk", flat=True)
    )
    return [(pk, "waiting") for pk in waiting] + [(pk, "repair") for pk in repair]


def flag_overdue_orders(*, now: datetime | None = None) -> int:
    """Flag 超 on every order past its SLA (one event each, notifying supervisor and back office).
    Returns how many were flagged."""
    now = now or timezone.now()
    flagged = 0
    for pk, clock in overdue_candidates(now=now):
        order = RepairOrder(pk=pk)
        try:
            result = services.order_flag_overdue(order=order, clock=clock, now=now)
        except (TransitionNotAllowed, RepairOrder.DoesNotExist):
            continue  # moved on meanwhile
        flagged += int(result.is_overdue)
    return flagged


def auto_confirm_orders(*, now: datetime | None = None) -> int:
    """Confirm, as the system, orders awaiting confirmation for longer than the provider's
    ``auto_confirm_days`` (0 = never). Returns how many were confirmed."""
    now = now or timezone.now()
    days = provider_settings().auto_confirm_days
    if not days:
        return 0
    due = RepairOrder.objects.filter(
        status=S.AWAITING_CONFIRMATION, job_submitted_at__lt=now - timedelta(days=days)
    ).values_list("pk", flat=True)
    confirmed = 0
    system = Actor.system()
    for pk in list(due):
        try:
            services.order_confirm_completion(actor=system, order=RepairOrder(pk=pk), note="", now=now)
        except (TransitionNotAllowed, RepairOrder.DoesNotExist):
            continue
        confirmed += 1
    return confirmed
