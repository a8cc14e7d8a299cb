"""Order lifecycle services: one per transition of ``repair_forms.lifecycle.TRANSITIONS``.

Each service is keyword-only, runs in one transaction, locks the order row (``SELECT … FOR UPDATE``
so two dispatchers cannot both accept), asks ``lifecycle.check`` whether the actor may fire the
transition from the order's current state, writes the order and appends an ``OrderEvent`` — the
timeline entry and the notification outbox row — before the transaction commits.

Errors: ``lifecycle.TransitionNotAllowed`` (wrong state, wrong role, or a rule like "too early to
urge"; HTTP 409) and plain ``ValidationError`` for bad input (HTTP 400), both in zh and en.
Times: every service takes ``now`` (default ``timezone.now()``) so tests and jobs control the clock.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from accounts.selectors import provider_settings
from repair_forms import lifecycle
from repair_forms.fields import CORE_KEYS, CleanedSubmission, validate_submission
from repair_forms.form_templates import default_template_version
from repair_forms.lifecycle import Actor, Role, TransitionNotAllowed, check
from repair_forms.models import (
    Asset,
    EventVisibility,
    FormTemplateVersion,
    OrderEvent,
    OrderPhoto,
    OrderStatus,
    PhotoKind,
    Rating,
    RepairOrder,
    SuspensionDecision,
    SuspensionRequest,
    Urge,
    WorkOrder,
    WorkOrderStatus,
)
from repair_forms.numbering import next_order_number, next_work_order_number
from repair_forms.photos import PreparedImage, attach_photos, resolve_photos

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
) -> OrderEvent:
    transition = lifecycle.TRANSITIONS[name]
    data = dict(payload or {})
    data.update(_event_extra.get() or {})
    return OrderEvent.objects.create(
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


# --- Submit / edit / cancel / urge (the reporter) --------------------------------------------------


def _default_version() -> FormTemplateVersion:
    return default_template_version()


def _fill_from_asset(core: dict[str, Any], asset: Asset) -> None:
    defaults = {
        "brand": asset.brand,
        "category": asset.category,
        "model": asset.model,
        "machine_no": asset.machine_no,
        "serial": asset.serials[0] if asset.serials else "",
        "location_plot": asset.location_plot,
        "location_building": asset.location_building,
        "location_room": asset.location_room,
        "location_address": asset.location_address,
        "warranty_status": asset.effective_warranty(),
    }
    for column, value in defaults.items():
        if not core.get(column) and value:
            core[column] = value


def _resolve_images(cleaned: CleanedSubmission, actor: Actor) -> dict[str, list[PreparedImage | OrderPhoto]]:
    return {key: resolve_photos(items, actor=actor) for key, items in cleaned.images.items() if items}


@transaction.atomic
def order_submit(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    template_version: FormTemplateVersion | None = None,
    asset: Asset | None = None,
    now: datetime | None = None,
) -> RepairOrder:
    """File a new order (→ submitted) with the default template (or ``template_version``).

    ``asset``: the machine the customer came from (QR label or a lookup). Without one, the serial /
    machine number typed in the form is looked up; if nothing matches, the report is free-form,
    which the provider may have switched off."""
    from repair_forms.selectors import asset_form_values, asset_lookup

    now = _now(now)
    check("submit", order=None, actor=actor)
    customer = actor.customer
    assert customer is not None
    version = template_version or _default_version()
    data = dict(data)
    if asset is None:
        for key in ("serial", "machine_no"):
            typed = str(data.get(key) or "").strip()
            if typed and len(typed) <= 80:
                asset = asset_lookup(typed)
                if asset is not None:
                    break
    if asset is not None:
        # What the customer left empty comes from the asset (the prefilled form).
        for key, value in asset_form_values(asset).items():
            if data.get(key) in (None, "", [], {}):
                data[key] = value
    cleaned = validate_submission(version.fields, data, now=now)
    core = cleaned.core
    if asset is None and not provider_settings().free_form_reporting_enabled:
        field = "serial" if any(f["key"] == "serial" for f in version.fields) else "__all__"
        raise ValidationError(
            {field: [_("No machine has this number or serial number. Check the number on the label.")]}
        )
    if asset is not None:
        _fill_from_asset(core, asset)
    images = _resolve_images(cleaned, actor)
    order = RepairOrder(
        number=next_order_number(now),
        status=S.SUBMITTED,
        template_version=version,
        reporter=customer,
        company=customer.company or (asset.company if asset else None),
        asset=asset,
        extra=cleaned.extra,
        submitted_at=now,
    )
    for column in EDITABLE_COLUMNS:
        if column in core and core[column] is not None:
            setattr(order, column, core[column])
    order.contact_name = order.contact_name or customer.name
    order.contact_phone = order.contact_phone or customer.phone
    order.save()
    event = _event(
        order,
        "submit",
        actor,
        from_status="",
        now=now,
        payload={"template_version": version.pk, "asset": asset.pk if asset else None},
    )
    _store_images(order, images, actor=actor, event=event)
    return order


def _store_images(
    order: RepairOrder,
    images: dict[str, list[PreparedImage | OrderPhoto]],
    *,
    actor: Actor,
    event: OrderEvent,
) -> None:
    extra_changed = False
    for key, items in images.items():
        photos = attach_photos(items, kind=PhotoKind.REPORT, actor=actor, order=order, event=event)
        if key not in CORE_KEYS:
            order.extra[key] = [p.pk for p in photos]
            extra_changed = True
    if extra_changed:
        order.save(update_fields=["extra", "updated_at"])


def _display(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value


@transaction.atomic
def order_edit(
    *, actor: Actor, order: RepairOrder, data: Mapping[str, Any], now: datetime | None = None
) -> RepairOrder:
    """The reporter corrects the order before it is accepted (same template version as filed).

    Images fields: ids of the order's current photos are kept, new files or uploaded ids are added,
    and current photos left out are removed; a missing images key keeps the photos as they are."""
    now = _now(now)
    order = _lock(order)
    check("edit", order=order, actor=actor)
    version = order.template_version or _default_version()
    current_photos = {p.pk: p for p in order.photos.filter(kind=PhotoKind.REPORT)}
    data = dict(data)
    image_keys = [f["key"] for f in version.fields if f["type"] == "images"]
    for key in image_keys:
        if key not in data:
            data[key] = (
                [p.pk for p in current_photos.values()] if key == "photos" else list(order.extra.get(key, []))
            )
    cleaned = validate_submission(version.fields, data, now=now)
    kept: set[int] = set()
    new_images: dict[str, list[Any]] = {}
    for key, items in cleaned.images.items():
        fresh = []
        for item in items:
            if str(item).isdigit() and int(item) in current_photos:
                kept.add(int(item))
            else:
                fresh.append(item)
        new_images[key] = fresh
    resolved = {key: resolve_photos(items, actor=actor) for key, items in new_images.items() if items}
    changes: dict[str, list[Any]] = {}
    for column in EDITABLE_COLUMNS:
        if column not in cleaned.core:
            continue
        new = cleaned.core[column]
        new = (
            ""
            if new is None
            and column not in ("brand", "category", "model", "appointment_at", "appointment_until")
            else new
        )
        old = getattr(order, column)
        if old != new:
            changes[column] = [_display(old), _display(new)]
            setattr(order, column, new)
    extra = {
        k: v
        for k, v in order.extra.items()
        if k in {f["key"] for f in version.fields if f["type"] == "images"}
    }
    extra.update(cleaned.extra)
    for key in set(order.extra) | set(extra):
        if order.extra.get(key) != extra.get(key) and key not in image_keys:
            changes[key] = [order.extra.get(key), extra.get(key)]
    order.extra = extra
    removed = [pk for pk in current_photos if pk not in kept]
    if removed:
        changes["photos_removed"] = removed
    if resolved:
        changes["photos_added"] = [sum(len(v) for v in resolved.values())]
    if not changes:
        return order
    order.save()
    event = _event(order, "edit", actor, from_status=order.status, now=now, payload={"changes": changes})
    for pk in removed:
        photo = current_photos[pk]
        photo.file.delete(save=False)
        photo.delete()
    _store_images(order, resolved, actor=actor, event=event)
    for key in image_keys:
        if key not in CORE_KEYS and key not in resolved:
            order.extra[key] = [pk for pk in order.extra.get(key, []) if pk in kept]
    order.save(update_fields=["extra", "updated_at"])
    return order


@transaction.atomic
def order_cancel(
    *, actor: Actor, order: RepairOrder, reason: str, now: datetime | None = None
) -> RepairOrder:
    """撤销: the reporter withdraws the order before acceptance, with a reason. Final."""
    now = _now(now)
    order = _lock(order)
    check("cancel", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    before = order.status
    _apply_status(order, S.CANCELLED, now, reason=reason)
    _save(order)
    _event(order, "cancel", actor, from_status=before, note=reason, now=now)
    return order


@transaction.atomic
def order_urge(*, actor: Actor, order: RepairOrder, now: datetime | None = None) -> RepairOrder:
    """催单: allowed ``urge_after_hours`` after submitting, then at most once per
    ``lifecycle.URGE_INTERVAL_SECONDS``. Sets the 催 flag."""
    now = _now(now)
    order = _lock(order)
    check("urge", order=order, actor=actor)
    settings = provider_settings()
    opens_at = order.submitted_at + timedelta(hours=settings.urge_after_hours)
    if now < opens_at:
        raise TransitionNotAllowed(
            _("You can urge this order from %(time)s, %(hours)d hours after submitting it.")
            % {
                "time": timezone.localtime(opens_at).strftime("%Y-%m-%d %H:%M"),
                "hours": settings.urge_after_hours,
            },
            transition="urge",
            code="too_early",
        )
    if order.last_urged_at:
        again_at = order.last_urged_at + timedelta(seconds=lifecycle.URGE_INTERVAL_SECONDS)
        if now < again_at:
            raise TransitionNotAllowed(
                _("You urged this order at %(last)s; you can urge again from %(next)s.")
                % {
                    "last": timezone.localtime(order.last_urged_at).strftime("%H:%M"),
                    "next": timezone.localtime(again_at).strftime("%H:%M"),
                },
                transition="urge",
                code="rate_limited",
            )
    customer = actor.customer
    assert customer is not None
    Urge.objects.create(order=order, customer=customer, created_at=now)
    order.is_urged = True
    order.urge_count += 1
    order.last_urged_at = now
    _save(order)
    _event(order, "urge", actor, from_status=order.status, now=now, payload={"urge_count": order.urge_count})
    return order


# --- Back office -------------------------------------------------------------------------------------


@transaction.atomic
def order_accept(
    *, actor: Actor, order: RepairOrder, note: str = "", now: datetime | None = None
) -> RepairOrder:
    """受理: stops the waiting clock and starts the repair clock."""
    now = _now(now)
    order = _lock(order)
    check("accept", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False, limit=MAX_NOTE)
    before = order.status
    _apply_status(order, S.ACCEPTED, now)
    _save(order)
    _event(order, "accept", actor, from_status=before, note=note, now=now)
    return order


def _location_text(order: RepairOrder) -> str:
    parts = [order.location_plot, order.location_building, order.location_room, order.location_address]
    return " ".join(p for p in parts if p)


@transaction.atomic
def order_dispatch(
    *, actor: Actor, order: RepairOrder, engineer: StaffMember, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """派单 / reassign: opens a work order GD-YYMMDD-NNN for ``engineer``; an open work order of
    another engineer is closed as reassigned (``payload.previous_engineer_id`` names him)."""
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


def _photos_input(photos: Sequence[Any], *, actor: Actor, limit: int = 6) -> list[PreparedImage | OrderPhoto]:
    items = [p for p in photos if p not in (None, "")]
    if len(items) > limit:
        raise ValidationError({"photos": [_("At most %(max)d photos.") % {"max": limit}]})
    try:
        return resolve_photos(items, actor=actor)
    except ValidationError as exc:
        raise ValidationError({"photos": exc.messages}) from None


@transaction.atomic
def order_approve_suspension(
    *, actor: Actor, order: RepairOrder, note: str = "", now: datetime | None = None
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
    *, actor: Actor, order: RepairOrder, note: str = "", now: datetime | None = None
) -> RepairOrder:
    """Back to repair; the suspended time is added to ``suspended_seconds`` (SLA clocks skip it)."""
    now = _now(now)
    order = _lock(order)
    check("resume", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False)
    before = order.status
    _apply_status(order, S.IN_PROGRESS, now)
    _save(order)
    _event(order, "resume", actor, from_status=before, note=note, now=now)
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


# --- Reporter / company manager confirms; rating ----------------------------------------------------


@transaction.atomic
def order_confirm_completion(
    *, actor: Actor, order: RepairOrder, note: str = "", now: datetime | None = None
) -> RepairOrder:
    """确认: by the reporter or the company's manager (or ``Actor.system()`` after the provider's
    auto-confirm days). The engineer who did the job can never confirm it, even if he also filed it."""
    now = _now(now)
    order = _lock(order)
    check("confirm_completion", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False)
    if actor.customer is not None and order.engineer_id is not None:
        # Customers and staff are separate users; the same person has the same phone in both.
        engineer_phone = (
            StaffMember.objects.filter(pk=order.engineer_id).values_list("phone", flat=True).first()
        )
        if engineer_phone == actor.customer.phone:
            raise TransitionNotAllowed(
                _("The engineer who did the job cannot confirm it; the reporter or company manager must."),
                transition="confirm_completion",
                code="own_job",
            )
    before = order.status
    _apply_status(order, S.COMPLETED, now)
    _save(order)
    _event(
        order,
        "confirm_completion",
        actor,
        from_status=before,
        note=note,
        now=now,
        payload={"auto": actor.role == Role.SYSTEM},
    )
    return order


@transaction.atomic
def order_reject_completion(
    *, actor: Actor, order: RepairOrder, reason: str, now: datetime | None = None
) -> RepairOrder:
    """Not fixed: back to repair with the reason; the engineer is told."""
    now = _now(now)
    order = _lock(order)
    check("reject_completion", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    before = order.status
    _apply_status(order, S.IN_PROGRESS, now)
    _save(order)
    _event(order, "reject_completion", actor, from_status=before, note=reason, now=now)
    return order


@transaction.atomic
def order_rate(
    *,
    actor: Actor,
    order: RepairOrder,
    stars: int,
    tags: Sequence[str] = (),
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    """评价: once, by the reporter, on a completed order, when the provider has ratings on.
    ``tags`` must be among the provider's rating tags."""
    now = _now(now)
    order = _lock(order)
    check("rate", order=order, actor=actor)
    settings = provider_settings()
    if not settings.ratings_enabled:
        raise TransitionNotAllowed(
            _("This provider does not take ratings."), transition="rate", code="ratings_disabled"
        )
    if Rating.objects.filter(order=order).exists():
        raise TransitionNotAllowed(
            _("Order %(number)s has already been rated.") % {"number": order.number},
            transition="rate",
            code="already_rated",
        )
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": [_("Choose from 1 to 5 stars.")]})
    allowed_tags = list(settings.rating_tags or [])
    chosen = [str(t) for t in tags if str(t).strip()]
    if any(t not in allowed_tags for t in chosen):
        raise ValidationError({"tags": [_("Choose tags from the list.")]})
    chosen = [t for t in allowed_tags if t in chosen]
    comment = _text(comment, field="comment", label=_("comment"), required=False)
    customer = actor.customer
    assert customer is not None
    rating = Rating.objects.create(
        order=order, customer=customer, stars=stars, tags=chosen, comment=comment, created_at=now
    )
    order.rating_stars = stars
    _save(order)
    _event(
        order,
        "rate",
        actor,
        from_status=order.status,
        note=comment,
        now=now,
        payload={"stars": stars, "tags": chosen},
    )
    return rating


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


