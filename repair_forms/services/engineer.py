"""Start, suspension (request / approve / reject), resume and the job sheet: the engineer's steps
and the supervisor's approval of a suspension."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from repair_forms.lifecycle import Actor, Role, TransitionNotAllowed, check
from repair_forms.models import (
    PhotoKind,
    RepairOrder,
    SuspensionDecision,
    SuspensionRequest,
    WorkOrder,
)
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

# --- Engineer ----------------------------------------------------------------------------------------


@transaction.atomic
def order_start(*, actor: Actor, order: RepairOrder, now: datetime | None = None) -> RepairOrder:
    now = _now(now)
    order = _lock(order)
    check("start", order=order, actor=actor)
    before = order.status
    _apply_status(order, S.IN_PROGRESS, now)
    _save(order)
    _event(order, "start", actor, from_status=before, now=now)
    return order


def _pending_suspension(order: RepairOrder) -> SuspensionRequest | None:
    return (
        SuspensionRequest.objects.select_for_update()
        .filter(order=order, decision=SuspensionDecision.PENDING)
        .first()
    )


@transaction.atomic
def order_request_suspension(
    *,
    actor: Actor,
    order: RepairOrder,
    reason: str,
    photos: Sequence[Any] = (),
    now: datetime | None = None,
) -> SuspensionRequest:
    """挂起申请: the order stays in repair until a supervisor approves. ``photos``: files or ids of
    photos the engineer uploaded beforehand (at most 6)."""
    now = _now(now)
    order = _lock(order)
    check("request_suspension", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    if _pending_suspension(order) is not None:
        raise TransitionNotAllowed(
            _("A suspension request for order %(number)s is already waiting for approval.")
            % {"number": order.number},
            transition="request_suspension",
            code="already_pending",
        )
    resolved = _photos_input(photos, actor=actor)
    staff = actor.staff
    assert staff is not None
    request = SuspensionRequest.objects.create(
        order=order, work_order=_open_work_order(order), reason=reason, requested_by=staff, requested_at=now
    )
    event = _event(
        order,
        "request_suspension",
        actor,
        from_status=order.status,
        note=reason,
        now=now,
        payload={"suspension_id": request.pk},
    )
    attach_photos(
        resolved, kind=PhotoKind.SUSPENSION, actor=actor, order=order, suspension=request, event=event
    )
    return request


@transaction.atomic
def order_approve_suspension(
    *,
    actor: Actor,
    order: RepairOrder,
    note: str = "",
    note_visible_to_customer: bool = False,
    now: datetime | None = None,
) -> RepairOrder:
    """The supervisor approves the pending request: → suspended; the repair clock pauses."""
    now = _now(now)
    order = _lock(order)
    roles = check("approve_suspension", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False)
    pending = _pending_suspension(order)
    if pending is None and Role.ASSET_ADAPTER not in roles:
        raise TransitionNotAllowed(
            _("Order %(number)s has no suspension request waiting for a decision.")
            % {"number": order.number},
            transition="approve_suspension",
            code="nothing_pending",
        )
    if pending is not None:
        pending.decision = SuspensionDecision.APPROVED
        pending.decided_by = actor.staff
        pending.decided_at = now
        pending.decision_note = note
        pending.save()
    before = order.status
    _apply_status(order, S.SUSPENDED, now)
    _save(order)
    _event(
        order,
        "approve_suspension",
        actor,
        from_status=before,
        note=note,
        now=now,
        note_visible_to_customer=note_visible_to_customer,
        payload={
            "suspension_id": pending.pk if pending else None,
            "reason": pending.reason if pending else "",
        },
    )
    return order


@transaction.atomic
def order_reject_suspension(
    *, actor: Actor, order: RepairOrder, reason: str, now: datetime | None = None
) -> RepairOrder:
    now = _now(now)
    order = _lock(order)
    check("reject_suspension", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    pending = _pending_suspension(order)
    if pending is None:
        raise TransitionNotAllowed(
            _("Order %(number)s has no suspension request waiting for a decision.")
            % {"number": order.number},
            transition="reject_suspension",
            code="nothing_pending",
        )
    pending.decision = SuspensionDecision.REJECTED
    pending.decided_by = actor.staff
    pending.decided_at = now
    pending.decision_note = reason
    pending.save()
    _event(
        order,
        "reject_suspension",
        actor,
        from_status=order.status,
        note=reason,
        now=now,
        payload={"suspension_id": pending.pk},
    )
    return order


@transaction.atomic
def order_resume(
    *,
    actor: Actor,
    order: RepairOrder,
    note: str = "",
    note_visible_to_customer: bool = False,
    now: datetime | None = None,
) -> RepairOrder:
    """Back to repair; the suspended time is added to ``suspended_seconds`` (SLA clocks skip it)."""
    now = _now(now)
    order = _lock(order)
    check("resume", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False)
    before = order.status
    _apply_status(order, S.IN_PROGRESS, now)
    _save(order)
    _event(
        order,
        "resume",
        actor,
        from_status=before,
        note=note,
        now=now,
        note_visible_to_customer=note_visible_to_customer,
    )
    return order


def _clean_parts(parts: Sequence[Any]) -> list[dict[str, Any]]:
    cleaned = []
    for part in parts or ():
        if isinstance(part, str):
            part = {"name": part, "quantity": 1}
        if not isinstance(part, Mapping):
            raise ValidationError({"parts": [_("Each part needs a name and a quantity.")]})
        name = str(part.get("name") or "").strip()
        if not name:
            continue
        try:
            quantity = int(part.get("quantity") or 1)
        except (TypeError, ValueError):
            raise ValidationError({"parts": [_("Each part needs a name and a quantity.")]}) from None
        if not 1 <= quantity <= 9999 or len(name) > 100:
            raise ValidationError({"parts": [_("Each part needs a name and a quantity.")]})
        cleaned.append({"name": name, "quantity": quantity})
    if len(cleaned) > 50:
        raise ValidationError({"parts": [_("At most %(max)d parts.") % {"max": 50}]})
    return cleaned


@transaction.atomic
def order_submit_job_sheet(
    *,
    actor: Actor,
    order: RepairOrder,
    work_done: str,
    result: str,
    parts: Sequence[Any] = (),
    photos: Sequence[Any] = (),
    now: datetime | None = None,
) -> WorkOrder:
    """提交派单: the engineer's job sheet (work done, result, parts ``[{"name", "quantity"}]``,
    photos) → awaiting the reporter's or company manager's confirmation."""
    now = _now(now)
    order = _lock(order)
    roles = check("submit_job_sheet", order=order, actor=actor)
    work_done = _text(work_done, field="work_done", label=_("work done"), limit=MAX_NOTE)
    result = _text(result, field="result", label=_("result"), limit=200)
    clean_parts = _clean_parts(parts)
    resolved = _photos_input(photos, actor=actor, limit=9)
    work_order = _open_work_order(order)
    if work_order is None:
        if Role.ASSET_ADAPTER not in roles:  # pragma: no cover - the engineer role implies one
            raise TransitionNotAllowed(_("Dispatch an engineer first."), transition="submit_job_sheet")
    else:
        work_order.work_done = work_done
        work_order.result = result
        work_order.parts = clean_parts
        work_order.finished_at = now
        work_order.save()
    before = order.status
    _apply_status(order, S.AWAITING_CONFIRMATION, now)
    _save(order)
    event = _event(
        order,
        "submit_job_sheet",
        actor,
        from_status=before,
        now=now,
        payload={
            "work_order": work_order.number if work_order else "",
            "work_done": work_done,
            "result": result,
            "parts": clean_parts,
        },
    )
    attach_photos(
        resolved, kind=PhotoKind.JOB_SHEET, actor=actor, order=order, work_order=work_order, event=event
    )
    if work_order is not None:
        work_order.refresh_from_db()
    return work_order  # type: ignore[return-value]
