"""Order pushes: link in the order's transaction, push after commit, retry with backoff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from integrations.asset_systems.adapters import adapter_for
from integrations.asset_systems.adapters.base import (
    AdapterError,
    NotApplicable,
    WorkOrderRequest,
)
from integrations.asset_systems.models import (
    ExternalOrderLink,
    PushStatus,
)
from integrations.asset_systems.selectors import active_binding, sync_allowed
from integrations.asset_systems.services._common import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    DISABLED_RECHECK_SECONDS,
)
from repair_forms.models import AssetSource, RepairOrder

# --- Push --------------------------------------------------------------------------------------------


def order_link_create(*, order: RepairOrder) -> ExternalOrderLink | None:
    """Called in the order's own transaction when it is submitted: remember that it must be sent.
    Nothing is sent here; ``tasks.push_order`` does it after commit."""
    binding = active_binding()
    if binding is None:
        return None
    link, _created = ExternalOrderLink.objects.get_or_create(
        order=order, defaults={"binding": binding, "next_retry_at": timezone.now()}
    )
    return link


def _location(order: RepairOrder) -> str:
    parts = [order.location_plot, order.location_building, order.location_room, order.location_address]
    return " ".join(p for p in parts if p)


def work_order_request_for(order: RepairOrder) -> WorkOrderRequest:
    asset = order.asset
    submitted = timezone.localtime(order.submitted_at)
    title = f"{order.number} {order.fault_description}".strip()
    return WorkOrderRequest(
        order_number=order.number,
        title=title[:100],
        description=order.fault_description,
        serial=order.serial or (asset.serials[0] if asset and asset.serials else ""),
        machine_no=order.machine_no or (asset.machine_no if asset else ""),
        asset_external_id=asset.external_id if asset and asset.source == AssetSource.EXTERNAL else "",
        brand=str(order.brand or ""),
        category=str(order.category or ""),
        model=str(order.model or ""),
        service_type=order.get_service_type_display() if order.service_type else "",
        contact_name=order.contact_name,
        contact_phone=order.contact_phone,
        company=str(order.company or ""),
        address=_location(order),
        submitted_at=submitted.isoformat(timespec="seconds"),
        submitted_on=submitted.date().isoformat(),
    )


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most 6 hours."""
    return int(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def order_push(*, link_id: int, now: datetime | None = None) -> ExternalOrderLink | None:
    """Send one pending order. Safe to run twice: the link row is locked for the call and a pushed
    link is left alone. Failure: retried later with backoff, or ``failed`` once given up."""
    now = now or timezone.now()
    with transaction.atomic():
        link = (
            ExternalOrderLink.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "binding", "order", "order__asset", "order__brand", "order__category", "order__model"
            )
            .filter(pk=link_id)
            .first()
        )
        if link is None or link.push_status != PushStatus.PENDING:
            return link
        binding = link.binding
        if not binding.enabled or not sync_allowed():
            link.last_error = _(
                "Sync is switched off or not included in the plan; the order will be sent later."
            )
            link.next_retry_at = now + timedelta(seconds=DISABLED_RECHECK_SECONDS)
            link.save(update_fields=["last_error", "next_retry_at", "updated_at"])
            return link
        adapter = adapter_for(binding)
        adapter.client.order = link.order
        link.attempts += 1
        try:
            result = adapter.push_order(work_order_request_for(link.order))
        except NotApplicable as exc:
            link.push_status = PushStatus.SKIPPED
            link.last_error = exc.message[:500]
            link.next_retry_at = None
        except AdapterError as exc:
            link.last_error = exc.message[:500]
            if exc.retryable and link.attempts < int(settings.ASSET_SYNC_PUSH_MAX_ATTEMPTS):
                link.next_retry_at = now + timedelta(seconds=backoff_seconds(link.attempts))
            else:
                link.push_status = PushStatus.FAILED
                link.next_retry_at = None
        else:
            link.push_status = PushStatus.PUSHED
            link.external_id = result.external_id[:80]
            link.external_status = result.external_status[:80]
            link.external_asset_id = result.external_asset_id[:80]
            link.pushed_at = now
            link.last_error = ""
            link.next_retry_at = None
            RepairOrder.objects.filter(pk=link.order_id).update(external_ref=link.external_id)
        link.save()
        return link


def _enqueue_push(link_ids: Sequence[int]) -> None:
    from integrations.asset_systems.tasks import enqueue_push

    ids, schema_name = list(link_ids), str(getattr(connection, "schema_name", ""))
    transaction.on_commit(lambda: enqueue_push(ids, schema_name=schema_name), robust=True)


@transaction.atomic
def link_retry(*, actor: StaffMember, link: ExternalOrderLink) -> ExternalOrderLink:
    """重试: a failed (or waiting) push is sent again now, with a fresh attempt budget."""
    if actor.role not in (StaffRole.ADMIN, StaffRole.DISPATCHER) or not actor.is_active:
        raise PermissionDenied(_("Only administrators and dispatchers can retry a push."))
    link = ExternalOrderLink.objects.select_for_update().get(pk=link.pk)
    if link.push_status not in (PushStatus.FAILED, PushStatus.PENDING, PushStatus.SKIPPED):
        raise ValidationError(_("This order has already been sent."))
    link.push_status = PushStatus.PENDING
    link.attempts = 0
    link.next_retry_at = timezone.now()
    link.save(update_fields=["push_status", "attempts", "next_retry_at", "updated_at"])
    _enqueue_push([link.pk])
    return link


@transaction.atomic
def links_retry_failed(*, actor: StaffMember) -> int:
    """Retry every failed push (e.g. after the credentials were corrected)."""
    if actor.role not in (StaffRole.ADMIN, StaffRole.DISPATCHER) or not actor.is_active:
        raise PermissionDenied(_("Only administrators and dispatchers can retry a push."))
    ids = list(
        ExternalOrderLink.objects.filter(push_status=PushStatus.FAILED).values_list("pk", flat=True)[:500]
    )
    ExternalOrderLink.objects.filter(pk__in=ids).update(
        push_status=PushStatus.PENDING, attempts=0, next_retry_at=timezone.now(), updated_at=timezone.now()
    )
    _enqueue_push(ids)
    return len(ids)


def due_push_ids(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        ExternalOrderLink.objects.filter(push_status=PushStatus.PENDING, next_retry_at__lte=now)
        .order_by("next_retry_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