# --- System: overdue flag and external sync ----------------------------------------------------------


@transaction.atomic
def order_flag_overdue(*, order: RepairOrder, clock: str, now: datetime | None = None) -> RepairOrder:
    """超: set by ``jobs.flag_overdue_orders`` once an SLA clock (``waiting`` or ``repair``) runs
    out. The flag stays after completion: the order *was* late."""
    now = _now(now)
    order = _lock(order)
    actor = Actor.system()
    check("flag_overdue", order=order, actor=actor)
    if order.is_overdue:
        return order
    order.is_overdue = True
    _save(order)
    _event(order, "flag_overdue", actor, from_status=order.status, now=now, payload={"clock": clock})
    return order


EXTERNAL_SYNC_SERVICES = {
    "accept": "accept",
    "dispatch": "dispatch",
    "start": "start",
    "approve_suspension": "approve_suspension",
    "resume": "resume",
    "submit_job_sheet": "submit_job_sheet",
    "confirm_completion": "confirm_completion",
    "reject_completion": "reject_completion",
    "cancel": "cancel",
}


def external_transition_for(current: str, target: str) -> str | None:
    """The lifecycle transition an external status change maps to (None: no single step)."""
    for name, transition in lifecycle.TRANSITIONS.items():
        if (
            Role.ASSET_ADAPTER in transition.roles
            and current in transition.sources
            and transition.target == target
            and name in EXTERNAL_SYNC_SERVICES
        ):
            return name
    return None


