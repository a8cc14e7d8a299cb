"""Shared pieces of the lifecycle services: locking, the event writer, status bookkeeping, limits."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from repair_forms import lifecycle
from repair_forms.lifecycle import Actor
from repair_forms.models import (
    EventVisibility,
    OrderEvent,
    OrderPhoto,
    OrderStatus,
    RepairOrder,
    SuspensionDecision,
    SuspensionRequest,
    WorkOrder,
    WorkOrderStatus,
)
from repair_forms.photos import PreparedImage, resolve_photos

S = OrderStatus
MAX_REASON = 500
MAX_NOTE = 2000

# Columns an edit may change (and the event records); the rest are set by transitions.
EDITABLE_COLUMNS = (
    "brand",
    "category",
    "model",
    "machine_no",
    "serial",
    "fault_description",
    "service_type",
    "warranty_status",
    "appointment_at",
    "appointment_until",
    "notes",
    "location_plot",
    "location_building",
    "location_room",
    "location_address",
    "contact_name",
    "contact_phone",
)

_event_extra: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "event_extra", default=None
)


@contextlib.contextmanager
def _extra_payload(**values: Any) -> Iterator[None]:
    token = _event_extra.set(values)
    try:
        yield
    finally:
        _event_extra.reset(token)


# --- Helpers ----------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock(order: RepairOrder) -> RepairOrder:
    """The order re-read under a row lock; its state is what the checks must see."""
    locked = RepairOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    return locked


def _text(value: Any, *, field: str, label: str, required: bool = True, limit: int = MAX_REASON) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("Enter the %(label)s.") % {"label": label}]})
    if len(text) > limit:
        raise ValidationError(
            {field: [_("The %(label)s can be at most %(max)d characters.") % {"label": label, "max": limit}]}
        )
    return text


def _event(
    order: RepairOrder,
    name: str,
    actor: Actor,
    *,
    from_status: str,
    note: str = "",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
    notify: Sequence[str] | None = None,
    note_visible_to_customer: bool = False,
) -> OrderEvent:
    """Append the order's event. A staff note on a ``staff_note`` transition (accept, dispatch,
    suspension approval, resume) is staff-only unless its writer chose to show it to the customer;
    every other note is as visible as its event."""
    event = _new_event(
        order,
        name,
        actor,
        from_status=from_status,
        note=note,
        payload=payload,
        now=now,
        notify=notify,
        note_visible_to_customer=note_visible_to_customer,
    )
    event.save(force_insert=True)
    return event


def _new_event(
    order: RepairOrder,
    name: str,
    actor: Actor,
    *,
    from_status: str,
    note: str = "",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
    notify: Sequence[str] | None = None,
    note_visible_to_customer: bool = False,
) -> OrderEvent:
    """The event ``_event`` appends, not saved yet (a submit inserts it with its order)."""
    transition = lifecycle.TRANSITIONS[name]
    data = dict(payload or {})
    data.update(_event_extra.get() or {})
    note_for_customer = not (
        transition.staff_note and actor.is_staff and note and not note_visible_to_customer
    )
    return OrderEvent(
        order=order,
        transition=name,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_role=actor.role,
        actor_display=actor.display[:80],
        from_status=from_status,
        to_status=order.status,
        note=note,
        payload=data,
        notify_roles=list(transition.notify if notify is None else notify),
        visibility=EventVisibility.INTERNAL if transition.internal else EventVisibility.PUBLIC,
        note_visible_to_customer=note_for_customer,
        created_at=_now(now),
    )


def _open_work_order(order: RepairOrder) -> WorkOrder | None:
    return (
        WorkOrder.objects.select_for_update()
        .filter(order=order)
        .exclude(
            status__in=[WorkOrderStatus.REASSIGNED, WorkOrderStatus.CANCELLED, WorkOrderStatus.COMPLETED]
        )
        .first()
    )


WORK_ORDER_STATUS_FOR: dict[str, str] = {
    S.DISPATCHED: WorkOrderStatus.ASSIGNED,
    S.IN_PROGRESS: WorkOrderStatus.IN_PROGRESS,
    S.SUSPENDED: WorkOrderStatus.SUSPENDED,
    S.AWAITING_CONFIRMATION: WorkOrderStatus.AWAITING_CONFIRMATION,
    S.COMPLETED: WorkOrderStatus.COMPLETED,
    S.CANCELLED: WorkOrderStatus.CANCELLED,
    S.ACCEPTED: WorkOrderStatus.CANCELLED,  # moved back before dispatch: the assignment ends
}


def _apply_status(order: RepairOrder, target: str, now: datetime, *, reason: str = "") -> None:
    """Move ``order`` to ``target`` with the bookkeeping every entry into a state needs (SLA clock
    timestamps, suspended time, the open work order's status). The caller saves the order."""
    if order.status == S.SUSPENDED and target != S.SUSPENDED and order.suspended_since:
        order.suspended_seconds += max(0, int((now - order.suspended_since).total_seconds()))
        order.suspended_since = None
        SuspensionRequest.objects.filter(
            order=order, decision=SuspensionDecision.APPROVED, resumed_at__isnull=True
        ).update(resumed_at=now)
    if target == S.SUSPENDED and order.status != S.SUSPENDED:
        order.suspended_since = now
    if target != S.SUBMITTED and target != S.CANCELLED and order.accepted_at is None:
        order.accepted_at = now
    if target == S.AWAITING_CONFIRMATION:
        order.job_submitted_at = now
    elif target in (S.IN_PROGRESS, S.ACCEPTED, S.DISPATCHED):
        order.job_submitted_at = None
    if target == S.COMPLETED:
        order.completed_at = now
    if target == S.CANCELLED:
        order.cancelled_at = now
        order.cancel_reason = reason[:MAX_REASON]
    work_order = _open_work_order(order) if order.engineer_id else None
    if work_order is not None and target in WORK_ORDER_STATUS_FOR:
        work_order.status = WORK_ORDER_STATUS_FOR[target]
        if target == S.IN_PROGRESS and work_order.started_at is None:
            work_order.started_at = now
        if target in (S.COMPLETED, S.CANCELLED, S.ACCEPTED):
            work_order.closed_at = now
        work_order.save()
    if target == S.ACCEPTED:
        order.engineer = None
    order.status = target


def _save(order: RepairOrder) -> None:
    order.save()


def _photos_input(photos: Sequence[Any], *, actor: Actor, limit: int = 6) -> list[PreparedImage | OrderPhoto]:
    items = [p for p in photos if p not in (None, "")]
    if len(items) > limit:
        raise ValidationError({"photos": [_("At most %(max)d photos.") % {"max": limit}]})
    try:
        return resolve_photos(items, actor=actor)
    except ValidationError as exc:
        raise ValidationError({"photos": exc.messages}) from None
