"""Accept, dispatch, manual progress and internal notes: the back office's steps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from repair_forms import lifecycle
from repair_forms.lifecycle import Actor, TransitionNotAllowed, check
from repair_forms.models import (
    OrderEvent,
    PhotoKind,
    RepairOrder,
    SuspensionDecision,
    SuspensionRequest,
    WorkOrder,
    WorkOrderStatus,
)
from repair_forms.numbering import next_work_order_number
from repair_forms.photos import attach_photos
from repair_forms.services._common import (
    MAX_NOTE,
    S,
    _apply_status,
    _event,
    _lock,
    _now,
    _open_work_order,
    _photos_input,
    _save,
    _text,
)

# --- Back office -------------------------------------------------------------------------------------


@transaction.atomic
def order_accept(
    *,
    actor: Actor,
    order: RepairOrder,
    note: str = "",
    note_visible_to_customer: bool = False,
    now: datetime | None = None,
) -> RepairOrder:
    """受理: stops the waiting clock and starts the repair clock. ``note`` is for staff and the
    engineer unless ``note_visible_to_customer``."""
    now = _now(now)
    order = _lock(order)
    check("accept", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False, limit=MAX_NOTE)
    before = order.status
    _apply_status(order, S.ACCEPTED, now)
    _save(order)
    _event(
        order,
        "accept",
        actor,
        from_status=before,
        note=note,
        now=now,
        note_visible_to_customer=note_visible_to_customer,
    )
    return order


def _location_text(order: RepairOrder) -> str:
    parts = [order.location_plot, order.location_building, order.location_room, order.location_address]
    return " ".join(p for p in parts if p)


@transaction.atomic
def order_dispatch(
    *,
    actor: Actor,
    order: RepairOrder,
    engineer: StaffMember,
    note: str = "",
    note_visible_to_customer: bool = False,
    now: datetime | None = None,
) -> WorkOrder:
    """派单 / reassign: opens a work order GD-YYMMDD-NNN for ``engineer``; an open work order of
    another engineer is closed as reassigned (``payload.previous_engineer_id`` names him).
    ``note`` (给工程师的备注) is staff-only unless ``note_visible_to_customer``."""
    now = _now(now)
    order = _lock(order)
    check("dispatch", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False, limit=MAX_NOTE)
    if not isinstance(engineer, StaffMember) or engineer.role != StaffRole.ENGINEER or not engineer.is_active:
        raise ValidationError({"engineer": [_("Choose an active engineer.")]})
    current = _open_work_order(order)
    if current is not None and current.engineer_id == engineer.pk:
        raise ValidationError({"engineer": [_("This engineer is already assigned to the order.")]})
    previous_engineer_id = current.engineer_id if current else None
    if current is not None:
        current.status = WorkOrderStatus.REASSIGNED
        current.closed_at = now
        current.save(update_fields=["status", "closed_at"])
    work_order = WorkOrder.objects.create(
        number=next_work_order_number(now),
        order=order,
        engineer=engineer,
        dispatched_by=actor.staff,
        dispatched_at=now,
    )
    before = order.status
    order.engineer = engineer
    _apply_status(order, S.DISPATCHED, now)
    _save(order)
    _event(
        order,
        "dispatch",
        actor,
        from_status=before,
        note=note,
        now=now,
        note_visible_to_customer=note_visible_to_customer,
        payload={
            "work_order": work_order.number,
            "engineer_id": engineer.pk,
            "engineer_name": engineer.display_name or engineer.phone,
            "previous_engineer_id": previous_engineer_id,
            "reassign": previous_engineer_id is not None,
            "address": _location_text(order),
        },
    )
    return work_order


# --- Back office: manual progress, internal notes ---------------------------------------------------


@transaction.atomic
def order_set_progress(
    *, actor: Actor, order: RepairOrder, status: str, reason: str, now: datetime | None = None
) -> RepairOrder:
    """手动设置处理进度: staff move an active order to another state with a reason (e.g. a job
    finished by phone). States that need an engineer need one assigned first."""
    now = _now(now)
    order = _lock(order)
    check("set_progress", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    if status not in lifecycle.MANUAL_PROGRESS_TARGETS or status == order.status:
        allowed = [
            str(S(s).label) for s in S.values if s in lifecycle.MANUAL_PROGRESS_TARGETS and s != order.status
        ]
        raise TransitionNotAllowed(
            _("Order %(number)s cannot be set to this progress. Choose one of: %(allowed)s.")
            % {"number": order.number, "allowed": _(", ").join(allowed)},
            transition="set_progress",
            code="wrong_target",
        )
    if status in lifecycle.NEEDS_ENGINEER and order.engineer_id is None:
        raise TransitionNotAllowed(
            _("Dispatch an engineer to order %(number)s first.") % {"number": order.number},
            transition="set_progress",
            code="needs_engineer",
        )
    before = order.status
    if before == S.IN_PROGRESS:
        SuspensionRequest.objects.filter(order=order, decision=SuspensionDecision.PENDING).update(
            decision=SuspensionDecision.REJECTED, decided_by=actor.staff, decided_at=now, decision_note=reason
        )
    _apply_status(order, status, now, reason=reason)
    _save(order)
    _event(order, "set_progress", actor, from_status=before, note=reason, now=now, payload={"manual": True})
    return order


@transaction.atomic
def order_add_note(
    *, actor: Actor, order: RepairOrder, note: str, photos: Sequence[Any] = (), now: datetime | None = None
) -> OrderEvent:
    """内部备注: a staff-only timeline entry (customers never see it); notifies nobody."""
    now = _now(now)
    order = _lock(order)
    check("add_note", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), limit=MAX_NOTE)
    resolved = _photos_input(photos, actor=actor)
    event = _event(order, "add_note", actor, from_status=order.status, note=note, now=now)
    attach_photos(resolved, kind=PhotoKind.NOTE, actor=actor, order=order, event=event)
    return event
