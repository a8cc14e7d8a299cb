"""Reads behind the workbench: queue counts in one round trip, the oldest orders of a queue, the
suspension approval queue (挂起待审批), engineers' load and an engineer's jobs for today.

Counts are read with one ``SELECT (SELECT count(*) …), …``: each subquery is answered from the
order list's indexes (status, overdue, urged, submitted_at), which stays fast at a million orders
where one aggregate over every order would scan them all on every poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from accounts.models import StaffMember, StaffRole, StaffStatus
from repair_forms.lifecycle import Actor
from repair_forms.models import OrderStatus, RepairOrder, SuspensionDecision, SuspensionRequest
from repair_forms.queues import day_start, queue_filter
from repair_forms.selectors import LIST_RELATED, orders_visible_to

S = OrderStatus
# The engineer's open jobs (his load): dispatched to him and not yet handed back.
OPEN_JOB_STATUSES = (S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED)


def _count_sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    inner, params = queryset.order_by().values("pk").query.sql_with_params()
    return f"(SELECT count(*) FROM ({inner}) AS q)", tuple(params)


def count_in_one_query(querysets: dict[str, QuerySet[Any]]) -> dict[str, int]:
    """``{name: queryset.count()}`` read in one round trip: ``SELECT (SELECT count(*) …), …``."""
    if not querysets:
        return {}
    parts = [_count_sql(qs) for qs in querysets.values()]
    sql = "SELECT " + ", ".join(part for part, _params in parts)
    params: list[Any] = [p for _part, part_params in parts for p in part_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(querysets, row, strict=True)}


def queue_counts(*, actor: Actor, keys: Iterable[str], now: datetime | None = None) -> dict[str, int]:
    """The number of orders the actor may see in each queue of ``keys``. One query."""
    visible = orders_visible_to(actor)
    return count_in_one_query({key: visible.filter(queue_filter(key, now=now)) for key in keys})


def queue_orders(
    *, actor: Actor, key: str, limit: int = 10, now: datetime | None = None
) -> list[RepairOrder]:
    """The oldest ``limit`` orders of a queue (oldest first: they have waited longest)."""
    return list(
        orders_visible_to(actor)
        .filter(queue_filter(key, now=now))
        .select_related(*LIST_RELATED)
        .order_by("submitted_at", "id")[:limit]
    )


def pending_suspensions(*, actor: Actor, limit: int = 50) -> list[SuspensionRequest]:
    """挂起待审批: pending suspension requests on orders the actor may see, oldest first, with the
    order, the engineer and the photos loaded (three queries whatever the count)."""
    visible = orders_visible_to(actor).values("pk")
    return list(
        SuspensionRequest.objects.filter(decision=SuspensionDecision.PENDING, order__in=visible)
        .select_related("order", "order__company", "order__model", "requested_by")
        .prefetch_related("photos")
        .order_by("requested_at", "id")[:limit]
    )


def engineer_load() -> list[StaffMember]:
    """Active engineers with ``open_jobs`` (dispatched, in repair, suspended) and ``overdue_jobs``
    set, busiest first. Two queries: the engineers, then one count over the open orders only
    (the status index), never a join over every order the tenant ever had."""
    engineers = list(
        StaffMember.objects.filter(role=StaffRole.ENGINEER, status=StaffStatus.ACTIVE).order_by(
            "display_name", "phone"
        )
    )
    counts = {
        row["engineer_id"]: row
        for row in RepairOrder.objects.filter(
            status__in=OPEN_JOB_STATUSES, engineer_id__in=[e.pk for e in engineers]
        )
        .values("engineer_id")
        .annotate(open_jobs=Count("id"), overdue_jobs=Count("id", filter=Q(is_overdue=True)))
        .order_by()
    }
    for engineer in engineers:
        row = counts.get(engineer.pk, {})
        engineer.open_jobs = int(row.get("open_jobs", 0))  # type: ignore[attr-defined]
        engineer.overdue_jobs = int(row.get("overdue_jobs", 0))  # type: ignore[attr-defined]
    return sorted(engineers, key=lambda e: -e.open_jobs)  # type: ignore[attr-defined]


def engineer_today(*, actor: Actor, now: datetime | None = None, limit: int = 50) -> list[RepairOrder]:
    """The signed-in engineer's jobs for today: open jobs whose appointment is today, already
    passed, or not set (a job with a later appointment waits for its day). Appointment order;
    ``portals`` re-orders them along the route when coordinates exist."""
    if actor.staff is None or actor.staff.role != StaffRole.ENGINEER:
        return []
    tomorrow = day_start(now) + timedelta(days=1)
    return list(
        RepairOrder.objects.filter(engineer=actor.staff, status__in=OPEN_JOB_STATUSES)
        .filter(Q(appointment_at__isnull=True) | Q(appointment_at__lt=tomorrow))
        .select_related(*LIST_RELATED)
        .order_by("appointment_at", "submitted_at", "id")[:limit]
    )


def open_job_sites(*, engineer_ids: Iterable[int]) -> list[tuple[int, dict[str, Any]]]:
    """(engineer id, order ``extra``) of every open job of these engineers — where they are
    working, for the dispatcher's distance column (``portals`` reads the coordinates). One query."""
    return list(
        RepairOrder.objects.filter(engineer_id__in=list(engineer_ids), status__in=OPEN_JOB_STATUSES)
        .exclude(extra={})
        .values_list("engineer_id", "extra")
    )
