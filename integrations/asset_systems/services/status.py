"""Status changes from the external system become lifecycle steps, one transition at a time."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from accounts.validators import normalize_phone
from integrations.asset_systems.adapters.base import (
    StatusChange,
)
from integrations.asset_systems.models import (
    AssetSystemBinding,
    ExternalOrderLink,
    SyncOperation,
    SyncResult,
)
from integrations.asset_systems.services._common import (
    IGNORE,
    MAPPABLE_STATUSES,
    S,
    adapter_actor,
    log_entry,
)
from repair_forms.lifecycle import TransitionNotAllowed
from repair_forms.models import TERMINAL_STATUSES, RepairOrder
from repair_forms.services import external_transition_for, order_apply_external_status

# --- Status changes ------------------------------------------------------------------------------------


def lifecycle_path(current: str, target: str) -> list[str] | None:
    """The statuses an order passes through from ``current`` to ``target`` using only steps the
    asset adapter may take (shortest first). ``[]`` when already there; None when impossible."""
    if current == target:
        return []
    seen = {current}
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    while queue:
        status, path = queue.popleft()
        for candidate in S.values:
            if candidate in seen or external_transition_for(status, candidate) is None:
                continue
            next_path = [*path, candidate]
            if candidate == target:
                return next_path
            seen.add(candidate)
            queue.append((candidate, next_path))
    return None


def map_status(binding: AssetSystemBinding, external_status: str) -> str | None:
    """Our status for an external value (exact, then case-insensitive); None: not mapped/ignored."""
    mapping = binding.status_mapping or {}
    value = mapping.get(external_status)
    if value is None:
        lowered = external_status.strip().lower()
        value = next((v for k, v in mapping.items() if str(k).strip().lower() == lowered), None)
    if value in (None, IGNORE) or value not in MAPPABLE_STATUSES:
        return None
    return str(value)


def _engineer_for(binding: AssetSystemBinding, change: StatusChange) -> StaffMember | None:
    if change.engineer_phone:
        try:
            phone = normalize_phone(change.engineer_phone)
        except ValidationError:
            phone = ""
        if phone:
            named = StaffMember.objects.filter(phone=phone, role=StaffRole.ENGINEER, is_active=True).first()
            if named is not None:
                return named
    engineer = binding.engineer
    if engineer is not None and engineer.role == StaffRole.ENGINEER and engineer.is_active:
        return engineer
    return None


@dataclass(frozen=True)
class ApplyOutcome:
    result: str  # SyncResult
    message: str
    order: RepairOrder | None = None
    changed: bool = False  # the order moved


def status_change_apply(*, binding: AssetSystemBinding, change: StatusChange, via: str) -> ApplyOutcome:
    """Turn one external status change into our lifecycle steps (all or none) and log it."""
    summary = f"{via} {change.external_id[:40]} “{change.external_status[:40]}”"
    link = (
        ExternalOrderLink.objects.filter(binding=binding, external_id=change.external_id)
        .select_related("order")
        .first()
        if change.external_id
        else None
    )
    if link is None:
        message = _("No order here has the external work order %(id)s.") % {"id": change.external_id[:40]}
        log_entry(
            binding=binding,
            operation=SyncOperation.APPLY,
            result=SyncResult.REFUSED,
            error=message,
            summary=summary,
        )
        return ApplyOutcome(SyncResult.REFUSED, message)
    order = link.order
    target = map_status(binding, change.external_status)
    if target is None:
        ExternalOrderLink.objects.filter(pk=link.pk).update(
            external_status=change.external_status[:80], synced_at=timezone.now()
        )
        message = _("“%(value)s” is not mapped to one of our statuses; nothing changed.") % {
            "value": change.external_status[:40]
        }
        log_entry(
            binding=binding,
            operation=SyncOperation.APPLY,
            result=SyncResult.OK,
            error=message,
            summary=summary,
            order=order,
        )
        return ApplyOutcome(SyncResult.OK, message, order)
    try:
        with transaction.atomic():
            locked = RepairOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
            before = locked.status
            if before in TERMINAL_STATUSES and before != target:
                raise TransitionNotAllowed(
                    _("Order %(number)s is already %(status)s here.")
                    % {"number": locked.number, "status": S(before).label},
                    transition="external_sync",
                )
            path = lifecycle_path(before, target)
            if path is None:
                raise TransitionNotAllowed(
                    _("Order %(number)s cannot go from “%(current)s” to “%(target)s” by a sync.")
                    % {"number": locked.number, "current": S(before).label, "target": S(target).label},
                    transition="external_sync",
                )
            engineer = _engineer_for(binding, change)
            actor = adapter_actor(binding)
            for index, step in enumerate(path):
                if step == S.DISPATCHED and engineer is None:
                    raise TransitionNotAllowed(
                        _(
                            "Order %(number)s needs an engineer to move on. Choose the engineer for external "
                            "work orders in the asset-system binding."
                        )
                        % {"number": locked.number},
                        transition="dispatch",
                    )
                # The external note goes on the job sheet (what was done) and on the last step.
                carries_note = index == len(path) - 1 or step == S.AWAITING_CONFIRMATION
                locked = order_apply_external_status(
                    order=locked,
                    status=step,
                    external_status=change.external_status[:80],
                    note=change.note[:500] if carries_note else "",
                    engineer=engineer,
                    actor=actor,
                )
            ExternalOrderLink.objects.filter(pk=link.pk).update(
                external_status=change.external_status[:80], synced_at=timezone.now()
            )
    except ValidationError as exc:  # TransitionNotAllowed included
        message = "; ".join(exc.messages)
        log_entry(
            binding=binding,
            operation=SyncOperation.APPLY,
            result=SyncResult.FAILED,
            error=message,
            summary=summary,
            order=order,
        )
        return ApplyOutcome(SyncResult.FAILED, message, order)
    if path:
        message = f"{order.number}: {S(before).label} → {S(target).label}"
    else:
        message = _("Order %(number)s is already “%(status)s”.") % {
            "number": order.number,
            "status": S(target).label,
        }
    log_entry(
        binding=binding,
        operation=SyncOperation.APPLY,
        result=SyncResult.OK,
        summary=f"{summary} {message}"[:300],
        order=order,
    )
    return ApplyOutcome(SyncResult.OK, message, locked, changed=bool(path))