@transaction.atomic
def order_apply_external_status(
    *,
    order: RepairOrder,
    status: str,
    external_status: str = "",
    note: str = "",
    engineer: StaffMember | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> RepairOrder:
    """An asset-system adapter reports the order's status there (already mapped to ours). Runs the
    one transition that leads there from the current state, as ``Actor.asset_adapter()``, with the
    same event and notifications (the payload adds ``external_status``). Same status: no-op, so a
    repeated sync is harmless. No single step leads there: ``TransitionNotAllowed``."""
    actor = actor or Actor.asset_adapter()
    order = _lock(order)
    if order.status == status:
        return order
    name = external_transition_for(order.status, status)
    if name is None:
        reachable = sorted(
            {
                str(S(t.target).label)
                for n, t in lifecycle.TRANSITIONS.items()
                if n in EXTERNAL_SYNC_SERVICES and order.status in t.sources and t.target
            }
        )
        raise TransitionNotAllowed(
            _("Order %(number)s cannot go from “%(current)s” there in one step. Possible: %(allowed)s.")
            % {
                "number": order.number,
                "current": S(order.status).label,
                "allowed": _(", ").join(reachable) or _("nothing"),
            },
            transition="external_sync",
            code="no_mapped_transition",
        )
    text = note or external_status or _("Updated by the asset system")
    with _extra_payload(external_status=external_status, source="asset_adapter"):
        if name == "accept":
            order_accept(actor=actor, order=order, note=note, now=now)
        elif name == "dispatch":
            if engineer is None:
                raise TransitionNotAllowed(
                    _("Dispatching needs one of the provider's engineers."),
                    transition="dispatch",
                    code="needs_engineer",
                )
            order_dispatch(actor=actor, order=order, engineer=engineer, note=note, now=now)
        elif name == "start":
            order_start(actor=actor, order=order, now=now)
        elif name == "approve_suspension":
            order_approve_suspension(actor=actor, order=order, note=note[:MAX_REASON], now=now)
        elif name == "resume":
            order_resume(actor=actor, order=order, note=note[:MAX_REASON], now=now)
        elif name == "submit_job_sheet":
            order_submit_job_sheet(
                actor=actor, order=order, work_done=text, result=external_status or text, now=now
            )
        elif name == "confirm_completion":
            order_confirm_completion(actor=actor, order=order, note=note[:MAX_REASON], now=now)
        elif name == "reject_completion":
            order_reject_completion(actor=actor, order=order, reason=text, now=now)
        elif name == "cancel":
            order_cancel(actor=actor, order=order, reason=text, now=now)
    order.refresh_from_db()
    return order
